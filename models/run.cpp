// SPDX-License-Identifier: MIT
#include "models/run.hpp"

#include <sstream>

#include "models/trust.hpp"
#include "sim/runner.hpp"

namespace breachsim::models {

ScenarioSetup::ScenarioSetup(const Scenario& s) : scenario(s), calendar(make_calendar(s)) {
  trust_setups.reserve(s.trusts.size());
  for (const auto& t : s.trusts)
    trust_setups.push_back(
        TrustSetup{EdSetup(t.ed, calendar), WardSetup(t.beds), ElectiveSetup(t.elective, calendar), t.staffing,
                   CancerSetup(t.cancer, calendar)});
}

ReplicationOutcome simulate_replication(const ScenarioSetup& setup, std::uint64_t seed, std::uint32_t replication) {
  const std::size_t trusts = setup.trusts(), months = setup.months();
  ReplicationOutcome out;
  out.values.assign(metric_count * trusts * months, 0.0);
  auto at = [&](Metric m, std::size_t t, std::size_t month) -> double& {
    return out.values[(static_cast<std::size_t>(m) * trusts + t) * months + month];
  };
  const sim::Calendar& cal = setup.calendar;
  for (std::size_t t = 0; t < trusts; ++t) {
    try {
      Trust trust(setup.trust_setups[t], cal, sim::StreamKey{seed, replication, static_cast<std::uint32_t>(t)});
      for (int m = -cal.warmup_months(); m < cal.months(); ++m) {
        const TrustMonth tm = trust.run_month(cal.month_start(m + 1));
        if (m < 0) continue;
        const auto month = static_cast<std::size_t>(m);
        const EdMonth& ed = tm.ed;
        const double month_minutes = cal.month_start(m + 1) - cal.month_start(m);
        at(Metric::ed_attendances, t, month) = static_cast<double>(ed.attendances);
        at(Metric::ed_breaches_4h, t, month) = static_cast<double>(ed.breaches_4h);
        at(Metric::ed_mean_minutes, t, month) =
            ed.attendances > 0 ? ed.minutes_in_department / static_cast<double>(ed.attendances) : 0.0;
        at(Metric::ed_left_230_240min, t, month) = static_cast<double>(ed.left_230_240min);
        at(Metric::ed_trolley_waits_12h, t, month) = static_cast<double>(ed.trolley_waits_12h);
        at(Metric::emergency_admissions, t, month) = static_cast<double>(ed.admissions);
        at(Metric::beds_open, t, month) = tm.wards.open_bed_minutes / month_minutes;
        at(Metric::bed_occupancy, t, month) =
            tm.wards.open_bed_minutes > 0.0 ? tm.wards.occupied_bed_minutes / tm.wards.open_bed_minutes : 0.0;
        const ElectiveMonth& el = tm.electives;
        at(Metric::rtt_clock_starts, t, month) = static_cast<double>(el.clock_starts);
        at(Metric::rtt_treated, t, month) = static_cast<double>(el.treated);
        at(Metric::rtt_left_untreated, t, month) = static_cast<double>(el.left_untreated);
        at(Metric::rtt_waiting, t, month) = static_cast<double>(el.list.waiting);
        at(Metric::rtt_over_18w, t, month) = static_cast<double>(el.list.over_18w);
        at(Metric::rtt_over_52w, t, month) = static_cast<double>(el.list.over_52w);
        at(Metric::elective_admissions, t, month) = static_cast<double>(el.admissions);
        at(Metric::elective_cancellations, t, month) = static_cast<double>(el.cancellations);
        at(Metric::elective_rebooked_late_28d, t, month) = static_cast<double>(el.rebooked_late);
        at(Metric::readmissions_30d, t, month) = static_cast<double>(ed.readmissions);
        at(Metric::readmissions_30d_after_elective, t, month) = static_cast<double>(ed.readmissions_after_elective);
        at(Metric::early_discharges, t, month) = static_cast<double>(tm.wards.early_discharges);
        double substantive = 0.0, agency = 0.0;
        for (const StaffLevel& s : tm.staff) substantive += s.substantive_wte, agency += s.agency_wte;
        at(Metric::staff_substantive_wte, t, month) = substantive;
        at(Metric::staff_agency_wte, t, month) = agency;
        at(Metric::ambulance_handovers_30_60min, t, month) = static_cast<double>(ed.handovers_30_60min);
        at(Metric::ambulance_handovers_over_60min, t, month) = static_cast<double>(ed.handovers_over_60min);
        const CancerMonth& c = tm.cancer;
        at(Metric::cancer_referrals, t, month) = static_cast<double>(c.referrals);
        at(Metric::cancer_diagnosed, t, month) = static_cast<double>(c.diagnosed);
        at(Metric::cancer_treated, t, month) = static_cast<double>(c.treated);
        at(Metric::cancer_breaches_62d, t, month) = static_cast<double>(c.breaches_62d);
        at(Metric::cancer_surgical_cancellations, t, month) = static_cast<double>(c.surgical_cancellations);
        at(Metric::cancer_repeat_cancellations, t, month) = static_cast<double>(c.repeat_cancellations);
        at(Metric::cancer_on_pathway, t, month) = static_cast<double>(c.on_pathway);
        at(Metric::cancer_over_62d_on_pathway, t, month) = static_cast<double>(c.over_62d_on_pathway);
      }
      out.events += trust.events();
    } catch (const std::exception& e) {
      std::ostringstream msg;
      msg << "trust '" << setup.scenario.trusts[t].name << "' (index " << t << "), replication " << replication
          << ", seed " << seed << ": " << e.what();
      throw sim::SimulationError(msg.str());
    }
  }
  return out;
}

RunOutcome run_replications(const ScenarioSetup& setup, std::uint64_t seed, int replications, int threads,
                            const std::function<void()>& on_done) {
  RunOutcome run;
  run.replications = static_cast<std::size_t>(replications);
  run.trusts = setup.trusts();
  run.months = setup.months();
  run.runs.resize(run.replications);
  sim::run_tasks(run.replications, threads, [&](std::size_t r) {
    run.runs[r] = simulate_replication(setup, seed, static_cast<std::uint32_t>(r));
    if (on_done) on_done();
  });
  return run;
}

namespace {

// Combines values[i] with weights[i] under a rule; the weights matter only for weighted_mean.
template <class Value, class Weight>
double combine(Combine rule, std::size_t n, Value&& value, Weight&& weight) {
  double total = 0.0, weights = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = rule == Combine::weighted_mean ? weight(i) : 1.0;
    total += value(i) * w;
    weights += w;
  }
  if (rule == Combine::sum) return total;
  return weights > 0.0 ? total / weights : 0.0;
}

}  // namespace

double RunOutcome::national_month(Metric m, std::size_t r, std::size_t month) const {
  const MetricInfo& mi = info(m);
  return combine(
      mi.across_trusts, trusts, [&](std::size_t t) { return trust_month(m, r, t, month); },
      [&](std::size_t t) { return trust_month(mi.weight, r, t, month); });
}

double RunOutcome::trust_run(Metric m, std::size_t r, std::size_t t) const {
  const MetricInfo& mi = info(m);
  return combine(
      mi.over_months, months, [&](std::size_t month) { return trust_month(m, r, t, month); },
      [&](std::size_t month) { return trust_month(mi.weight, r, t, month); });
}

double RunOutcome::national_run(Metric m, std::size_t r) const {
  const MetricInfo& mi = info(m);
  return combine(
      mi.over_months, months, [&](std::size_t month) { return national_month(m, r, month); },
      [&](std::size_t month) { return national_month(mi.weight, r, month); });
}

std::uint64_t RunOutcome::events() const {
  std::uint64_t n = 0;
  for (const auto& r : runs) n += r.events;
  return n;
}

}  // namespace breachsim::models
