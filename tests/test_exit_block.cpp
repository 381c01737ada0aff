// SPDX-License-Identifier: MIT
// Exit block: inpatients leave in a daytime discharge window, early discharges need the day's
// senior review and are rationed, so beds run out overnight and admitted A&E patients wait
// (docs/sources.md §8, "Exit block"). Small hand-built wards where every time can be worked out.
#include <catch2/catch.hpp>

#include <vector>

#include "models/care/trust.hpp"
#include "models/care/wards.hpp"
#include "models/run/run.hpp"
#include "models/run/scenario.hpp"
#include "tests/wards_any_hour.hpp"

using namespace breachsim;

namespace {

constexpr double hour = 60.0, day = 1440.0;

// One-bed (or few-bed) wards whose emergency stays last exactly `stay_hours`, with no
// readmissions, delays or zero-day stays unless a test asks for them.
models::BedParams ward(int beds, double stay_hours) {
  models::BedParams p;
  p.general_acute_beds = beds;
  p.emergency_zero_day_share = 0.0;
  p.emergency_stay_days = {sim::Distribution::Kind::constant, stay_hours / 24.0, 0, 0, {}, {}, {}};
  p.emergency_stay_by_month.assign(12, 1.0);  // no seasons: stays of exactly stay_hours
  p.infection_closed_share_by_month.assign(12, 0.0);
  p.delayed_transfer_share = 0.0;
  p.readmission_share_after_emergency = 0.0;
  p.readmission_share_after_elective = 0.0;
  p.mixed_sex_share_at_last_bed = 0.0;
  p.discharge_window_opens_hour = 8.0;
  p.discharge_window_closes_hour = 20.0;
  p.out_of_hours_discharge_share = 0.0;
  p.held_discharge_spread_hours = 0.0;
  p.early_discharge_hours = 24.0;
  p.early_discharge_daily_limit_share = 0.0;
  return p;
}

// The wards alone: emergency patients ask for a bed at chosen times (request i is patient i),
// and every free bed goes to those waiting, as Trust::admit_waiting does.
struct Harness {
  explicit Harness(const models::BedParams& p) : setup(p, 14.0), wards(setup, sim::StreamKey{7, 0, 0}) {}

  void request_at(double t) {
    const auto id = static_cast<std::uint32_t>(admitted.size());
    admitted.push_back(-1.0);
    requested.push_back(t);
    sim.schedule(t, sim::Priority::arrival, {models::TrustEventKind::ed_arrival, id});
  }
  void on_event(const models::TrustEvent& e, models::TrustSimulator& s) {
    if (e.kind == models::TrustEventKind::bed_discharge) wards.discharge(s);
    else wards.request_emergency(e.id, false, s);
    std::uint32_t slot;
    while (wards.next_emergency(slot, s.now())) {
      admitted[slot] = s.now();
      wards.admit_emergency(slot, s);
    }
  }
  void run_until(double t) { sim.run_until(t, *this); }
  // Waits from the request (the decision to admit) to the bed, over 12 hours.
  int trolley_waits_12h() const {
    int n = 0;
    for (std::size_t i = 0; i < admitted.size(); ++i)
      if (admitted[i] > requested[i] + 12.0 * hour) ++n;
    return n;
  }

  models::WardSetup setup;
  models::Wards wards;
  models::TrustSimulator sim;
  std::vector<double> requested, admitted;
};

}  // namespace

TEST_CASE("a stay planned to end outside the discharge window ends when it opens", "[wards][exit_block]") {
  // Admitted at 10:00 for 12 hours: planned to leave at 22:00, after the window closes.
  SECTION("held to 08:00 the next day") {
    Harness h(ward(1, 12.0));
    h.request_at(10 * hour);
    h.run_until(day + 8 * hour - 1.0);
    CHECK(h.wards.occupied() == 1);
    h.run_until(day + 8 * hour + 1.0);
    CHECK(h.wards.occupied() == 0);
    const auto m = h.wards.close_month(day + 9 * hour);
    CHECK(m.discharges == 1);
    CHECK(m.held_discharges == 1);
    // 22 hours in the bed, not 12.
    CHECK(m.occupied_bed_minutes == Approx(22 * hour));
  }
  SECTION("spread over the morning, a held stay ends between 08:00 and 12:00") {
    auto p = ward(1, 12.0);
    p.held_discharge_spread_hours = 4.0;
    Harness h(p);
    h.request_at(10 * hour);
    h.run_until(day + 8 * hour);
    CHECK(h.wards.occupied() == 1);
    h.run_until(day + 12 * hour);
    CHECK(h.wards.occupied() == 0);
    const double minutes = h.wards.close_month(day + 13 * hour).occupied_bed_minutes;
    CHECK(minutes > 22 * hour);
    CHECK(minutes < 26 * hour);
  }
  SECTION("a window of the whole day lets it go at 22:00") {
    auto p = ward(1, 12.0);
    p.discharge_window_opens_hour = 0.0;
    p.discharge_window_closes_hour = 24.0;
    Harness h(p);
    h.request_at(10 * hour);
    h.run_until(22 * hour + 1.0);
    CHECK(h.wards.occupied() == 0);
    CHECK(h.wards.close_month(day).held_discharges == 0);
  }
  SECTION("those who leave out of hours anyway leave on time") {
    auto p = ward(1, 12.0);
    p.out_of_hours_discharge_share = 1.0;
    Harness h(p);
    h.request_at(10 * hour);
    h.run_until(22 * hour + 1.0);
    CHECK(h.wards.occupied() == 0);
  }
  SECTION("a stay planned to end inside the window ends on time") {
    Harness h(ward(1, 12.0));
    h.request_at(6 * hour);  // leaves at 18:00
    h.run_until(18 * hour - 1.0);
    CHECK(h.wards.occupied() == 1);
    h.run_until(18 * hour + 1.0);
    CHECK(h.wards.occupied() == 0);
  }
  SECTION("zero-day stays are ambulatory and end at any hour") {
    auto p = ward(1, 12.0);
    p.emergency_zero_day_share = 1.0;
    p.zero_day_stay_hours = {sim::Distribution::Kind::constant, 12.0, 0, 0, {}, {}, {}};
    Harness h(p);
    h.request_at(10 * hour);
    h.run_until(22 * hour + 1.0);
    CHECK(h.wards.occupied() == 0);
  }
  SECTION("a day case goes home at any hour; an inpatient stay waits for the morning") {
    auto p = ward(2, 12.0);
    p.elective_day_case_share = 1.0;
    p.zero_day_stay_hours = {sim::Distribution::Kind::constant, 12.0, 0, 0, {}, {}, {}};
    const models::WardSetup day_cases(p, 14.0);
    p.elective_day_case_share = 0.0;
    p.elective_stay_days = {sim::Distribution::Kind::constant, 0.5, 0, 0, {}, {}, {}};
    const models::WardSetup inpatients(p, 14.0);
    for (const auto* setup : {&day_cases, &inpatients}) {
      models::Wards wards(*setup, sim::StreamKey{7, 0, 0});
      models::TrustSimulator s;
      struct Discharges {
        models::Wards& w;
        void on_event(const models::TrustEvent&, models::TrustSimulator& sim) { w.discharge(sim); }
      } model{wards};
      s.run_until(10 * hour, model);
      REQUIRE(wards.admit_elective(1, s));
      s.run_until(22 * hour + 1.0, model);
      CHECK(wards.occupied() == (setup == &day_cases ? 0 : 1));
    }
  }
}

TEST_CASE("early discharges wait for the day", "[wards][exit_block]") {
  // One bed, stays of a day. A is admitted at noon (due out at noon the next day); B needs
  // the bed at 23:00. A is due within 24 hours, so without a window A leaves at once; with
  // one, nobody is sent home at night and B waits for the morning round at 08:00.
  for (bool window : {true, false}) {
    auto p = ward(1, 24.0);
    if (!window) {
      p.discharge_window_opens_hour = 0.0;
      p.discharge_window_closes_hour = 24.0;
    }
    Harness h(p);
    h.request_at(12 * hour);
    h.request_at(23 * hour);
    h.run_until(3 * day);
    INFO("window " << window);
    CHECK(h.admitted[0] == 12 * hour);
    CHECK(h.admitted[1] == (window ? day + 8 * hour : 23 * hour));
    CHECK(h.wards.close_month(3 * day).early_discharges == 1);
  }
}

TEST_CASE("a full ward overnight makes trolley waits over 12 hours", "[wards][exit_block][trolley]") {
  // One bed, stays of a day, at most one early discharge a day (a limit of 1 x 1 bed).
  //   12:00  P takes the free bed (due 12:00 next day).
  //   19:00  Q1: P goes home early (the day's one), Q1 takes the bed (due 19:00 next day).
  //   19:30  Q2 waits: the day's early discharge is spent.
  //   21:00  Q3 waits: the window is closed.
  //   08:00  the round: Q1 goes early (the new day's one), Q2 is admitted after 12.5 hours.
  //   08:00+1 Q2 is due out at 08:00 the day after (inside the window), so Q3 waits 35 hours.
  auto p = ward(1, 24.0);
  p.early_discharge_daily_limit_share = 1.0;
  Harness h(p);
  for (double t : {12 * hour, 19 * hour, 19.5 * hour, 21 * hour}) h.request_at(t);
  h.run_until(4 * day);
  CHECK(h.admitted[0] == 12 * hour);
  CHECK(h.admitted[1] == 19 * hour);
  CHECK(h.admitted[2] == day + 8 * hour);
  CHECK(h.admitted[3] == 2 * day + 8 * hour);
  CHECK(h.trolley_waits_12h() == 2);
  const auto m = h.wards.close_month(4 * day);
  CHECK(m.early_discharges == 2);

  // The model before exit block: every request met at once by an early discharge.
  testing::without_window(p);
  Harness before(p);
  for (double t : {12 * hour, 19 * hour, 19.5 * hour, 21 * hour}) before.request_at(t);
  before.run_until(4 * day);
  for (std::size_t i = 0; i < before.admitted.size(); ++i) CHECK(before.admitted[i] == before.requested[i]);
}

namespace {

struct TrustWaits {
  double admissions = 0, over_12h = 0, early = 0, held = 0, occupied = 0, open = 0;
};

TrustWaits run_trust(double beds, bool window, std::uint32_t replication = 0) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 3;
  s.scenario.warmup_months = 1;
  models::TrustParams t;
  t.name = "T";
  t.beds.general_acute_beds = beds;
  if (!window) testing::without_window(t.beds);
  t.staffing.beds_per_nurse_wte = 1e6;  // every physical bed staffed
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{41, replication, 0});
  TrustWaits w;
  for (int m = -1; m < 3; ++m) {
    const auto tm = trust.run_month(setup.calendar.month_start(m + 1));
    if (m < 0) continue;
    w.admissions += static_cast<double>(tm.ed.admissions);
    w.over_12h += static_cast<double>(tm.ed.trolley_waits_12h);
    w.early += static_cast<double>(tm.wards.early_discharges);
    w.held += static_cast<double>(tm.wards.held_discharges);
    w.occupied += tm.wards.occupied_bed_minutes;
    w.open += tm.wards.open_bed_minutes;
  }
  return w;
}

}  // namespace

TEST_CASE("a tight trust has 12-hour trolley waits with the discharge window and none without", "[wards][exit_block][trolley]") {
  // A trust short of beds in winter (January-March, about 99% occupied): with discharges at any
  // hour and no limit on early ones, an inpatient due out within a day always makes room; with
  // the default window and limit the wards fill overnight and some admitted patients wait more
  // than 12 hours (about 4% of admissions with this seed).
  const TrustWaits before = run_trust(640.0, false);
  const TrustWaits after = run_trust(640.0, true);
  INFO("without window: 12 h " << before.over_12h << ", early " << before.early << "; with: 12 h " << after.over_12h
                               << ", early " << after.early << ", held " << after.held);
  CHECK(before.over_12h == 0.0);
  CHECK(before.held == 0.0);
  CHECK(after.over_12h > 0.0);
  CHECK(after.over_12h < 0.2 * after.admissions);
  CHECK(after.held > 0.0);
  // Held stays keep beds a little longer: occupancy rises.
  CHECK(after.occupied / after.open > before.occupied / before.open);
}
