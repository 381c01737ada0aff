// SPDX-License-Identifier: MIT
// How a run proceeds, without the command line (models/run/run_control.hpp): whether an existing
// result file may be completed by a run (--resume), completing it, the replication
// calculator's stopping rule and the progress counter, on the small two-trust scenario
// streamed into real files.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "models/run/output.hpp"
#include "models/run/resource_estimate.hpp"
#include "models/run/run.hpp"
#include "models/run/run_control.hpp"
#include "models/run/scenario.hpp"
#include "sim/result_file.hpp"
#include "sim/stats.hpp"
#include "sim/task_progress.hpp"

using namespace breachsim;
using models::Metric;

namespace {

// A result file path of this test process, removed (with any partial file) at the end.
struct TempResult {
  std::string path;
  explicit TempResult(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("breachsim_test_run_control_" + name + "_" + std::to_string(getpid()) + ".h5"))
                 .string()) {}
  ~TempResult() {
    std::filesystem::remove(path);
    std::filesystem::remove(sim::ResultFile::partial_path(path));
  }
};

// tests/data/small.yaml (two trusts, four months), or `config`, with `sets` applied, as `breachsim run
// --set ...` plans it.
models::PlannedRun plan(const std::vector<std::string>& sets, const std::string& config = "tests/data/small.yaml") {
  const models::Sweep sweep = models::load_sweep(config, sets);
  const auto metric = models::metric_by_name(sweep.points.front().scenario.monte_carlo.target_metric);
  REQUIRE(metric);
  return models::plan_run(sweep, *metric, 2, "test_run_control");
}

// A new run into a new file at `path`, as `breachsim run` does it; `stop` set beforehand
// leaves every task undone (a run interrupted at once).
models::RunTotals run_new(const models::PlannedRun& run, const std::string& path,
                          const models::BatchObserver& observer = {}, bool stop_at_once = false) {
  models::RunStart start = models::fresh_start(run);
  auto file = sim::ResultFile::create(path, true);
  models::write_layout(file, run.spec, start.extent);
  file.start_streaming();
  const std::atomic<bool> stop{stop_at_once};
  models::RunTotals totals = models::run_batches(file, run, std::move(start.prior), start.extent, stop, observer);
  models::finish_run(file, totals, start.replace_summary);
  return totals;
}

std::size_t finished_tasks(const models::NationalRuns& runs) {
  std::size_t n = 0;
  for (std::uint8_t d : runs.done) n += d;
  return n;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("resume: the file a run wrote is compatible with the same run, and each difference is named",
          "[run_control][threads]") {
  const TempResult file("compatible");
  const std::vector<std::string> sets = {"monte_carlo.replications=2", "scenario.months=2"};
  const models::PlannedRun run = plan(sets);
  run_new(run, file.path);
  const models::SavedRun saved = models::read_saved_run(file.path);
  CHECK(models::resumable_file(file.path) == file.path);

  CHECK(models::resume_mismatch(saved, run).empty());
  CHECK(models::resume_mismatch(saved, plan(sets)).empty());  // planned again: the same config text

  std::vector<std::string> seed = sets;
  seed.push_back("monte_carlo.seed=7");
  const std::string seed_reason = models::resume_mismatch(saved, plan(seed));
  CHECK(contains(seed_reason, "seed 42 in the file, 7 now"));

  std::vector<std::string> config = sets;
  config.push_back("defaults.ed.arrivals_per_year=80000");
  const std::string config_reason = models::resume_mismatch(saved, plan(config));
  CHECK(contains(config_reason, "the config differs (SHA-256 " + saved.config_sha256 + " in the file, "));
  CHECK_FALSE(contains(config_reason, "seed"));

  std::vector<std::string> more = sets;
  more[0] = "monte_carlo.replications=3";
  const std::string more_reason = models::resume_mismatch(saved, plan(more));
  CHECK(contains(more_reason, "2 replications in the file, 3 now"));

  models::SavedRun swept = saved;  // as if written by a sweep of two points
  swept.runs.points = 2;
  CHECK(models::resume_mismatch(swept, run) == "2 points in the file, 1 now");

  models::SavedRun older = saved;  // as if written before /outcomes/first_round_levy existed
  older.format_version = 1;
  CHECK(models::resume_mismatch(older, run) == "format version 1 in the file, 2 now");
}

TEST_CASE("resume: a run stopped before any task finished is completed to the outcomes of one never stopped",
          "[run_control][threads]") {
  const TempResult whole("whole"), stopped("stopped");
  const models::PlannedRun run = plan({"monte_carlo.replications=3", "scenario.months=2"});
  const models::RunTotals expected = run_new(run, whole.path);
  REQUIRE(finished_tasks(expected.runs) == 3);

  const models::RunTotals interrupted = run_new(run, stopped.path, {}, true);
  CHECK(interrupted.stopped);
  CHECK(finished_tasks(interrupted.runs) == 0);

  const models::SavedRun saved = models::read_saved_run(models::resumable_file(stopped.path));
  // No baseline task ran: the first-round levy is unknown, not 0.
  REQUIRE(saved.runs.first_round_levy.size() == 3);
  for (double levy : saved.runs.first_round_levy) CHECK(std::isnan(levy));
  REQUIRE(models::resume_mismatch(saved, run).empty());
  models::RunStart start = models::resume_from(saved, run);
  CHECK(start.extent == 3);
  CHECK(start.replace_summary);
  CHECK(start.prior.point_names == std::vector<std::string>{"baseline"});
  CHECK(start.prior.trust_names == std::vector<std::string>{"Small Trust", "Medium Trust"});

  auto file = sim::ResultFile::resume(stopped.path);
  file.start_streaming();
  const std::atomic<bool> stop{false};
  models::RunTotals resumed = models::run_batches(file, run, std::move(start.prior), start.extent, stop);
  models::finish_run(file, resumed, start.replace_summary);
  CHECK_FALSE(resumed.stopped);
  REQUIRE(finished_tasks(resumed.runs) == 3);
  CHECK(resumed.runs.values == expected.runs.values);
  CHECK(models::read_saved_run(stopped.path).runs.values == expected.runs.values);
  CHECK(models::read_saved_run(stopped.path).runs.first_round_levy == expected.runs.first_round_levy);
  CHECK(expected.runs.first_round_levy[0] == expected.runs.value(0, 0, Metric::fines));
}

TEST_CASE("resume: with no file to complete there is nothing to resume", "[run_control]") {
  const TempResult never("never");
  CHECK(models::resumable_file(never.path).empty());
}

TEST_CASE("the calculator's stopping rule: every point's 95% half-width within the target", "[run_control]") {
  models::NationalRuns runs = models::empty_national_runs(2, 4, 0);
  auto set = [&](std::size_t p, std::size_t r, double v) {
    runs.values[(p * runs.replications + r) * models::metric_count + static_cast<std::size_t>(Metric::fines)] = v;
    runs.done[p * runs.replications + r] = 1;
  };
  CHECK_FALSE(models::precise_enough(runs, Metric::fines, 1e300));  // nothing finished
  set(0, 0, 10.0);
  set(1, 0, 10.0);
  CHECK_FALSE(models::precise_enough(runs, Metric::fines, 1e300));  // one replication cannot be judged
  set(0, 1, 12.0);
  set(1, 1, 10.0);
  // Point 0: mean 11, sd sqrt(2), t(1) 12.706: half-width 12.706; point 1: no spread.
  const double half = 12.706204736174707;
  CHECK(models::precise_enough(runs, Metric::fines, half + 1e-9));
  CHECK_FALSE(models::precise_enough(runs, Metric::fines, half - 1e-9));
  CHECK(models::precise_enough(runs, Metric::ed_attendances, 0.0));  // all zero: exact
}

TEST_CASE("the calculator grows the run in batches until the target is met or its maximum reached",
          "[run_control][threads]") {
  const std::vector<std::string> sets = {"monte_carlo.replications=2", "scenario.months=2",
                                         "monte_carlo.target_metric=fines", "monte_carlo.max_replications=7"};
  auto adaptive = [&](const std::string& half_width) {
    std::vector<std::string> s = sets;
    s.push_back("monte_carlo.target_half_width=" + half_width);
    return plan(s);
  };
  std::vector<std::pair<std::size_t, std::size_t>> grown;
  std::vector<std::size_t> batches;
  models::BatchObserver observer;
  observer.batch_started = [&](std::size_t tasks, std::uint64_t) { batches.push_back(tasks); };
  observer.growing = [&](std::size_t from, std::size_t to) { grown.emplace_back(from, to); };

  SECTION("an unreachable target stops at max_replications, the last batch cut short") {
    const TempResult file("capped");
    const models::PlannedRun run = adaptive("0.000001");
    CHECK(run.target.adaptive);
    CHECK(run.target.first_extent() == 2);
    const models::RunTotals totals = run_new(run, file.path, observer);
    CHECK(totals.replications == 7);
    CHECK(finished_tasks(totals.runs) == 7);
    CHECK(batches == std::vector<std::size_t>{2, 2, 2, 1});
    CHECK(grown == std::vector<std::pair<std::size_t, std::size_t>>{{2, 4}, {4, 6}, {6, 7}});
    const models::SavedRun saved = models::read_saved_run(file.path);
    CHECK(saved.runs.replications == 7);
    // The levy grew with the file: every replication's written, none left at the fill.
    REQUIRE(saved.runs.first_round_levy.size() == 7);
    for (std::size_t r = 0; r < 7; ++r) CHECK(saved.runs.first_round_levy[r] == totals.runs.value(0, r, Metric::fines));
  }
  SECTION("a target met by the first batch runs that batch only") {
    const TempResult file("met");
    const models::RunTotals totals = run_new(adaptive("1e12"), file.path, observer);
    CHECK(totals.replications == 2);
    CHECK(batches == std::vector<std::size_t>{2});
    CHECK(grown.empty());
    CHECK(models::read_saved_run(file.path).runs.replications == 2);
  }
  SECTION("it stops at the first batch whose half-width is within the target") {
    // Every replication has the same outcomes however the run is batched, so the
    // half-width after each batch can be read off a run of all seven.
    const TempResult all("all"), file("stopping");
    const models::RunTotals full = run_new(adaptive("0.000001"), all.path);
    auto half_width = [&](std::size_t n) {
      std::vector<double> v;
      for (std::size_t r = 0; r < n; ++r) v.push_back(full.runs.value(0, r, Metric::fines));
      const auto ci = sim::mean_interval(v);
      return ci.high - ci.mean;
    };
    const std::vector<std::size_t> extents = {2, 4, 6, 7};
    // A target just above the half-width after 4 replications: met there unless met sooner.
    const double target = half_width(4) * 1.0001;
    std::size_t expected = 7;
    for (std::size_t n : extents)
      if (half_width(n) <= target) {
        expected = n;
        break;
      }
    REQUIRE(half_width(2) > 0.0);
    REQUIRE(expected > 2);  // the rule is exercised after a batch of growth, not at the first
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", target);
    const models::RunTotals totals = run_new(adaptive(text), file.path, observer);
    CHECK(totals.replications == expected);
    CHECK(finished_tasks(totals.runs) == expected);
    for (std::size_t r = 0; r < expected; ++r)
      CHECK(totals.runs.value(0, r, Metric::fines) == full.runs.value(0, r, Metric::fines));
  }
}

TEST_CASE("a fixed run has one batch of every replication", "[run_control][threads]") {
  const TempResult file("fixed");
  const models::PlannedRun run = plan({"monte_carlo.replications=3", "scenario.months=2"});
  CHECK_FALSE(run.target.adaptive);
  CHECK(run.spec.replications == 3);
  CHECK(run.spec.seed == 42);
  std::vector<std::size_t> batches;
  models::BatchObserver observer;
  observer.batch_started = [&](std::size_t tasks, std::uint64_t) { batches.push_back(tasks); };
  const models::RunTotals totals = run_new(run, file.path, observer);
  CHECK(batches == std::vector<std::size_t>{3});
  CHECK(totals.replications == 3);
  CHECK_FALSE(totals.stopped);
  CHECK(finished_tasks(totals.runs) == 3);
}

TEST_CASE("the progress counter has every simulated month of every task, and their events", "[run_control][threads]") {
  // small.yaml has one warm-up month: 3 months a task. Months are added as the tasks run
  // (simulate_replication), so a display moves inside a long task; here only the totals and
  // the first task's months, which are all counted before the writer hears of it, are checked.
  const TempResult file("progress");
  const models::PlannedRun run = plan({"monte_carlo.replications=3", "scenario.months=2"});
  REQUIRE(run.setups.front()->task_months() == 3);
  sim::TaskProgress work;
  std::vector<std::uint64_t> announced, months_at_task;
  models::BatchObserver observer;
  observer.progress = &work;
  observer.batch_started = [&](std::size_t, std::uint64_t months) { announced.push_back(months); };
  observer.task_done = [&](std::uint64_t) { months_at_task.push_back(work.steps.load()); };
  const models::RunTotals totals = run_new(run, file.path, observer);
  CHECK(announced == std::vector<std::uint64_t>{9});
  CHECK(work.steps.load() == 9);
  CHECK(work.events.load() == totals.events);
  REQUIRE(months_at_task.size() == 3);
  CHECK(months_at_task.front() >= 3);

  const models::ReplicationOutcome one =
      models::simulate_replication(*run.setups.front(), run.spec.seed, 0, {}, &work);
  CHECK(work.steps.load() == 12);
  CHECK(work.events.load() == totals.events + one.events);
}

TEST_CASE("one task run alone (--task) has the outcomes it has in the whole run, and nothing else runs",
          "[run_control]") {
  // tests/data/sweep.yaml's four points, so the task run alone is neither the first of its run
  // nor at the baseline point (point 0).
  const std::vector<std::string> sets = {"monte_carlo.replications=3", "scenario.months=2"};
  const TempResult whole("task_whole"), alone("task_alone");
  const models::RunTotals expected = run_new(plan(sets, "tests/data/sweep.yaml"), whole.path);
  REQUIRE(finished_tasks(expected.runs) == 12);

  models::PlannedRun one = plan(sets, "tests/data/sweep.yaml");
  CHECK(models::select_task(one, 4, 0) == "point 4 of a run with 4 points (0 to 3)");
  CHECK(models::select_task(one, 1, 3) == "replication 3 of a run with 3 replications (0 to 2)");
  REQUIRE(models::select_task(one, 1, 2).empty());
  const models::RunTotals task = run_new(one, alone.path);
  CHECK(task.replications == 3);
  REQUIRE(finished_tasks(task.runs) == 1);
  CHECK(task.runs.finished(1, 2));
  for (std::size_t m = 0; m < models::metric_count; ++m) {
    const auto metric = static_cast<Metric>(m);
    INFO(models::metric_catalogue[m].name);
    const double got = task.runs.value(1, 2, metric), want = expected.runs.value(1, 2, metric);
    CHECK((got == want || (std::isnan(got) && std::isnan(want))));
  }
}

TEST_CASE("a run of one point and one replication has only task 0:0 to run alone (--task)", "[run_control]") {
  models::PlannedRun run = plan({"monte_carlo.replications=1"});
  CHECK(models::select_task(run, 0, 1) == "replication 1 of a run with 1 replication (0)");
  CHECK(models::select_task(run, 1, 0) == "point 1 of a run with 1 point (0)");
  CHECK(models::select_task(run, 0, 0).empty());
}

TEST_CASE("sweep points share the rate tables their demand does not change, as the estimate counts them",
          "[run_control]") {
  // tests/data/sweep.yaml: the A&E fine by A&E demand, two trusts of different sizes.
  const models::Sweep sweep = models::load_sweep("tests/data/sweep.yaml", {});
  const models::PlannedRun run = plan({}, "tests/data/sweep.yaml");
  REQUIRE(run.setups.size() == 4);
  const std::size_t demand = 1;  // the second swept path
  REQUIRE(run.spec.table.paths[demand] == "defaults.ed.arrivals_per_year");
  for (std::size_t p = 0; p < 4; ++p)
    for (std::size_t q = 0; q < 4; ++q)
      for (std::size_t t = 0; t < 2; ++t) {
        const models::TrustSetup &a = run.setups[p]->trust_setups[t], &b = run.setups[q]->trust_setups[t];
        const bool same_demand = run.spec.table.values[p][demand] == run.spec.table.values[q][demand];
        CHECK(a.ed.arrival_rates.shares_table_with(b.ed.arrival_rates) == same_demand);
        CHECK(a.electives.referral_rates.shares_table_with(b.electives.referral_rates));
        CHECK(a.cancer.referral_rates.shares_table_with(b.cancer.referral_rates));
      }
  // Both trusts take their demand from `defaults` (size_class is only a label), so they
  // share too: one A&E table per demand level, one elective and one cancer table in all.
  CHECK(run.setups[0]->trust_setups[0].ed.arrival_rates.shares_table_with(run.setups[0]->trust_setups[1].ed.arrival_rates));
  sim::RateTablePool pool;
  for (const auto& setup : run.setups) setup->share_rate_tables(pool);  // already shared: counts them
  CHECK(pool.tables() == 4);
  CHECK(models::rate_table_months(sweep) == 4.0 * run.setups.front()->task_months());
}
