// SPDX-License-Identifier: MIT
#include "models/run.hpp"

#include <algorithm>
#include <functional>
#include <sstream>

#include <tbb/parallel_for.h>

#include "models/trust.hpp"
#include "sim/runner.hpp"

namespace breachsim::models {

ScenarioSetup::ScenarioSetup(const Scenario& s, const std::vector<std::string>& schemes)
    : scenario(s), calendar(make_calendar(s)) {
  trust_setups.reserve(s.trusts.size());
  for (const auto& t : s.trusts) {
    trust_setups.push_back(TrustSetup{EdSetup(t.ed, calendar), WardSetup(t.beds, t.finance.income.trim_point_days),
                                      ElectiveSetup(t.elective, calendar), t.staffing, CancerSetup(t.cancer, calendar)});
    TrustFinanceSetup f{t.region, -1, t.finance, t.management,
                        t.elective.theatre_sessions_per_week * 52.0 / 12.0};
    for (std::size_t c = 0; c < s.commissioners.size(); ++c)
      if (s.commissioners[c].name == t.commissioner) f.commissioner = static_cast<int>(c);
    finance.trusts.push_back(std::move(f));
  }
  finance.commissioners = s.commissioners;
  std::vector<Scheme> own;
  for (const auto& [name, params] : s.schemes) own.push_back(compile_scheme(name, params));
  finance.funds = {s.incentive_fund};
  finance.regulators = {s.regulator};
  for (const Regime& regime : s.regimes) {
    const Regime r = in_window(regime);
    for (const auto& [name, params] : r.schemes) own.push_back(compile_scheme(r.name + "/" + name, params));
    finance.funds.push_back(r.incentive_fund);
    finance.regulators.push_back(r.regulator);
  }
  if (schemes.empty()) {
    finance.schemes = std::move(own);
  } else {
    for (const std::string& name : schemes) {
      const auto it = std::find_if(own.begin(), own.end(), [&](const Scheme& k) { return k.name == name; });
      if (it != own.end()) {
        finance.schemes.push_back(*it);
        continue;
      }
      SchemeParams never;
      never.to = never.from;
      finance.schemes.push_back(compile_scheme(name, never));
      finance.schemes.back().in_point = false;
    }
  }
}

namespace {

void record_activity(const TrustMonth& tm, double month_minutes, const std::function<double&(Metric)>& at) {
  const EdMonth& ed = tm.ed;
  at(Metric::ed_attendances) = static_cast<double>(ed.attendances);
  at(Metric::ed_breaches_4h) = static_cast<double>(ed.breaches_4h);
  at(Metric::ed_mean_minutes) = ed.attendances > 0 ? ed.minutes_in_department / static_cast<double>(ed.attendances) : 0.0;
  at(Metric::ed_left_230_240min) = static_cast<double>(ed.left_230_240min);
  at(Metric::ed_trolley_waits_12h) = static_cast<double>(ed.trolley_waits_12h);
  at(Metric::emergency_admissions) = static_cast<double>(ed.admissions);
  at(Metric::beds_open) = tm.wards.open_bed_minutes / month_minutes;
  at(Metric::bed_occupancy) =
      tm.wards.open_bed_minutes > 0.0 ? tm.wards.occupied_bed_minutes / tm.wards.open_bed_minutes : 0.0;
  const ElectiveMonth& el = tm.electives;
  at(Metric::rtt_clock_starts) = static_cast<double>(el.clock_starts);
  at(Metric::rtt_treated) = static_cast<double>(el.treated);
  at(Metric::rtt_left_untreated) = static_cast<double>(el.left_untreated);
  at(Metric::rtt_waiting) = static_cast<double>(el.list.waiting);
  at(Metric::rtt_over_18w) = static_cast<double>(el.list.over_18w);
  at(Metric::rtt_over_52w) = static_cast<double>(el.list.over_52w);
  at(Metric::rtt_treated_over_18w) = static_cast<double>(el.treated_over_18w);
  at(Metric::rtt_outpatient_treated) = static_cast<double>(el.outpatient_treated);
  at(Metric::rtt_referrals_restricted) = static_cast<double>(el.referrals_restricted);
  at(Metric::elective_admissions) = static_cast<double>(el.admissions);
  at(Metric::elective_cancellations) = static_cast<double>(el.cancellations);
  at(Metric::elective_rebooked_late_28d) = static_cast<double>(el.rebooked_late);
  at(Metric::elective_day_cases) = static_cast<double>(tm.wards.elective_day_cases);
  at(Metric::elective_inpatients) = static_cast<double>(tm.wards.elective_inpatients);
  at(Metric::excess_bed_days) = tm.wards.excess_bed_days;
  at(Metric::mixed_sex_breaches) = tm.wards.mixed_sex_days;
  at(Metric::readmissions_30d) = static_cast<double>(ed.readmissions);
  at(Metric::readmissions_30d_after_elective) = static_cast<double>(ed.readmissions_after_elective);
  at(Metric::early_discharges) = static_cast<double>(tm.wards.early_discharges);
  double substantive = 0.0, agency = 0.0;
  for (const StaffLevel& s : tm.staff) substantive += s.substantive_wte, agency += s.agency_wte;
  at(Metric::staff_substantive_wte) = substantive;
  at(Metric::staff_agency_wte) = agency;
  at(Metric::ambulance_handovers_30_60min) = static_cast<double>(ed.handovers_30_60min);
  at(Metric::ambulance_handovers_over_60min) = static_cast<double>(ed.handovers_over_60min);
  const CancerMonth& c = tm.cancer;
  at(Metric::cancer_referrals) = static_cast<double>(c.referrals);
  at(Metric::cancer_diagnosed) = static_cast<double>(c.diagnosed);
  at(Metric::cancer_treated) = static_cast<double>(c.treated);
  at(Metric::cancer_breaches_62d) = static_cast<double>(c.breaches_62d);
  at(Metric::cancer_surgical_cancellations) = static_cast<double>(c.surgical_cancellations);
  at(Metric::cancer_repeat_cancellations) = static_cast<double>(c.repeat_cancellations);
  at(Metric::cancer_on_pathway) = static_cast<double>(c.on_pathway);
  at(Metric::cancer_over_62d_on_pathway) = static_cast<double>(c.over_62d_on_pathway);
}

void record_money(const MoneyMonth& m, const std::function<double&(Metric)>& at) {
  at(Metric::income_activity) = m.income_activity;
  at(Metric::income_other) = m.income_other;
  at(Metric::income_incentives) = m.income_incentives;
  at(Metric::readmission_nonpayment) = m.readmission_nonpayment;
  at(Metric::rebooking_nonpayment) = m.rebooking_nonpayment;
  at(Metric::coding_uplift) = m.coding_uplift;
  at(Metric::fines) = m.fines;
  at(Metric::fines_waived) = m.fines_waived;
  at(Metric::fines_withheld) = m.fines_withheld;
  at(Metric::fines_reinvested) = m.fines_reinvested;
  at(Metric::fines_pooled) = m.fines_pooled;
  at(Metric::fines_returned) = m.fines_returned;
  at(Metric::pool_payouts) = m.pool_payouts;
  at(Metric::fund_unearned) = m.fund_unearned;
  at(Metric::cost_pay) = m.cost_pay;
  at(Metric::cost_agency) = m.cost_agency;
  at(Metric::cost_other) = m.cost_other;
  at(Metric::cip_savings) = m.cip_savings;
  at(Metric::interest) = m.interest;
  at(Metric::surplus) = m.surplus;
  at(Metric::cumulative_deficit) = m.cumulative_deficit;
  at(Metric::debt) = m.debt;
  at(Metric::cash) = m.cash;
  at(Metric::special_measures) = m.special_measures ? 1.0 : 0.0;
  at(Metric::cost_control_acting) = m.cost_control ? 1.0 : 0.0;
  at(Metric::protect_performance_acting) = m.protect_performance ? 1.0 : 0.0;
  at(Metric::extra_theatre_sessions) = m.extra_sessions;
  at(Metric::referral_share) = m.referral_share;
  at(Metric::league_rank) = m.league_rank;
  at(Metric::league_segment) = m.league_segment;
  at(Metric::control_total_met) = m.control_total_met ? 1.0 : 0.0;
  at(Metric::cip_delivered_share) = m.cip_delivered_share;
  at(Metric::turnaround_team) = m.turnaround_team ? 1.0 : 0.0;
  at(Metric::turnaround_cost) = m.turnaround_cost;
  at(Metric::management_replaced) = m.management_replaced ? 1.0 : 0.0;
  at(Metric::productivity_factor) = m.productivity_factor;
  at(Metric::recruitment_factor) = m.recruitment_factor;
  at(Metric::capital_rewards) = m.capital_rewards;
  at(Metric::capital_committed) = m.capital_committed;
  at(Metric::capital_invested) = m.capital_invested;
  at(Metric::capital_beds) = m.capital_beds;
}

}  // namespace

ReplicationOutcome simulate_replication(const ScenarioSetup& setup, std::uint64_t seed, std::uint32_t replication) {
  const std::size_t trusts = setup.trusts(), months = setup.months(), schemes = setup.schemes();
  ReplicationOutcome out;
  out.values.assign(metric_count * trusts * months, 0.0);
  out.scheme_fines.assign(schemes * trusts * months, 0.0);
  const sim::Calendar& cal = setup.calendar;
  auto fail = [&](std::size_t t, const std::exception& e) {
    std::ostringstream msg;
    msg << "trust '" << setup.scenario.trusts[t].name << "' (index " << t << "), replication " << replication << ", seed "
        << seed << ": " << e.what();
    return sim::SimulationError(msg.str());
  };
  std::vector<Trust> world;
  world.reserve(trusts);
  for (std::size_t t = 0; t < trusts; ++t)
    world.emplace_back(setup.trust_setups[t], cal, sim::StreamKey{seed, replication, static_cast<std::uint32_t>(t)});
  Settlement settlement(setup.finance, cal, seed, replication);
  std::vector<TrustMonth> month_of(trusts);
  std::vector<Levers> levers;
  // Month by month across all trusts: they meet only at month ends, where the money settles.
  for (int m = -cal.warmup_months(); m < cal.months(); ++m) {
    // Trusts share nothing within a month, so they run in parallel; each writes its own slot.
    tbb::parallel_for(std::size_t{0}, trusts, [&](std::size_t t) {
      try {
        month_of[t] = world[t].run_month(cal.month_start(m + 1));
      } catch (const std::exception& e) {
        throw fail(t, e);
      }
    });
    if (m < 0) continue;  // warm-up: clinical only, the books open at the first reported month
    const auto month = static_cast<std::size_t>(m);
    const double month_minutes = cal.month_start(m + 1) - cal.month_start(m);
    const std::vector<MoneyMonth> money = settlement.settle(m, month_of, levers);
    for (std::size_t t = 0; t < trusts; ++t) {
      const std::function<double&(Metric)> at = [&](Metric metric) -> double& {
        return out.values[(static_cast<std::size_t>(metric) * trusts + t) * months + month];
      };
      record_activity(month_of[t], month_minutes, at);
      record_money(money[t], at);
      for (std::size_t s = 0; s < schemes; ++s)
        out.scheme_fines[(s * trusts + t) * months + month] = money[t].fines_by_scheme[s];
      world[t].set_levers(levers[t]);
    }
  }
  for (const Trust& t : world) out.events += t.events();
  out.pool_balance = settlement.pool_balance();
  out.awaiting_return = settlement.awaiting_return();
  out.fund_returned_to_centre = settlement.fund_returned_to_centre();
  return out;
}

RunOutcome run_replications(const ScenarioSetup& setup, std::uint64_t seed, int replications, int threads,
                            const std::function<void()>& on_done) {
  return std::move(run_points({&setup}, seed, replications, threads, on_done).front());
}

std::vector<RunOutcome> run_points(const std::vector<const ScenarioSetup*>& points, std::uint64_t seed, int replications,
                                   int threads, const std::function<void()>& on_done) {
  const auto R = static_cast<std::size_t>(replications);
  std::vector<RunOutcome> out(points.size());
  for (std::size_t p = 0; p < points.size(); ++p) {
    RunOutcome& run = out[p];
    run.replications = R;
    run.trusts = points[p]->trusts();
    run.months = points[p]->months();
    run.schemes = points[p]->schemes();
    run.runs.resize(R);
  }
  // One task per (point, replication). Replication r draws the same patients at every point
  // (streams are keyed by seed, replication and trust, never by point or thread).
  sim::run_tasks(points.size() * R, threads, [&](std::size_t task) {
    const std::size_t p = task / R, r = task % R;
    out[p].runs[r] = simulate_replication(*points[p], seed, static_cast<std::uint32_t>(r));
    if (on_done) on_done();
  });
  return out;
}


double RunOutcome::national_month(Metric m, std::size_t r, std::size_t month) const {
  const MetricInfo& mi = info(m);
  return combine_values(
      mi.across_trusts, trusts, [&](std::size_t t) { return trust_month(m, r, t, month); },
      [&](std::size_t t) { return trust_month(mi.weight, r, t, month); });
}

double RunOutcome::trust_run(Metric m, std::size_t r, std::size_t t) const {
  const MetricInfo& mi = info(m);
  return combine_values(
      mi.over_months, months, [&](std::size_t month) { return trust_month(m, r, t, month); },
      [&](std::size_t month) { return trust_month(mi.weight, r, t, month); });
}

double RunOutcome::national_run(Metric m, std::size_t r) const {
  const MetricInfo& mi = info(m);
  return combine_values(
      mi.over_months, months, [&](std::size_t month) { return national_month(m, r, month); },
      [&](std::size_t month) { return national_month(mi.weight, r, month); });
}

std::uint64_t RunOutcome::events() const {
  std::uint64_t n = 0;
  for (const auto& r : runs) n += r.events;
  return n;
}

}  // namespace breachsim::models
