// SPDX-License-Identifier: MIT
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/run/run_file.hpp"
#include "models/run/scenario.hpp"

// How a run proceeds, decided the same way by every front end (the command line today;
// shards, MPI or a server tomorrow), which keeps only its options, messages and exit codes:
//   1. plan_run turns a loaded sweep into the RunSpec that stream_tasks runs (run_file.hpp);
//   2. with --resume, before the existing file is reopened, resume_mismatch says whether it
//      may be completed by this run and resume_from what it already holds;
//   3. run_batches streams the tasks into the open file: all of them, or with the
//      replication calculator (monte_carlo.target_half_width > 0) batch after batch until
//      the target metric is precise enough at every point;
//   4. finish_run writes the summary and commits the file.
namespace breachsim::models {

// ---------------------------------------------------------------------------------------
// The run's plan.

// How many replications a run has: a fixed number, or with the replication calculator a
// first batch of monte_carlo.replications, grown by as many again until the 95% interval of
// `metric` is within `half_width` of its mean at every point, or max_replications is reached.
struct ReplicationTarget {
  bool adaptive = false;
  std::size_t batch = 0;  // monte_carlo.replications: the whole run, or the first batch and each one after
  std::size_t max = 0;    // the most a run may have (RunSpec::replications)
  Metric metric = Metric::cumulative_deficit;
  std::string metric_name;
  double half_width = 0.0;

  // Replications in the file when a new run starts: all of them, or the first batch.
  std::size_t first_extent() const { return adaptive ? std::min(max, batch) : max; }
};
// `metric` is monte_carlo.target_metric looked up by the caller (load_sweep has checked it).
ReplicationTarget replication_target(const MonteCarloSection& mc, Metric metric);

// A sweep ready to run: its points compiled (owned here, pointed to by spec.points) and
// the spec stream_tasks needs.
struct PlannedRun {
  std::vector<std::unique_ptr<ScenarioSetup>> setups;
  RunSpec spec;
  ReplicationTarget target;
  std::shared_ptr<const SensitivityStudy> study;  // Sweep::study; none for a sweep
};
// Called once the config is loaded, before the output file is opened. `threads` 0: the
// machine's concurrency.
PlannedRun plan_run(const Sweep& sweep, Metric target_metric, int threads, const std::string& command_line);

// Narrows a planned run to one task, (point, replication), both counted from 0: a rerun of a
// task alone, as the report of a broken invariant says (--task). The file then has
// `replication` + 1 replications, of which only that one is run, and the replication
// calculator is off. Returns what is out of range ("point 3 of a run with 2 points (0 to 1)"),
// empty when the task exists. Called after plan_run, before fresh_start.
std::string select_task(PlannedRun& run, std::size_t point, std::size_t replication);

// Narrows a planned run to one shard (--shard K/N): the tasks shard_of gives it, which
// `merge` puts together with the other shards' into the file a whole run writes. Returns why
// it cannot be ("the replication calculator ...", "8 shards of a run of 6 tasks"), empty when
// it can. Called after plan_run, before fresh_start.
std::string select_shard(PlannedRun& run, const Shard& shard);

// Where a run starts from: what its file already holds, sized for every replication the run
// may reach, with the sweep's point and trust names.
struct RunStart {
  NationalRuns prior;           // the finished tasks (none for a new run)
  std::size_t extent = 0;       // replications laid out in the file
  bool replace_summary = false; // the file has a /summary, which finish_run rewrites
};
// A new run: no task finished, the first batch laid out. Files of national detail keep no
// trust series, so neither do its runs. Called before the new file is created, whose layout
// has `extent` replications.
RunStart fresh_start(const PlannedRun& run);

// ---------------------------------------------------------------------------------------
// Resuming (--resume): completing the file an interrupted run left.

// The file to complete for output `out`: its partial file when there is one (a run that was
// killed), otherwise `out` itself (one stopped cleanly); empty when neither exists.
std::string resumable_file(const std::string& out);

// Called after reading the existing file (read_saved_run) and before reopening it: empty
// when `saved` was written by this run's config (the SHA-256 of the text in /config), seed
// and points, and holds the replications this run continues (exactly as many, or with the
// calculator at most its maximum); otherwise what differs, one clause per difference joined
// by "; " ("the config differs (...)", "seed 7 in the file, 42 now", "shard 2/4 in the file,
// 3/4 now", ...).
std::string resume_mismatch(const SavedRun& saved, const PlannedRun& run);

// What a compatible resumed run continues from. Called once resume_mismatch has found
// `saved` compatible.
RunStart resume_from(const SavedRun& saved, const PlannedRun& run);

// ---------------------------------------------------------------------------------------
// Running.

// What the caller hears while the batches run; any member may be empty.
struct BatchObserver {
  // Before each batch: the tasks it will run and the months they simulate, warm-up included.
  std::function<void(std::size_t tasks, std::uint64_t months)> batch_started;
  std::function<void(std::uint64_t events)> task_done;  // on the writer thread, after each task is written
  // Has each simulated month (one step) and its events added by the running tasks, so that a
  // display moves while long tasks run (sim/task_progress.hpp); never reset here.
  sim::TaskProgress* progress = nullptr;
  std::function<void()> batch_finished;                  // after each batch, before the precision is judged
  // The target is not yet met: replications [from, to) follow (the file has grown to `to`).
  std::function<void(std::size_t from, std::size_t to)> growing;
};

struct RunTotals {
  NationalRuns runs;             // every task finished, in this run or before it
  std::size_t replications = 0;  // the file's extent when the batches ended
  std::uint64_t events = 0;
  double seconds = 0.0, write_seconds = 0.0;
  bool stopped = false;          // a stop request left tasks undone
};

// Whether every point's 95% interval of `metric` is within `half_width` of its mean (and
// has at least two finished replications to judge by): the calculator's stopping rule.
bool precise_enough(const NationalRuns& runs, Metric metric, double half_width);

// Runs the tasks not finished in `prior` into `file` (streaming, with `extent` replications
// laid out): [0, extent) and, with the calculator, further batches, growing the file, until
// the target is met or its maximum reached, or `stop` is set. Called once the file is open.
RunTotals run_batches(sim::ResultFile& file, const PlannedRun& run, NationalRuns prior, std::size_t extent,
                      const std::atomic<bool>& stop, const BatchObserver& observer = {});

// Ends the streaming and leaves a complete file: its replications cut to those laid out,
// the /summary (re)written from them and the file committed under its final name. Adds the
// time it took to totals.write_seconds. Called after run_batches, also when it stopped.
void finish_run(sim::ResultFile& file, RunTotals& totals, bool replace_summary);

}  // namespace breachsim::models
