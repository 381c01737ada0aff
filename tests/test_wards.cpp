// SPDX-License-Identifier: MIT
// Beds: exit block from A&E, lengths of stay, and the bookkeeping of patients.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"
#include "sim/stats.hpp"
#include "tests/queueing.hpp"
#include "tests/wards_any_hour.hpp"

using namespace breachsim;
using breachsim::testing::erlang_b;

namespace {

models::Scenario trust_with_beds(double beds, int months, int warmup_months = 0) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = months;
  s.scenario.warmup_months = warmup_months;
  models::TrustParams t;
  t.name = "T";
  t.beds.general_acute_beds = beds;
  t.staffing.beds_per_nurse_wte = 1e6;  // every physical bed staffed: beds are the question here
  t.elective.referrals_per_week = 0.0;  // emergency flow alone: electives have their own tests
  t.elective.initial_list = 0.0;
  t.cancer.urgent_referrals_per_week = 0.0;
  s.trusts.push_back(t);
  return s;
}

struct Run {
  double admissions = 0, discharges = 0, attendances = 0, trolley = 0, occupied_minutes = 0, minutes = 0;
  double ed_minutes = 0, readmissions = 0;
  std::uint64_t arrivals = 0;
  std::size_t in_ed = 0;
  int in_beds = 0;
  std::size_t waiting_for_beds = 0;
};

Run run(const models::Scenario& s, std::uint32_t replication) {
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{3, replication, 0});
  Run r;
  for (int m = -setup.calendar.warmup_months(); m < setup.calendar.months(); ++m) {
    const auto tm = trust.run_month(setup.calendar.month_start(m + 1));
    if (m < 0) continue;
    r.admissions += static_cast<double>(tm.ed.admissions);
    r.attendances += static_cast<double>(tm.ed.attendances);
    r.trolley += static_cast<double>(tm.ed.trolley_waits_12h);
    r.ed_minutes += tm.ed.minutes_in_department;
    r.readmissions += static_cast<double>(tm.ed.readmissions);
    r.discharges += static_cast<double>(tm.wards.discharges);
    r.occupied_minutes += tm.wards.occupied_bed_minutes;
  }
  r.minutes = setup.calendar.end() - setup.calendar.month_start(0);
  r.arrivals = trust.ed().arrivals();
  r.in_ed = trust.ed().patients_present();
  r.in_beds = trust.wards().occupied();
  r.waiting_for_beds = trust.wards().waiting();
  return r;
}

using testing::without_window;

// Mean stay of the default BedParams (minutes): a third zero-day stays uniform on 2-12 h,
// the rest lognormal with mean 11.5 days, 5% of those extended by a mean of 10 days.
double default_mean_stay_minutes() {
  const models::BedParams b;
  const double zero_day = sim::hours(7.0);
  const double other = sim::days(b.emergency_stay_days.mean + b.delayed_transfer_share * b.delayed_transfer_days.mean);
  return b.emergency_zero_day_share * zero_day + (1.0 - b.emergency_zero_day_share) * other;
}

}  // namespace

TEST_CASE("every patient who arrived has left or is still in the hospital", "[wards]") {
  for (double beds : {400.0, 900.0}) {  // short of beds and plenty
    const Run r = run(trust_with_beds(beds, 4), 0);
    INFO("beds " << beds);
    // Readmissions come back through A&E as extra attendances.
    CHECK(static_cast<double>(r.arrivals) + r.readmissions == r.attendances + static_cast<double>(r.in_ed));
    CHECK(r.readmissions > 0.0);
    CHECK(r.admissions == r.discharges + r.in_beds);
    CHECK(r.in_beds <= static_cast<int>(beds));
    CHECK(r.waiting_for_beds <= r.in_ed);
  }
}

TEST_CASE("bed occupancy obeys Little's law: admissions x mean stay", "[wards][validation]") {
  // With beds to spare nobody waits, so occupied beds = admission rate x mean stay. Wards
  // that start empty take about E[S^2]/(2 E[S]) = 14 days to fill (a 4% shortfall over a
  // year), hence three months of warm-up. The ratio's relative standard error across
  // replications is about 0.5%, so 2% is about 4 SE.
  double ratio_sum = 0.0;
  const int reps = 4;
  for (int r = 0; r < reps; ++r) {
    models::Scenario s = trust_with_beds(2000.0, 12, 3);
    without_window(s.trusts[0].beds);
    const Run x = run(s, static_cast<std::uint32_t>(r));
    REQUIRE(x.trolley == 0.0);
    const double expected = x.admissions / x.minutes * default_mean_stay_minutes();
    ratio_sum += (x.occupied_minutes / x.minutes) / expected;
  }
  CHECK(ratio_sum / reps == Approx(1.0).epsilon(0.02));
}

TEST_CASE("12-hour trolley waits appear only when beds are short", "[wards]") {
  const Run plenty = run(trust_with_beds(900.0, 6), 0);
  const Run short_of_beds = run(trust_with_beds(500.0, 6), 0);
  CHECK(plenty.trolley == 0.0);
  CHECK(short_of_beds.trolley > 100.0);
  // Exit block lengthens time in A&E for everyone who waits for a bed.
  CHECK(short_of_beds.ed_minutes / short_of_beds.attendances > 2.0 * plenty.ed_minutes / plenty.attendances);
}

TEST_CASE("the bed pool as M/M/c/c turns away Erlang B's share", "[wards][validation]") {
  // c = 20 beds, offered load a = 16 (mean stay 4 days, 4 requests a day): B = 0.0644.
  // The mean blocked share of 16 replications of 5,000 simulated days has a standard error
  // of about 0.0015, so the 4-SE bound is about 10% of B; the second check keeps it honest.
  const int c = 20;
  const double stay_days = 4.0, per_day = 4.0;
  models::BedParams p;
  p.general_acute_beds = c;
  p.elective_day_case_share = 0.0;
  p.readmission_share_after_elective = 0.0;  // a loss system: nobody comes back
  p.elective_stay_days = {sim::Distribution::Kind::exponential, 0.0, stay_days, 0.0, {}, {}, {}};
  without_window(p);  // exponential stays that end at any hour
  const auto shares = testing::blocked_shares(p, sim::minutes_per_day / per_day, 16, sim::days(100), sim::days(5000), 17);
  const auto ci = sim::mean_interval(shares);
  const double se = ci.sd / std::sqrt(static_cast<double>(shares.size()));
  const double expected = erlang_b(c, per_day * stay_days);
  INFO("blocked " << ci.mean << " +/- " << se << " (1 SE), Erlang B " << expected);
  CHECK(std::fabs(ci.mean - expected) < 4.0 * se);
  CHECK(se < 0.05 * expected);
  CHECK(erlang_b(1, 1.0) == Approx(0.5));  // anchor: one server, a = 1
}

namespace {

struct Readmissions {
  double discharges = 0, readmissions = 0, early = 0, after_elective = 0;
};

Readmissions readmissions(double beds, std::uint32_t replication) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 6;
  s.scenario.warmup_months = 1;
  models::TrustParams t;
  t.name = "T";
  t.beds.general_acute_beds = beds;
  t.staffing.beds_per_nurse_wte = 1e6;  // every physical bed staffed
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{8, replication, 0});
  Readmissions r;
  for (int m = -1; m < 6; ++m) {
    const auto tm = trust.run_month(setup.calendar.month_start(m + 1));
    if (m < 0) continue;
    r.discharges += static_cast<double>(tm.wards.discharges);
    r.early += static_cast<double>(tm.wards.early_discharges);
    r.readmissions += static_cast<double>(tm.ed.readmissions);
    r.after_elective += static_cast<double>(tm.ed.readmissions_after_elective);
  }
  return r;
}

}  // namespace

TEST_CASE("readmissions follow the configured shares and rise with early discharges", "[wards]") {
  // Plenty of beds: nobody is discharged early, and readmissions per discharge sit between
  // the elective (3%) and emergency (8%) shares. Binomial SE of the pooled share ~0.1%.
  const Readmissions roomy = readmissions(900.0, 0);
  CHECK(roomy.early == 0.0);
  const double share = roomy.readmissions / roomy.discharges;
  CHECK(share > 0.03);
  CHECK(share < 0.08);
  CHECK(roomy.after_elective > 0.0);
  // Short of beds: patients due out within a day go early, and come back 1.5 times as often.
  const Readmissions tight = readmissions(640.0, 0);
  CHECK(tight.early > 100.0);
  CHECK(tight.readmissions / tight.discharges > share + 4.0 * std::sqrt(share * (1 - share) / tight.discharges));
}

namespace {

struct DischargeOnly {
  models::Wards& wards;
  void on_event(const models::TrustEvent& e, models::TrustSimulator& s) {
    if (e.kind == models::TrustEventKind::bed_discharge) wards.discharge(s);
  }
};

// Mean stay of `n` planned admissions of one kind, from the bed-minutes they occupy.
double mean_planned_stay_days(models::Wards::Planned kind, int n) {
  models::BedParams p;
  p.general_acute_beds = n;
  p.readmission_share_after_elective = 0.0;
  without_window(p);  // the drawn stays, not the hours they end at
  const models::WardSetup setup(p, 14.0);
  models::Wards wards(setup, sim::StreamKey{44, 0, 0});
  models::TrustSimulator s;
  for (int i = 0; i < n; ++i) REQUIRE(wards.admit_elective(static_cast<std::uint64_t>(i), s, kind));
  DischargeOnly h{wards};
  s.run_until(sim::days(3650), h);
  return sim::to_days(wards.close_month(sim::days(3650)).occupied_bed_minutes) / n;
}

}  // namespace

TEST_CASE("cancer surgery and routine electives stay as configured", "[wards]") {
  // Routine: 70% day cases (mean 7 h) and 30% lognormal mean 5 d, sd 5: mean 1.70 d, sd of a
  // stay ~3.5 d, so over 20,000 stays SE ~0.025 d and 4 SE ~6%. Cancer: 10% day cases and 90%
  // mean 7 d, sd 6: mean 6.33 d, sd ~6 d, SE ~0.042 d, 4 SE ~2.7%.
  CHECK(mean_planned_stay_days(models::Wards::Planned::routine, 20000) ==
        Approx(0.7 * 7.0 / 24.0 + 0.3 * 5.0).epsilon(0.06));
  CHECK(mean_planned_stay_days(models::Wards::Planned::cancer_surgery, 20000) ==
        Approx(0.1 * 7.0 / 24.0 + 0.9 * 7.0).epsilon(0.027));
}

TEST_CASE("delayed transfers of care are counted with the bed days they take", "[wards][dtoc]") {
  // Ample beds, no zero-day stays and no early discharges: every emergency stay is one the
  // switch can delay, and each delay is spent in full.
  models::Scenario s = trust_with_beds(3000.0, 4);
  models::BedParams& b = s.trusts[0].beds;
  b.emergency_zero_day_share = 0.0;
  b.early_discharge_hours = 0.0;
  without_window(b);
  const auto count = [&s](double share) {
    s.trusts[0].beds.delayed_transfer_share = share;
    s.trusts[0].beds.delayed_transfer_days = {sim::Distribution::Kind::constant, 5.0, 1.0, 1.0, {}, {}, {}};
    const models::ScenarioSetup setup(s);
    models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{3, 0, 0});
    double discharges = 0, delayed = 0, days = 0;
    for (int m = 0; m < setup.calendar.months(); ++m) {
      const auto tm = trust.run_month(setup.calendar.month_start(m + 1));
      discharges += static_cast<double>(tm.wards.discharges);
      delayed += static_cast<double>(tm.wards.delayed_transfers);
      days += tm.wards.delayed_transfer_days;
    }
    return std::array<double, 3>{discharges, delayed, days};
  };
  const auto none = count(0.0);
  CHECK(none[1] == 0.0);
  CHECK(none[2] == 0.0);
  const auto all = count(1.0);
  CHECK(all[0] > 1000.0);
  CHECK(all[1] == all[0]);                         // every stay that ended was delayed
  CHECK(all[2] == Approx(5.0 * all[1]).epsilon(1e-9));  // by exactly its five days

  // With the discharge window, a patient fit to leave at night stays until it opens: the
  // delay is its five days plus that wait, under 12 hours (the window is closed 12 hours).
  b.discharge_window_opens_hour = 8.0;
  b.discharge_window_closes_hour = 20.0;
  b.out_of_hours_discharge_share = 0.0;
  const auto held = count(1.0);
  CHECK(held[1] == held[0]);
  CHECK(held[2] > 5.0 * held[1] + 0.1 * held[1]);  // about half held, by 6 hours on average
  CHECK(held[2] < 5.0 * held[1] + 0.5 * held[1]);
}
