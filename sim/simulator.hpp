// SPDX-License-Identifier: MIT
#pragma once
#include <sstream>

#include "sim/event_calendar.hpp"
#include "sim/invariant.hpp"

namespace breachsim::sim {

// One logical process: a clock and its pending events. The model is a template parameter,
// so dispatch is a direct (inlinable) call rather than a virtual one.
//
// The model contract is one callback:
//   void on_event(const Payload& what, Simulator<Payload>& sim)
//     called once for each event, in (time, priority, sequence) order, with now() already
//     advanced to the event's time. It may schedule and cancel events at or after now().
template <class Payload>
class Simulator {
 public:
  Time now() const { return now_; }
  // The clock itself, for a ClockScope around work outside run_until (a month start).
  const Time* clock() const { return &now_; }

  EventHandle schedule(Time at, Priority priority, const Payload& what) {
    if (!(at >= now_)) {
      std::ostringstream msg;
      msg << "event scheduled in the past: at " << at << " min while now is " << now_ << " min";
      throw SimulationError(msg.str());
    }
    return calendar_.push(at, priority, what);
  }

  bool cancel(EventHandle h) { return calendar_.cancel(h); }

  // Runs every event strictly before `end`, then sets the clock to `end`. Events at exactly
  // `end` belong to the next period and stay pending.
  template <class Model>
  std::uint64_t run_until(Time end, Model& model) {
    if (!(end >= now_)) {
      std::ostringstream msg;
      msg << "run_until(" << end << " min) would move the clock back from " << now_ << " min";
      throw SimulationError(msg.str());
    }
    const ClockScope clock(&now_);  // for checks that know no time (sim/invariant.hpp)
    std::uint64_t count = 0;
    while (!calendar_.empty() && calendar_.next_time() < end) {
      const auto e = calendar_.pop();
      if constexpr (invariants_checked) check_time_order(e.time, now_);
      now_ = e.time;
      model.on_event(e.payload, *this);
      ++count;
    }
    now_ = end;
    events_ += count;
    return count;
  }

  std::size_t pending() const { return calendar_.size(); }
  std::uint64_t events_processed() const { return events_; }
  void reserve(std::size_t n) { calendar_.reserve(n); }

 private:
  EventCalendar<Payload> calendar_;
  Time now_ = 0.0;
  std::uint64_t events_ = 0;
};

}  // namespace breachsim::sim
