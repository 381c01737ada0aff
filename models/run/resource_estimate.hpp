// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <string>

#include "models/run/scenario.hpp"

// What a run will take, known from its config before anything is built: memory, events and
// time. The figures are rates measured on this code (docs/architecture.md, "Memory and
// time"); they describe a run whose queues stay within the scenario's capacity. A queue that
// grows without bound (demand above capacity) grows memory with it, which no estimate made
// before the run can know; the summary says so afterwards (models/run/summary.hpp).
namespace breachsim::models {

struct ResourceEstimate {
  double base_bytes = 0;        // the program and its libraries
  double scenario_bytes = 0;    // every point's scenario and compiled tables (the calendar's hourly profiles)
  double task_bytes = 0;        // one task: every trust's patients, lists and queues
  std::size_t tasks_at_once = 0;
  double results_bytes = 0;     // the finished tasks' national values kept for the summary
  double writer_bytes = 0;      // the result file's chunks being filled (HDF5's chunk cache)
  double peak_bytes = 0;        // all of it: what the process is expected to reach
  double events = 0;            // simulated by the whole run (its first batch, with the calculator)
  double thread_seconds = 0;    // of work, summed over threads
  double seconds = 0;           // wall time on `threads`
  double tasks = 0;             // (point, replication) tasks the work is spread over
  int threads = 0;

  // "about 480 MB (2 tasks at once of 177 MB each, the scenario 121 MB, the writer 24 MB)",
  // `noun` after the figure
  std::string memory(const std::string& noun = "") const;
  // "59 million events, about 1 min on 2 threads"
  std::string work() const;
  // The advice for a run that does not fit: what to cut, the largest part first.
  std::string advice() const;
  // The work of `tasks` of the run's `total` (a shard, a resumed run, --task): events and time
  // in proportion, the time on as many threads as there are tasks to share them. Memory is
  // the whole run's, which is what one process of it holds.
  ResourceEstimate share(std::size_t tasks, std::size_t total) const;
};

// `threads`: the worker threads the run would use (0: every core). Replications are the
// config's (with the replication calculator, memory for max_replications and time for the
// first batch).
ResourceEstimate estimate_resources(const Sweep& sweep, int threads);

// The simulated months of the sweep's distinct hourly rate tables (ED arrivals, elective and
// cancer referrals): plan_run shares equal tables across points and trusts, and equal inputs
// on one calendar give equal tables (arrival_rate_inputs, referral_rate_inputs).
double rate_table_months(const Sweep& sweep);

// The memory reading `bytes` of YAML takes (yaml-cpp's node tree): about 110 bytes per byte
// of text, measured on a 30 MB list (3.2 GB).
double config_reading_bytes(std::uint64_t bytes);

}  // namespace breachsim::models
