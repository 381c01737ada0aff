// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/time.hpp"

// Invariants: what must hold whatever the model does (the clock never goes back, capacities
// are never negative, patients and pounds are conserved), and who broke one.
//
// Checked when `invariants_checked` is true: in builds without NDEBUG (Debug and the sanitizer
// builds) and in any build configured with -DBREACHSIM_INVARIANTS=ON. Call sites test it with
// `if constexpr`, so a Release build compiles the checks away and its hot paths are the code
// they were; the checks still compile everywhere, so they cannot rot.
//
// A broken invariant throws InvariantError with one report: what broke and its values, the
// unit (a trust) and the simulated time, the task (replication, seed) and the command that
// reruns that task alone. The engine knows nothing of trusts or command lines: whoever runs
// a task says so with a TaskScope, read only when a check fails.
namespace breachsim::sim {

#if defined(BREACHSIM_INVARIANTS) || !defined(NDEBUG)
inline constexpr bool invariants_checked = true;
#else
inline constexpr bool invariants_checked = false;
#endif

class Calendar;

// Thrown when a kernel invariant breaks; carries the simulated time and what was attempted
// so the failing task can be found and rerun alone.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A checked invariant broke: what() is the whole report (invariant_failed). Only main() turns
// it into an exit code; a debugger stops at the throw with `catch throw`.
class InvariantError : public SimulationError {
 public:
  using SimulationError::SimulationError;
};

// One task of a run, as its failure report names it. Built once per task by whoever runs it.
struct TaskContext {
  std::uint64_t seed = 0;
  std::uint32_t replication = 0;
  std::string task;                    // which task of the run besides its replication, e.g. "point 1 'fines on'"
  std::string rerun;                   // a command that reruns this task alone; empty: none known
  const Calendar* calendar = nullptr;  // to print simulated times as dates
};

// Says, for as long as it lives, that this thread works on `task` and within it on `unit` (a
// trust, "the month end"). Scopes nest and restore what they replace: a thread waiting on a
// parallel loop may run another task's work meanwhile. Both must outlive the scope. Costs two
// thread-local stores, so it belongs around a task or a month, never an event.
class TaskScope {
 public:
  TaskScope(const TaskContext* task, std::string_view unit);
  ~TaskScope();
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

 private:
  const TaskContext* task_;
  std::string_view unit_;
};

// Makes `now` this thread's simulated clock and returns the one it replaces.
const Time* publish_clock(const Time* now);

// For as long as it lives, `now` is this thread's simulated clock, read when a check that
// knows no time (a resource's) fails. The simulator sets it around each run_until; in a build
// that checks nothing it is nothing.
class ClockScope {
 public:
  explicit ClockScope(const Time* now) {
    if constexpr (invariants_checked) saved_ = publish_clock(now);
  }
  ~ClockScope() {
    if constexpr (invariants_checked) publish_clock(saved_);
  }
  ClockScope(const ClockScope&) = delete;
  ClockScope& operator=(const ClockScope&) = delete;

 private:
  const Time* saved_ = nullptr;
};

inline constexpr Time unknown_time = std::numeric_limits<Time>::quiet_NaN();

// The lines that place a failure: where (the unit), when (simulated, as a date when the task
// has a calendar), the task, and how to rerun it. `now` unknown: the thread's clock, if any.
std::string failure_context(Time now = unknown_time);

// Throws InvariantError: "invariant broken: <what>" then failure_context(now).
[[noreturn]] void invariant_failed(const std::string& what, Time now = unknown_time);

// The engine's own checks: inline tests, out-of-line reports, so a Debug build stays quick.
// An event popped at `event` while the clock reads `now`: time would go backwards.
[[noreturn]] void time_went_back(Time event, Time now);
inline void check_time_order(Time event, Time now) {
  if (!(event >= now)) time_went_back(event, now);
}

}  // namespace breachsim::sim
