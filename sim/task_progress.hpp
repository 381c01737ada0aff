// SPDX-License-Identifier: MIT
#pragma once
#include <atomic>
#include <cstdint>

namespace breachsim::sim {

// Work done inside tasks that are still running, for a progress display: a long task (one
// replication of England takes minutes) would otherwise show nothing until it ends. Tasks
// add to it at their own coarse steps (a simulation: each simulated month), never per event,
// so it costs one relaxed atomic add per step, shared by all tasks of a run. For display only:
// the order of additions across threads is arbitrary, so nothing in a result may read it.
struct TaskProgress {
  std::atomic<std::uint64_t> steps{0};   // steps finished, summed over tasks
  std::atomic<std::uint64_t> events{0};  // events processed in those steps

  void add(std::uint64_t step_count, std::uint64_t event_count) {
    steps.fetch_add(step_count, std::memory_order_relaxed);
    events.fetch_add(event_count, std::memory_order_relaxed);
  }
};

}  // namespace breachsim::sim
