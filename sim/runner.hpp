// SPDX-License-Identifier: MIT
#pragma once
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cstddef>

// ThreadSanitizer builds (scripts/sanitize thread) tell it about TBB's synchronisation.
#if defined(__SANITIZE_THREAD__)
#define BREACHSIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BREACHSIM_TSAN 1
#endif
#endif
#ifdef BREACHSIM_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace breachsim::sim {

// The ordering a parallel_for guarantees, said to ThreadSanitizer: what the caller wrote
// before the loop happens before every task, and every task before what the caller does after
// it. TBB provides both, but in libtbb.so (the spawn and the wait), which Debian does not build
// with TSan, so without these it reports races on every result slot a task writes and the
// caller reads. Compiled to nothing in every other build.
class ForkJoin {
 public:
  void fork() { release(&spawned_); }    // the caller, before the loop
  void task_begins() { acquire(&spawned_); }
  void task_ends() { release(&joined_); }
  void joined() { acquire(&joined_); }   // the caller, after the loop returned or threw

  // Brackets one task's body (exceptions included).
  struct Task {
    explicit Task(ForkJoin& fj) : fj_(fj) { fj_.task_begins(); }
    ~Task() { fj_.task_ends(); }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ForkJoin& fj_;
  };

 private:
#ifdef BREACHSIM_TSAN
  static void release(char* at) { __tsan_release(at); }
  static void acquire(char* at) { __tsan_acquire(at); }
#else
  static void release(char*) {}
  static void acquire(char*) {}
#endif
  char spawned_ = 0, joined_ = 0;
};

// body(i) for every i in [0, n), in parallel in the current task arena; returns when all
// are done. Each body must write only its own slots.
template <class Body>
void parallel_for_each_index(std::size_t n, Body&& body) {
  ForkJoin fj;
  fj.fork();
  struct Joined {
    ForkJoin& fj;
    ~Joined() { fj.joined(); }
  } joined{fj};
  tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
    const ForkJoin::Task task(fj);
    body(i);
  });
}

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
    parallel_for_each_index(static_cast<std::size_t>(workers), [&](std::size_t) {
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
