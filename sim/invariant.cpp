// SPDX-License-Identifier: MIT
#include "sim/invariant.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sim/calendar.hpp"

namespace breachsim::sim {

namespace {

// What this thread is working on. Thread-local because the trusts of one task run on several
// threads and one thread runs many tasks; read only to word a failure, never by a result.
struct ThreadWork {
  const TaskContext* task = nullptr;
  std::string_view unit;
  const Time* now = nullptr;
};

ThreadWork& work() {
  thread_local ThreadWork w;
  return w;
}

std::string when(const TaskContext* task, Time now) {
  std::ostringstream out;
  if (task && task->calendar) {
    const double minute_of_day = time_of_day(now);
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(minute_of_day / 60.0) % 24,
                  static_cast<int>(std::fmod(minute_of_day, 60.0)));
    out << format_date(task->calendar->date_at(now)) << " " << clock << ", ";
  }
  out.precision(12);
  out << "day " << static_cast<long long>(std::floor(to_days(now))) + 1 << " of the simulation, warm-up included (t = "
      << now << " min)";
  return out.str();
}

}  // namespace

TaskScope::TaskScope(const TaskContext* task, std::string_view unit) : task_(work().task), unit_(work().unit) {
  work().task = task;
  work().unit = unit;
}

TaskScope::~TaskScope() {
  work().task = task_;
  work().unit = unit_;
}

const Time* publish_clock(const Time* now) {
  const Time* before = work().now;
  work().now = now;
  return before;
}

std::string failure_context(Time now) {
  const ThreadWork& w = work();
  if (std::isnan(now) && w.now) now = *w.now;
  std::ostringstream out;
  out << "\n  in: " << (w.unit.empty() ? std::string_view("(no unit named)") : w.unit);
  out << "\n  when: " << (std::isnan(now) ? std::string("(no simulated time known)") : when(w.task, now));
  if (!w.task) {
    out << "\n  task: (none named: not run by a task runner)";
    return out.str();
  }
  out << "\n  task: " << (w.task->task.empty() ? "" : w.task->task + ", ") << "replication " << w.task->replication
      << ", seed " << w.task->seed;
  out << "\n  rerun this task alone: " << (w.task->rerun.empty() ? "(no command known)" : w.task->rerun);
  return out.str();
}

void invariant_failed(const std::string& what, Time now) {
  throw InvariantError("invariant broken: " + what + failure_context(now));
}

void time_went_back(Time event, Time now) {
  std::ostringstream msg;
  msg.precision(12);
  msg << "time went backwards: an event at t = " << event << " min was next while the clock read " << now << " min";
  invariant_failed(msg.str(), now);
}

}  // namespace breachsim::sim
