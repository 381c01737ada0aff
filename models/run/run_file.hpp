// SPDX-License-Identifier: MIT
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/run/output.hpp"
#include "models/run/run.hpp"
#include "models/run/shard.hpp"
#include "models/run/summary.hpp"
#include "sim/result_file.hpp"

// A run streamed into its result file (docs/architecture.md): tasks (point, replication) run
// on the worker threads and one writer, the calling thread, puts each finished task into the
// file, so memory does not grow with the replications. A stop request (SIGINT) lets the
// tasks in flight finish; what is finished is marked in /progress and stays, and a resumed
// run does only the rest.
namespace breachsim::models {

enum class Detail : std::uint8_t { trust, national };

struct RunSpec;

// Where a run's tasks are simulated when not on this process's threads: on other processes
// (models/run/mpi_farm.hpp), which send back the outcomes.
class TaskFarm {
 public:
  virtual ~TaskFarm() = default;
  // Has todo[i] (point, replication) simulated for every i, unless `stopping()` says to start
  // no more, and calls deliver(i, outcome) on the calling thread as each outcome arrives.
  // Returns once no task is in flight; throws what a task threw, as its message.
  virtual void run(const RunSpec& spec, const std::vector<std::pair<std::size_t, std::size_t>>& todo,
                   const std::function<bool()>& stopping,
                   const std::function<void(std::size_t, ReplicationOutcome&&)>& deliver) = 0;
};

struct RunSpec {
  std::vector<const ScenarioSetup*> points;
  PointsTable table;
  std::uint64_t seed = 0;
  std::size_t replications = 0;  // at most, at each point (the summary's extent)
  int threads = 0;
  std::string command_line;
  Detail detail = Detail::trust;
  double flush_seconds = 30.0;  // SWMR keeps a dead copy of partly filled chunks at each flush
  // (point, replication): the one task to run, alone (select_task); none: every task.
  std::optional<std::pair<std::size_t, std::size_t>> only;
  // A command that reruns task (point, replication) alone, for failure reports (TaskLabel);
  // empty: none known.
  std::function<std::string(std::size_t point, std::size_t replication)> rerun_command;

  // Simulates the tasks elsewhere (MPI ranks); none: on `threads` threads here.
  TaskFarm* farm = nullptr;
  // The share of the tasks this process runs (--shard); none: all of them.
  std::optional<Shard> shard;
  // [point]: the points it is the reference of (compared_points(table)), whose sanctions its
  // tasks levy in the shadow for their first-round fines; empty: computed when needed.
  std::vector<std::vector<std::size_t>> compared;

  bool selected(std::size_t point, std::size_t replication) const {
    if (only && *only != std::make_pair(point, replication)) return false;
    return !shard || shard_of(point, replication, points.size(), replications, shard->count) == shard->index;
  }
};

// Creates every object of the result layout (FORMAT.md) in a new file, outcomes empty, with
// `extent` replications; the replication dimension can grow (extend_replications). First
// refuses (sim::OutputError) a file system without room for the file, at least as estimated
// from its datasets and tasks, and for its final copy.
void write_layout(sim::ResultFile& file, const RunSpec& spec, std::size_t extent);
// Grows every outcome array and /progress to `extent` replications, while streaming.
void extend_replications(sim::ResultFile& file, const RunSpec& spec, std::size_t extent);

// [point]: the points whose reference it is (PointsTable::reference), in point order; a point
// that is its own reference is among its own (it levies its own sanctions: its fines).
std::vector<std::vector<std::size_t>> compared_points(const PointsTable& table, std::size_t points);

// Task (p, r) of the run: simulate_replication with the task's label and rerun command, and
// with the shadow levies of the points p is the reference of (RunSpec::compared), which are
// ReplicationOutcome::first_round_levy in that order. `progress` as for simulate_replication.
ReplicationOutcome simulate_task(const RunSpec& spec, std::size_t p, std::size_t r,
                                 sim::TaskProgress* progress = nullptr);

struct StreamReport {
  NationalRuns runs;             // every task finished, in this run or before it
  std::size_t finished = 0;      // tasks finished by this call
  std::uint64_t events = 0;      // simulated by this call
  double seconds = 0.0;          // wall time of this call
  double write_seconds = 0.0;    // of which the writer spent writing and flushing
  bool stopped = false;          // a stop request left tasks undone
};

// Runs every task (or only spec.only) of `replications` [first, last) not already finished in `prior` (which
// holds the finished tasks' values, sized for the whole extent) and streams them into
// `file`, which must be streaming. `on_task(events)` is called on the writer thread after
// each task is written; `progress` (when given) counts the months and events of the tasks as
// they run (simulate_replication). Returns when all are done or, after `stop`, when the tasks
// in flight are written; the file is flushed and every finished task marked. Before the first
// task, refuses (sim::OutputError) a file system without room for the tasks and the final copy.
StreamReport stream_tasks(sim::ResultFile& file, const RunSpec& spec, NationalRuns prior, std::size_t first,
                          std::size_t last, const std::atomic<bool>& stop,
                          const std::function<void(std::uint64_t)>& on_task, sim::TaskProgress* progress = nullptr);

}  // namespace breachsim::models
