// SPDX-License-Identifier: MIT
#include "models/run/run.hpp"

#include <algorithm>
#include <functional>
#include <utility>


#include "models/care/trust.hpp"
#include "sim/invariant.hpp"
#include "sim/runner.hpp"

namespace breachsim::models {

ScenarioSetup::ScenarioSetup(const Scenario& s, const std::vector<std::string>& schemes)
    : scenario(s), calendar(make_calendar(s)) {
  trust_setups.reserve(s.trusts.size());
  for (const auto& t : s.trusts) {
    trust_setups.push_back(TrustSetup{EdSetup(t.ed, calendar), WardSetup(t.beds, t.finance.income.trim_point_days),
                                      ElectiveSetup(t.elective, calendar), t.staffing, CancerSetup(t.cancer, calendar)});
    TrustFinanceSetup f{t.region, -1, t.finance, t.management,
                        t.elective.theatre_sessions_per_week * 52.0 / 12.0, {}, t.name};
    for (std::size_t g = 0; g < staff_group_count; ++g) {
      const StaffGroupParams& group = group_params(t.staffing, g);
      f.posts[g] = StaffPosts{group.establishment_wte, group.floor_share_of_establishment};
    }
    for (std::size_t c = 0; c < s.commissioners.size(); ++c)
      if (s.commissioners[c].name == t.commissioner) f.commissioner = static_cast<int>(c);
    finance.trusts.push_back(std::move(f));
  }
  finance.commissioners = s.commissioners;
  // Names to indices once: load_sweep has checked that every member exists.
  for (const FootprintParams& fp : s.footprints) {
    Footprint f{fp.name, {}, {}};
    for (const std::string& name : fp.trusts)
      for (std::size_t t = 0; t < s.trusts.size(); ++t)
        if (s.trusts[t].name == name) f.trusts.push_back(t);
    for (const std::string& name : fp.commissioners)
      for (std::size_t c = 0; c < s.commissioners.size(); ++c)
        if (s.commissioners[c].name == name) f.commissioners.push_back(c);
    finance.footprints.push_back(std::move(f));
  }
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

void ScenarioSetup::share_rate_tables(sim::RateTablePool& pool) {
  for (TrustSetup& t : trust_setups) {
    pool.share(t.ed.arrival_rates);
    pool.share(t.electives.referral_rates);
    pool.share(t.cancer.referral_rates);
  }
}


ReplicationOutcome simulate_replication(const ScenarioSetup& setup, std::uint64_t seed, std::uint32_t replication,
                                        const std::vector<const ScenarioSetup*>& shadow, sim::TaskProgress* progress,
                                        const TaskLabel& label) {
  const std::size_t trusts = setup.trusts(), months = setup.months(), schemes = setup.schemes();
  const std::size_t footprints = setup.footprints();
  ReplicationOutcome out;
  out.values.assign(metric_count * trusts * months, 0.0);
  out.scheme_fines.assign(schemes * trusts * months, 0.0);
  out.footprint_outturn.assign(footprints * months, 0.0);
  out.footprint_plan.assign(footprints * months, 0.0);
  const sim::Calendar& cal = setup.calendar;
  // Who is running, for the reports of failures (sim/invariant.hpp): the task on this thread,
  // and each trust-month on whichever thread runs it.
  const sim::TaskContext context{seed, replication, label.task, label.rerun, &cal};
  std::vector<std::string> trust_names;
  for (std::size_t t = 0; t < trusts; ++t)
    trust_names.push_back("trust '" + setup.scenario.trusts[t].name + "' (index " + std::to_string(t) + ")");
  std::vector<Trust> world;
  world.reserve(trusts);
  for (std::size_t t = 0; t < trusts; ++t) {
    const sim::TaskScope trust(&context, trust_names[t]);
    world.emplace_back(setup.trust_setups[t], cal, sim::StreamKey{seed, replication, static_cast<std::uint32_t>(t)});
  }
  std::vector<const FinanceSetup*> shadow_finance;
  for (const ScenarioSetup* point : shadow) shadow_finance.push_back(&point->finance);
  Settlement settlement(setup.finance, cal, seed, replication, std::move(shadow_finance));
  std::vector<TrustMonth> month_of(trusts);
  std::vector<Levers> levers;
  std::uint64_t events_reported = 0;
  const sim::TaskScope month_end(&context, "the month end (settlement of every trust)");
  // Month by month across all trusts: they meet only at month ends, where the money settles.
  for (int m = -cal.warmup_months(); m < cal.months(); ++m) {
    // Trusts share nothing within a month, so they run in parallel; each writes its own slot.
    sim::parallel_for_each_index(trusts, [&](std::size_t t) {
      const sim::TaskScope trust(&context, trust_names[t]);
      try {
        month_of[t] = world[t].run_month(cal.month_start(m + 1));
      } catch (const sim::InvariantError&) {
        throw;  // its report says all this already
      } catch (const std::exception& e) {
        throw sim::SimulationError(e.what() + sim::failure_context());
      }
    });
    if (progress) {
      std::uint64_t events = 0;
      for (const Trust& t : world) events += t.events();
      progress->add(1, events - events_reported);
      events_reported = events;
    }
    if (m < 0) continue;  // warm-up: clinical only, the books open at the first reported month
    const auto month = static_cast<std::size_t>(m);
    const double month_minutes = cal.month_start(m + 1) - cal.month_start(m);
    const std::vector<MoneyMonth> money = settlement.settle(m, month_of, levers);
    for (std::size_t t = 0; t < trusts; ++t) {
      const MonthOutcome outcome{month_of[t], money[t], month_minutes};
      for (std::size_t mi = 0; mi < metric_count; ++mi)
        out.values[(mi * trusts + t) * months + month] = metric_catalogue[mi].read(outcome);
      for (std::size_t s = 0; s < schemes; ++s)
        out.scheme_fines[(s * trusts + t) * months + month] = money[t].fines_by_scheme[s];
      world[t].set_levers(levers[t]);
    }
    const std::vector<FootprintToDate>& fp = settlement.footprints();
    for (std::size_t f = 0; f < footprints; ++f) {
      out.footprint_outturn[f * months + month] = fp[f].outturn;
      out.footprint_plan[f * months + month] = fp[f].plan;
    }
  }
  for (const Trust& t : world) out.events += t.events();
  out.pool_balance = settlement.pool_balance();
  out.awaiting_return = settlement.awaiting_return();
  out.fund_returned_to_centre = settlement.fund_returned_to_centre();
  out.first_round_levy = settlement.shadow_levies();
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
