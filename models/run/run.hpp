// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/care/trust.hpp"
#include "models/run/metrics.hpp"
#include "models/run/scenario.hpp"
#include "models/money/settlement.hpp"
#include "sim/task_progress.hpp"

namespace breachsim::models {

// A scenario compiled for running: the calendar and every trust's derived tables, built
// once and shared read-only by all replications.
struct ScenarioSetup {
  // `schemes`: the schemes of the whole sweep in its order (Sweep::schemes); a scheme this
  // point lacks has a place that never fines. Empty: this point's own.
  explicit ScenarioSetup(const Scenario& s, const std::vector<std::string>& schemes = {});
  Scenario scenario;
  sim::Calendar calendar;
  std::vector<TrustSetup> trust_setups;  // one per trust, in scenario order
  FinanceSetup finance;

  std::size_t trusts() const { return trust_setups.size(); }
  // Gives every trust's arrival and referral rates the table of an equal one the pool holds
  // (so the points of a sweep share them), and adds the rest to the pool.
  void share_rate_tables(sim::RateTablePool& pool);
  std::size_t months() const { return static_cast<std::size_t>(calendar.months()); }
  // The months one replication simulates: the warm-up and the reported months.
  std::size_t task_months() const { return static_cast<std::size_t>(calendar.warmup_months()) + months(); }
  std::size_t schemes() const { return finance.schemes.size(); }
  std::size_t footprints() const { return finance.footprints.size(); }
};

// Outcomes of one replication, indexed [metric][trust][month], and the fines levied by each
// scheme, [scheme][trust][month]. The money ledger's balances at the end are kept for the
// conservation of money: fines = withheld + returned + awaiting_return + pool payouts + pool_balance.
struct ReplicationOutcome {
  std::vector<double> values;
  std::vector<double> scheme_fines;
  // [point]: what each shadow point's sanctions levied on this replication's breaches over the
  // run, all trusts (empty without shadow points): the baseline's tasks compute it for the
  // first-round fines of the deficit multiplier.
  std::vector<double> first_round_levy;
  // [footprint][month]: each footprint's outturn and plan in the financial year to date at the
  // month end (FootprintToDate); at a financial year's last month, the year's.
  std::vector<double> footprint_outturn, footprint_plan;
  double pool_balance = 0, awaiting_return = 0, fund_returned_to_centre = 0;
  std::uint64_t events = 0;
};

// How a task names itself when an invariant breaks (sim/invariant.hpp), besides its
// replication and seed: which task of the run, and a command that reruns it alone. Empty:
// unnamed (a test calling the runner directly).
struct TaskLabel {
  std::string task;   // "point 1 'fines on'"
  std::string rerun;  // "breachsim run configs/default.yaml --task 1:17 ..."
};

// `shadow`: the sweep points whose sanctions the month ends also levy, in the shadow, on this
// replication's own breaches (models/money/shadow_levy.hpp); nothing of the outcome moves.
// `progress`, when given, has one step and that month's events added at every simulated month
// end, warm-up included (ScenarioSetup::task_months in all), for a progress display. An error
// in a trust's month, or a broken invariant, throws with the trust, the task and `label`.
ReplicationOutcome simulate_replication(const ScenarioSetup& setup, std::uint64_t seed, std::uint32_t replication,
                                        const std::vector<const ScenarioSetup*>& shadow = {},
                                        sim::TaskProgress* progress = nullptr, const TaskLabel& label = {});

// Every replication of a run. Slots are filled independently, so the result is the same
// whatever the number of threads.
struct RunOutcome {
  std::size_t replications = 0, trusts = 0, months = 0, schemes = 0;
  std::vector<ReplicationOutcome> runs;

  double trust_month(Metric m, std::size_t r, std::size_t t, std::size_t month) const {
    return runs[r].values[(static_cast<std::size_t>(m) * trusts + t) * months + month];
  }
  double scheme_fines(std::size_t scheme, std::size_t r, std::size_t t, std::size_t month) const {
    return runs[r].scheme_fines[(scheme * trusts + t) * months + month];
  }
  double national_month(Metric m, std::size_t r, std::size_t month) const;
  // The whole run of one replication, combined across trusts and over months as the
  // metric catalogue says.
  double national_run(Metric m, std::size_t r) const;
  double trust_run(Metric m, std::size_t r, std::size_t t) const;
  std::uint64_t events() const;
};

// `on_done` is called (from worker threads, so it must be thread-safe) after each replication.
RunOutcome run_replications(const ScenarioSetup& setup, std::uint64_t seed, int replications, int threads,
                            const std::function<void()>& on_done = {});
// Every replication of every sweep point, one RunOutcome per point; the points must have the
// same trusts, months and schemes.
std::vector<RunOutcome> run_points(const std::vector<const ScenarioSetup*>& points, std::uint64_t seed, int replications,
                                   int threads, const std::function<void()>& on_done = {});

}  // namespace breachsim::models
