// SPDX-License-Identifier: MIT
// The engine's invariants (sim/invariant.hpp): each broken on purpose, and its report naming
// the unit, the simulated time as a date, the task (replication, seed) and the command that
// reruns it. The checks themselves run in builds that check invariants (Debug, sanitizers,
// BREACHSIM_INVARIANTS=ON); the reports are tested in every build.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/calendar.hpp"
#include "sim/invariant.hpp"
#include "tests/invariant_report.hpp"
#include "sim/resource.hpp"
#include "sim/simulator.hpp"

using namespace breachsim;
using Catch::Matchers::Contains;

namespace {

// A task as a runner would name it: 2015-04-01 is the origin (no warm-up).
struct NamedTask {
  sim::Calendar calendar{sim::Date{2015, 4, 1}, 0, 12};
  sim::TaskContext context{20151, 17, "point 1 'fines on'", "breachsim run configs/default.yaml --task 1:17", &calendar};
};


// Lowers capacity below zero from inside an event, as a model with a bug might.
struct NegativeRoster {
  sim::ServerPool pool{1, 3, "A&E clinicians"};
  void on_event(int, sim::Simulator<int>&) { pool.set_capacity(-2); }
};

}  // namespace

TEST_CASE("a broken invariant's report names what broke, where, when, the task and its rerun", "[invariant]") {
  const NamedTask task;
  const sim::TaskScope scope(&task.context, "trust 'Northfield' (index 0)");
  // 2015-04-03 09:31: two days and 571 minutes after the origin.
  const std::string report = report_of([] { sim::check_time_order(2.0 * 1440.0 + 500.0, 2.0 * 1440.0 + 571.0); });
  CHECK_THAT(report, Contains("invariant broken: time went backwards: an event at t = 3380 min was next while the clock "
                              "read 3451 min"));
  CHECK_THAT(report, Contains("\n  in: trust 'Northfield' (index 0)"));
  CHECK_THAT(report, Contains("\n  when: 2015-04-03 09:31, day 3 of the simulation, warm-up included (t = 3451 min)"));
  CHECK_THAT(report, Contains("\n  task: point 1 'fines on', replication 17, seed 20151"));
  CHECK_THAT(report, Contains("\n  rerun this task alone: breachsim run configs/default.yaml --task 1:17"));
}

TEST_CASE("scopes nest and restore what they replace; outside any, the report says so", "[invariant]") {
  const NamedTask task;
  CHECK_THAT(sim::failure_context(), Contains("task: (none named"));
  {
    const sim::TaskScope outer(&task.context, "the month end");
    {
      const sim::TaskScope inner(&task.context, "trust 'Riverside' (index 1)");
      CHECK_THAT(sim::failure_context(), Contains("in: trust 'Riverside' (index 1)"));
    }
    CHECK_THAT(sim::failure_context(), Contains("in: the month end"));
    CHECK_THAT(sim::failure_context(), Contains("when: (no simulated time known)"));
  }
  CHECK_THAT(sim::failure_context(), Contains("in: (no unit named)"));
}

TEST_CASE("the clock never goes backwards, and times in order pass", "[invariant]") {
  CHECK_NOTHROW(sim::check_time_order(10.0, 10.0));
  CHECK_NOTHROW(sim::check_time_order(10.5, 10.0));
  CHECK_THROWS_AS(sim::check_time_order(9.0, 10.0), sim::InvariantError);
  CHECK_THROWS_AS(sim::check_time_order(std::nan(""), 10.0), sim::InvariantError);
}

TEST_CASE("a capacity set below zero inside an event is reported at the event's time", "[invariant]") {
  if constexpr (!sim::invariants_checked) {
    WARN("invariants are not checked in this build (Release without BREACHSIM_INVARIANTS)");
    return;
  }
  const NamedTask task;
  const sim::TaskScope scope(&task.context, "trust 'Westmoor' (index 2)");
  sim::Simulator<int> sim;
  NegativeRoster model;
  sim.schedule(1440.0 + 60.0, sim::Priority::capacity, 0);  // 2015-04-02 01:00
  try {
    sim.run_until(3.0 * 1440.0, model);
    FAIL("no InvariantError");
  } catch (const sim::InvariantError& e) {
    const std::string report = e.what();
    CHECK_THAT(report, Contains("invariant broken: A&E clinicians: counts out of range: capacity -2, busy 0"));
    CHECK_THAT(report, Contains("in: trust 'Westmoor' (index 2)"));
    CHECK_THAT(report, Contains("when: 2015-04-02 01:00, day 2"));
    CHECK_THAT(report, Contains("replication 17, seed 20151"));
  }
  // The clock scope ended with run_until: a later failure knows no time.
  CHECK_THAT(sim::failure_context(), Contains("when: (no simulated time known)"));
}

TEST_CASE("server pools within range pass their checks", "[invariant]") {
  sim::ServerPool pool(2, 1, "beds");
  CHECK(pool.request(1, 0));
  CHECK_FALSE(pool.request(2, 1));
  CHECK_NOTHROW(pool.set_capacity(0));  // busy above capacity after a fall is allowed
  CHECK_NOTHROW(pool.release());
  CHECK_NOTHROW(pool.set_capacity(1));
  std::uint32_t id = 0;
  CHECK(pool.start_next(id));
  CHECK(id == 2);
}
