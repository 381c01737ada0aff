// SPDX-License-Identifier: MIT
// The A&E model's own arithmetic: how configured shapes become arrival rates, where the
// 4-hour line falls, and the admitted share.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"

using namespace breachsim;

namespace {

models::Scenario one_trust(const models::EdParams& ed, sim::Date first, int months) {
  models::Scenario s;
  s.scenario.first_month = first;
  s.scenario.months = months;
  s.scenario.warmup_months = 0;
  models::TrustParams t;
  t.name = "T";
  t.ed = ed;
  // A&E on its own: readmissions would add attendances these tests count exactly.
  t.elective.referrals_per_week = 0.0;
  t.elective.initial_list = 0.0;
  t.beds.readmission_share_after_emergency = 0.0;
  s.trusts.push_back(t);
  return s;
}

struct Totals {
  double attendances = 0, breaches = 0, admissions = 0;
};

Totals simulate(const models::ScenarioSetup& setup, std::uint32_t replication) {
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{5, replication, 0});
  Totals out;
  for (int m = 0; m < setup.calendar.months(); ++m) {
    const auto e = trust.run_month(setup.calendar.month_start(m + 1)).ed;
    out.attendances += static_cast<double>(e.attendances);
    out.breaches += static_cast<double>(e.breaches_4h);
    out.admissions += static_cast<double>(e.admissions);
  }
  return out;
}

}  // namespace

TEST_CASE("a 365-day year receives arrivals_per_year whatever the shapes", "[ed]") {
  // The shapes are normalised: hour x weekday to a weekly mean of 1, months weighted by
  // their lengths. 2017 has 365 days, so the integral of the rate must be exact.
  models::EdParams ed;
  ed.arrivals_per_year = 123456.0;
  const models::ScenarioSetup setup(one_trust(ed, {2017, 1, 1}, 12));
  const double expected = setup.trust_setups[0].ed.arrival_rates.expected_arrivals(0.0, setup.calendar.end());
  // 365 days hold 52 weeks and one extra day (a Sunday in 2017), so the weekly shape does
  // not average out exactly; the month weighting does.
  CHECK(expected == Approx(123456.0).epsilon(0.01));
}

TEST_CASE("the configured daily and seasonal shapes reach the arrival rates", "[ed]") {
  models::EdParams ed;
  const models::ScenarioSetup setup(one_trust(ed, {2017, 1, 1}, 12));
  const auto& rates = setup.trust_setups[0].ed.arrival_rates;
  const sim::Calendar& cal = setup.calendar;
  // 2017-01-02 is a Monday. Peak 11:00 vs trough 04:00 on the same day: their configured
  // ratio 2.05 / 0.35.
  const sim::Time monday = sim::days(1);
  CHECK(cal.hour_of_week(monday) == 0);
  const double peak = rates.rate(static_cast<std::size_t>((monday + sim::hours(11)) / 60.0));
  const double trough = rates.rate(static_cast<std::size_t>((monday + sim::hours(4)) / 60.0));
  CHECK(peak / trough == Approx(2.05 / 0.35));
  // Monday vs Tuesday at the same hour: 1.12 / 1.02; May vs February: 1.06 / 0.93.
  const double tuesday = rates.rate(static_cast<std::size_t>((monday + sim::days(1) + sim::hours(11)) / 60.0));
  CHECK(peak / tuesday == Approx(1.12 / 1.02));
  const double may = rates.expected_arrivals(cal.month_start(4), cal.month_start(4) + sim::days(28));
  const double feb = rates.expected_arrivals(cal.month_start(1), cal.month_start(1) + sim::days(28));
  CHECK(may / feb == Approx(1.06 / 0.93));
}

TEST_CASE("simulated attendances match the configured volume", "[ed]") {
  // Attendances over a year are Poisson (every arrival eventually leaves, bar a handful at
  // the end), so the total over 4 replications lies within 4 sqrt(N) of 4 x the integral.
  models::EdParams ed;
  ed.arrivals_per_year = 50000.0;
  ed.clinicians_by_hour = {30};
  const models::ScenarioSetup setup(one_trust(ed, {2017, 1, 1}, 12));
  const double expected = 4.0 * setup.trust_setups[0].ed.arrival_rates.expected_arrivals(0.0, setup.calendar.end());
  double total = 0.0;
  for (std::uint32_t r = 0; r < 4; ++r) total += simulate(setup, r).attendances;
  CHECK(std::fabs(total - expected) < 4.0 * std::sqrt(expected));
}

TEST_CASE("a breach is more than 240 minutes in the department", "[ed]") {
  // With more clinicians than patients nobody waits, so time in department is exactly the
  // constant treatment time: all breach at 241 minutes, none at 240.
  for (double minutes : {240.0, 241.0}) {
    models::EdParams ed;
    ed.arrivals_per_year = 20000.0;
    ed.clinicians_by_hour = {100};
    ed.treatment_minutes = {sim::Distribution::Kind::constant, minutes, 0, 0, {}, {}, {}};
    ed.treatment_minutes_by_month.assign(12, 1.0);  // the same time in every month
    const auto t = simulate(models::ScenarioSetup(one_trust(ed, {2017, 1, 1}, 2)), 0);
    REQUIRE(t.attendances > 2000);
    CHECK(t.breaches == (minutes > 240.0 ? t.attendances : 0.0));
  }
}

TEST_CASE("the admitted share matches admission_share", "[ed]") {
  // Binomial: within 4 standard errors sqrt(n p (1-p)). The share by month is
  // tests/test_winter.cpp's.
  models::EdParams ed;
  ed.admission_share = 0.22;
  ed.admission_share_by_month.assign(12, 1.0);
  const auto t = simulate(models::ScenarioSetup(one_trust(ed, {2017, 1, 1}, 6)), 0);
  const double n = t.attendances;
  CHECK(std::fabs(t.admissions - 0.22 * n) < 4.0 * std::sqrt(n * 0.22 * 0.78));
}

TEST_CASE("fewer clinicians mean more breaches", "[ed]") {
  // Common random numbers: the same patients arrive with the same treatment times at both
  // rosters, so the difference is the roster's, not noise.
  models::EdParams ed;
  const auto full = simulate(models::ScenarioSetup(one_trust(ed, {2017, 1, 1}, 3)), 0);
  for (double& c : ed.clinicians_by_hour) c = std::max(0.0, c - 2.0);
  const auto cut = simulate(models::ScenarioSetup(one_trust(ed, {2017, 1, 1}, 3)), 0);
  CHECK(cut.breaches > full.breaches);
}
