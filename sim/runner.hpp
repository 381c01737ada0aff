// SPDX-License-Identifier: MIT
#pragma once
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cstddef>

namespace breachsim::sim {

// Runs task(i) for every i in [0, n) on at most `threads` threads (0: all cores). Each task
// must write only its own result slot; nothing is combined here, so results do not depend
// on which thread ran which task. An exception from any task stops the others from starting
// new tasks and propagates to the caller. Tasks start in index order (each worker takes the
// next index), so they also finish roughly in order: a sink filling chunks of consecutive
// tasks keeps few of them open.
template <class Task>
void run_tasks(std::size_t n, int threads, Task&& task) {
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};  // a running loop is not cancelled by TBB: it must stop itself
  arena.execute([&] {
    const int workers = arena.max_concurrency();
    tbb::parallel_for(0, workers, [&](int) {
      for (std::size_t i = next++; i < n && !failed; i = next++) {
        try {
          task(i);
        } catch (...) {
          failed = true;
          throw;
        }
      }
    });
  });
}

inline int default_concurrency() { return tbb::this_task_arena::max_concurrency(); }

}  // namespace breachsim::sim
