// SPDX-License-Identifier: MIT
#include "sim/event_calendar.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/priority.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"

using namespace breachsim::sim;

namespace {

constexpr Priority all_priorities[] = {Priority::release, Priority::capacity, Priority::arrival,
                                       Priority::seize, Priority::observe};

int rank(Priority p) { return static_cast<int>(p); }

// Records every event it is given, with the clock at that moment.
struct Recorder {
  std::vector<std::pair<Time, int>> seen;
  void on_event(const int& what, Simulator<int>& sim) { seen.emplace_back(sim.now(), what); }
};

}  // namespace

TEST_CASE("Priority names the same-instant order: free, resize, arrive, take, observe", "[event]") {
  CHECK(rank(Priority::release) < rank(Priority::capacity));
  CHECK(rank(Priority::capacity) < rank(Priority::arrival));
  CHECK(rank(Priority::arrival) < rank(Priority::seize));
  CHECK(rank(Priority::seize) < rank(Priority::observe));
}

TEST_CASE("EventCalendar pops by time, then priority, then scheduling order", "[event]") {
  // 70000 events on 50 distinct times and 5 priorities: about 280 exact ties per (time,
  // priority) pair, so any dependence on heap layout would show; more than 2^16 events, so
  // sequence numbers outgrow 16 bits and must not spill into the priority's part of the key.
  // The reference order is a stable sort on (time, priority) of the scheduling order, which
  // is the documented policy.
  struct Item {
    Time time;
    Priority priority;
    int id;
  };
  RandomStream rng({99, 0, 0}, 0, 0);
  std::vector<Item> items;
  EventCalendar<int> cal;
  for (int id = 0; id < 70000; ++id) {
    const Time t = std::floor(rng.uniform() * 50.0) * 0.25;
    const Priority p = all_priorities[static_cast<std::size_t>(rng.uniform() * 5.0)];
    items.push_back({t, p, id});
    cal.push(t, p, id);
  }
  std::vector<Item> reference = items;
  std::stable_sort(reference.begin(), reference.end(), [](const Item& a, const Item& b) {
    return std::make_tuple(a.time, rank(a.priority)) < std::make_tuple(b.time, rank(b.priority));
  });
  REQUIRE(cal.size() == items.size());
  std::vector<int> popped;
  while (!cal.empty()) {
    const Time next = cal.next_time();
    const auto e = cal.pop();
    CHECK(e.time == next);
    popped.push_back(e.payload);
  }
  std::vector<int> expected;
  for (const Item& i : reference) expected.push_back(i.id);
  CHECK(popped == expected);
}

// The calendar orders times by their bits (tie-broken by priority and sequence in the same
// 128-bit number): this holds only for non-negative doubles, so check the edges: zero of
// either sign, subnormals, neighbouring doubles, and times far apart in exponent.
TEST_CASE("EventCalendar orders times across magnitudes and returns them exactly", "[event]") {
  const Time times[] = {1e12, 1.5, std::nextafter(1.5, 2.0), 0.0, 4.9e-324, 1440.0, -0.0,
                        std::nextafter(1440.0, 0.0), 2.2250738585072014e-308, 525600.0};
  EventCalendar<int> cal(GENERATE(1440.0, 1e-3));
  for (int i = 0; i < 10; ++i) cal.push(times[i], Priority::arrival, i);
  cal.push(1.5, Priority::release, 10);  // same time, earlier priority: before event 1
  std::vector<Time> popped_times;
  std::vector<int> popped;
  while (!cal.empty()) {
    const auto e = cal.pop();
    popped_times.push_back(e.time);
    popped.push_back(e.payload);
  }
  CHECK(popped == std::vector<int>{3, 6, 4, 8, 10, 1, 2, 7, 5, 9, 0});
  CHECK(std::is_sorted(popped_times.begin(), popped_times.end()));
  for (std::size_t k = 0; k < popped.size(); ++k) {
    const Time pushed = popped[k] == 10 ? 1.5 : times[popped[k]];
    CHECK(popped_times[k] == pushed);  // exact; -0.0 comes back as 0.0, which compares equal
  }
}

TEST_CASE("EventCalendar agrees with an ordered-set model under mixed push, pop and cancel", "[event]") {
  // A random workload that keeps the heap between a few and a few thousand entries, with
  // stale (cancelled) entries sitting inside it, against std::map keyed by the policy.
  using Key = std::tuple<Time, int, std::uint64_t>;  // time, priority, scheduling order
  std::map<Key, std::pair<int, EventHandle>> model;
  std::vector<std::pair<Key, EventHandle>> issued;  // every handle ever issued, live or not
  // Times span 200: one window holds them all, or events cross from the far heap often.
  const Time window = GENERATE(1440.0, 10.0, 0.5);
  EventCalendar<int> cal(window);
  RandomStream rng({7, 0, 0}, 1, 0);
  std::uint64_t order = 0;
  int next_id = 0;
  long mismatches = 0;
  long cancels_true = 0;
  for (int step = 0; step < 60000; ++step) {
    const double u = rng.uniform();
    const double bias = step < 30000 ? 0.55 : 0.35;  // grow, then drain
    if (u < bias || model.empty()) {
      const Time t = std::floor(rng.uniform() * 200.0);
      const Priority p = all_priorities[static_cast<std::size_t>(rng.uniform() * 5.0)];
      const EventHandle h = cal.push(t, p, next_id);
      const Key k{t, rank(p), order++};
      model.emplace(k, std::make_pair(next_id++, h));
      issued.emplace_back(k, h);
    } else if (u < bias + 0.15) {
      // Cancel a random handle ever issued: live ones must succeed, stale ones must fail.
      const auto& [k, h] = issued[static_cast<std::size_t>(rng.uniform() * static_cast<double>(issued.size()))];
      const bool live = model.count(k) == 1;
      const bool cancelled = cal.cancel(h);
      if (cancelled != live) ++mismatches;
      if (live) {
        model.erase(k);
        ++cancels_true;
      }
    } else {
      const auto e = cal.pop();
      if (e.payload != model.begin()->second.first) ++mismatches;
      model.erase(model.begin());
    }
    if (cal.size() != model.size() || cal.empty() != model.empty()) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(cancels_true > 1000);  // the workload really exercised cancellation
  while (!model.empty()) {
    CHECK(cal.pop().payload == model.begin()->second.first);
    model.erase(model.begin());
  }
  CHECK(cal.empty());
}

TEST_CASE("EventCalendar cancel succeeds once and never for a fired event", "[event]") {
  EventCalendar<int> cal;
  const EventHandle a = cal.push(1.0, Priority::arrival, 1);
  const EventHandle b = cal.push(2.0, Priority::arrival, 2);
  const EventHandle c = cal.push(3.0, Priority::arrival, 3);
  CHECK(cal.size() == 3);
  CHECK(cal.cancel(b));
  CHECK(cal.size() == 2);
  CHECK_FALSE(cal.cancel(b));
  CHECK(cal.size() == 2);
  CHECK(cal.pop().payload == 1);
  CHECK_FALSE(cal.cancel(a));  // already fired
  CHECK(cal.size() == 1);
  CHECK(cal.next_time() == 3.0);  // the cancelled event at 2.0 is skipped
  CHECK(cal.pop().payload == 3);
  CHECK_FALSE(cal.cancel(c));
  CHECK(cal.empty());
  CHECK_FALSE(cal.cancel(EventHandle{}));  // a default handle names no event
}

TEST_CASE("EventCalendar keeps the order of events at exactly the horizon", "[event]") {
  // Popping the event at 0 sets the horizon to 0 + 10: the event at 10 stays far, so one
  // pushed later at 10 with an earlier priority still comes first.
  EventCalendar<int> cal(10.0);
  cal.push(0.0, Priority::arrival, 1);
  cal.push(10.0, Priority::arrival, 2);
  CHECK(cal.pop().payload == 1);
  cal.push(10.0, Priority::release, 3);
  cal.push(9.5, Priority::observe, 4);  // before the horizon: near, and first
  CHECK(cal.pop().payload == 4);
  CHECK(cal.pop().payload == 3);
  CHECK(cal.pop().payload == 2);
  CHECK(cal.empty());
}

TEST_CASE("EventCalendar brings far events over where a window no longer adds to the time", "[event]") {
  // 1e300 + 1440 is 1e300: the horizon must still move past the earliest far event.
  EventCalendar<int> cal;
  cal.push(1e300, Priority::arrival, 1);
  cal.push(1e300, Priority::release, 2);
  cal.push(std::nextafter(1e300, 2e300), Priority::release, 3);
  CHECK(cal.pop().payload == 2);
  cal.push(1e300, Priority::capacity, 4);  // same time, pushed after the crossing: before event 1
  CHECK(cal.pop().payload == 4);
  CHECK(cal.pop().payload == 1);
  CHECK(cal.pop().payload == 3);
  CHECK(cal.empty());
}

TEST_CASE("EventCalendar rejects a window that is not positive", "[event]") {
  CHECK_THROWS_AS(EventCalendar<int>(0.0), std::invalid_argument);
  CHECK_THROWS_AS(EventCalendar<int>(std::nan("")), std::invalid_argument);
}

TEST_CASE("EventCalendar is empty when every pending event is cancelled", "[event]") {
  EventCalendar<int> cal;
  std::vector<EventHandle> handles;
  for (int i = 0; i < 10; ++i) handles.push_back(cal.push(static_cast<Time>(i), Priority::seize, i));
  for (const auto& h : handles) CHECK(cal.cancel(h));
  CHECK(cal.empty());
  CHECK(cal.size() == 0);
  // The stale entries still in the heap must not surface.
  cal.push(100.0, Priority::seize, 42);
  CHECK(cal.size() == 1);
  CHECK(cal.next_time() == 100.0);
  CHECK(cal.pop().payload == 42);
  CHECK(cal.empty());
}

TEST_CASE("A stale handle cannot cancel the event that reuses its slot", "[event]") {
  SECTION("slot freed by pop") {
    EventCalendar<int> cal;
    const EventHandle old = cal.push(1.0, Priority::arrival, 1);
    CHECK(cal.pop().payload == 1);
    const EventHandle fresh = cal.push(2.0, Priority::arrival, 2);
    REQUIRE(fresh.slot == old.slot);  // the slot really was reused
    CHECK_FALSE(cal.cancel(old));
    CHECK(cal.size() == 1);
    CHECK(cal.pop().payload == 2);
  }
  SECTION("slot freed by cancel") {
    EventCalendar<int> cal;
    const EventHandle old = cal.push(1.0, Priority::arrival, 1);
    cal.push(5.0, Priority::arrival, 5);
    CHECK(cal.cancel(old));
    // The cancelled entry is dropped (and its slot freed) when it surfaces.
    CHECK(cal.next_time() == 5.0);
    const EventHandle fresh = cal.push(2.0, Priority::arrival, 2);
    REQUIRE(fresh.slot == old.slot);
    CHECK_FALSE(cal.cancel(old));
    CHECK(cal.size() == 2);
    CHECK(cal.pop().payload == 2);
    CHECK(cal.pop().payload == 5);
  }
}

TEST_CASE("Simulator refuses to schedule in the past", "[event][simulator]") {
  Simulator<int> sim;
  Recorder model;
  sim.schedule(0.0, Priority::arrival, 0);  // at now is allowed
  sim.run_until(10.0, model);
  CHECK(sim.now() == 10.0);
  CHECK_THROWS_AS(sim.schedule(9.999, Priority::arrival, 1), SimulationError);
  CHECK_THROWS_AS(sim.schedule(std::nan(""), Priority::arrival, 1), SimulationError);
  CHECK_NOTHROW(sim.schedule(10.0, Priority::arrival, 2));
  CHECK(sim.pending() == 1);
}

TEST_CASE("Simulator refuses to run the clock backwards", "[event][simulator]") {
  // Otherwise events could be scheduled before instants already simulated.
  Simulator<int> sim;
  Recorder model;
  sim.run_until(100.0, model);
  CHECK_THROWS_AS(sim.run_until(50.0, model), SimulationError);
  CHECK_THROWS_AS(sim.run_until(std::nan(""), model), SimulationError);
  CHECK(sim.now() == 100.0);
  CHECK_NOTHROW(sim.run_until(100.0, model));
}

TEST_CASE("Simulator::run_until runs events strictly before the end", "[event][simulator]") {
  Simulator<int> sim;
  Recorder model;
  sim.schedule(3.0, Priority::arrival, 3);
  sim.schedule(10.0, Priority::release, 10);  // exactly at the end: belongs to the next period
  sim.schedule(12.0, Priority::arrival, 12);
  sim.schedule(std::nextafter(10.0, 0.0), Priority::observe, 9);
  CHECK(sim.run_until(10.0, model) == 2);
  CHECK(sim.now() == 10.0);
  CHECK(sim.pending() == 2);
  REQUIRE(model.seen.size() == 2);
  CHECK(model.seen[0] == std::make_pair(3.0, 3));
  CHECK(model.seen[1] == std::make_pair(std::nextafter(10.0, 0.0), 9));
  CHECK(sim.run_until(20.0, model) == 2);
  CHECK(sim.now() == 20.0);
  CHECK(sim.pending() == 0);
  CHECK(sim.events_processed() == 4);
  REQUIRE(model.seen.size() == 4);
  CHECK(model.seen[2] == std::make_pair(10.0, 10));
  CHECK(model.seen[3] == std::make_pair(12.0, 12));
}

namespace {

// Event codes: 1 = arrival that triggers more work at the same instant, 2..= plain markers.
struct Cascade {
  std::vector<std::pair<Time, int>> seen;
  EventHandle victim;
  void on_event(const int& what, Simulator<int>& sim) {
    seen.emplace_back(sim.now(), what);
    if (what == 1) {
      sim.schedule(sim.now(), Priority::observe, 92);
      sim.schedule(sim.now(), Priority::seize, 31);
      sim.schedule(sim.now(), Priority::seize, 32);
      sim.schedule(sim.now(), Priority::arrival, 21);
      CHECK(sim.cancel(victim));
    }
  }
};

}  // namespace

TEST_CASE("Events scheduled at now from on_event run in the same instant, in policy order", "[event][simulator]") {
  Simulator<int> sim;
  Cascade model;
  sim.schedule(5.0, Priority::observe, 91);  // scheduled first, but observe runs last
  sim.schedule(5.0, Priority::arrival, 1);
  model.victim = sim.schedule(5.0, Priority::seize, 99);
  sim.schedule(6.0, Priority::release, 60);
  sim.run_until(100.0, model);
  // At t = 5: the arrival, then the arrival it created (same priority, later sequence),
  // both seizes in scheduling order, then the observes in scheduling order; 99 was cancelled.
  const std::vector<std::pair<Time, int>> expected = {{5.0, 1},  {5.0, 21}, {5.0, 31}, {5.0, 32},
                                                      {5.0, 91}, {5.0, 92}, {6.0, 60}};
  CHECK(model.seen == expected);
  CHECK(sim.events_processed() == 7);
}
