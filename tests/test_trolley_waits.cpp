// SPDX-License-Identifier: MIT
// Decision to admit -> admission waits, counted in two bands: over 4 and at most 12 hours, and
// over 12 hours (the trolley wait the contract fined, docs/sources.md §2-3).
#include <catch2/catch.hpp>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"
#include "tests/wards_any_hour.hpp"

using namespace breachsim;

namespace {

struct Waits {
  double admissions = 0, over_4_to_12h = 0, over_12h = 0;
};

// `any_hour`: discharges at any hour and early discharges unlimited, the model before exit block.
Waits run(double beds, double early_discharge_hours, bool any_hour = false) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 2;
  s.scenario.warmup_months = 0;
  models::TrustParams t;
  t.name = "T";
  t.beds.general_acute_beds = beds;
  t.beds.early_discharge_hours = early_discharge_hours;
  if (any_hour) testing::without_window(t.beds);
  t.staffing.beds_per_nurse_wte = 1e6;  // every physical bed staffed
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{41, 0, 0});
  Waits w;
  for (int m = 0; m < 2; ++m) {
    const auto e = trust.run_month(setup.calendar.month_start(m + 1)).ed;
    w.admissions += static_cast<double>(e.admissions);
    w.over_4_to_12h += static_cast<double>(e.trolley_waits_4_12h);
    w.over_12h += static_cast<double>(e.trolley_waits_12h);
  }
  return w;
}

}  // namespace

TEST_CASE("admission waits are counted in exclusive bands of 4-12 and over 12 hours", "[ed][trolley]") {
  // One bed: after the first few, every admitted patient waits days for it, so nearly every
  // admission is in the over-12-hour band and almost none in the 4-12-hour one.
  const Waits one = run(1.0, 0.0);
  INFO("one bed: admissions " << one.admissions << ", 4-12 h " << one.over_4_to_12h << ", over 12 h " << one.over_12h);
  REQUIRE(one.admissions > 5.0);
  CHECK(one.over_12h >= one.admissions - 3.0);
  CHECK(one.over_4_to_12h + one.over_12h <= one.admissions);
  // A tight bed pool (about 97% occupied) with no early discharges: exit block, in both bands.
  const Waits tight = run(520.0, 0.0);
  INFO("520 beds: admissions " << tight.admissions << ", 4-12 h " << tight.over_4_to_12h << ", over 12 h "
                               << tight.over_12h);
  CHECK(tight.over_4_to_12h > 0.0);
  CHECK(tight.over_12h > 0.0);
  CHECK(tight.over_4_to_12h + tight.over_12h < tight.admissions);
}

TEST_CASE("early discharges at any hour find every admitted patient a bed at once in a full hospital", "[ed][trolley]") {
  // Why trusts had no trolley waits before exit block: whenever the wards were full, the
  // inpatient due out soonest left at once, at any hour, if due within early_discharge_hours,
  // and with dozens of discharges a day one always was. The same tight pool with 24 hours and
  // discharges at any hour has none; with the default discharge window (early discharges in
  // the day, at most 2% of the beds a day) patients wait again (tests/test_exit_block.cpp).
  const Waits blocked = run(560.0, 0.0, true);
  const Waits valve = run(560.0, 24.0, true);
  const Waits windowed = run(560.0, 24.0);
  CHECK(blocked.over_4_to_12h + blocked.over_12h > 0.0);
  CHECK(valve.over_4_to_12h == 0.0);
  CHECK(valve.over_12h == 0.0);
  CHECK(windowed.over_4_to_12h > 0.0);
  CHECK(windowed.over_12h > 0.0);
}
