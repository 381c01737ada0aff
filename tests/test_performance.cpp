// SPDX-License-Identifier: MIT
// The performance record: what each department contributes, and the month, quarter-to-date
// and year-to-date shares within each standard that every month-end stage reads.
#include <catch2/catch.hpp>

#include "models/money/income.hpp"
#include "models/care/performance.hpp"
#include "models/care/trust.hpp"

using namespace breachsim;
using models::Period;
using models::Standard;
using models::TrustMonth;

namespace {

TrustMonth month(std::int64_t attendances, std::int64_t breaches_4h, std::int64_t waiting, std::int64_t over_18w,
                 std::int64_t cancer_treated, std::int64_t cancer_breaches) {
  TrustMonth tm;
  tm.ed.attendances = attendances;
  tm.ed.breaches_4h = breaches_4h;
  tm.ed.admissions = attendances / 5;
  tm.ed.trolley_waits_12h = 2;
  tm.electives.list = {waiting, over_18w, 3};
  tm.cancer.treated = cancer_treated;
  tm.cancer.breaches_62d = cancer_breaches;
  return tm;
}

}  // namespace

TEST_CASE("every department adds its counts to the record", "[performance]") {
  TrustMonth tm = month(1000, 60, 5000, 400, 50, 9);
  tm.ed.handovers_30_60min = 7;
  tm.ed.handovers_over_60min = 4;
  tm.wards.mixed_sex_days = 3.0;
  tm.electives.treated = 300;
  tm.electives.treated_over_18w = 40;
  tm.electives.outpatient_treated = 200;
  tm.electives.outpatient_treated_over_18w = 15;
  tm.cancer.repeat_cancellations = 2;
  const models::BreachCounts c = models::count_breaches(tm);
  CHECK(c.ed_attendances == 1000);
  CHECK(c.ed_breaches_4h == 60);
  CHECK(c.emergency_admissions == 200);
  CHECK(c.ed_trolley_waits_12h == 2);
  CHECK(c.ambulance_handovers_30_60min == 7);
  CHECK(c.ambulance_handovers_over_60min == 4);
  CHECK(c.mixed_sex_accommodation_days == 3.0);
  CHECK(c.rtt_waiting == 5000);
  CHECK(c.rtt_over_18w == 400);
  CHECK(c.rtt_over_52w == 3);
  CHECK(c.rtt_admitted_treated == 100);             // 300 treated, 200 of them outpatients
  CHECK(c.rtt_admitted_treated_over_18w == 25);     // 40 over 18 weeks, 15 of them outpatients
  CHECK(c.rtt_non_admitted_treated == 200);
  CHECK(c.rtt_non_admitted_treated_over_18w == 15);
  CHECK(c.cancer_treated == 50);
  CHECK(c.cancer_breaches_62d == 9);
  CHECK(c.urgent_operations_cancelled_twice == 2);
}

TEST_CASE("the record keeps the month, the quarter and the year to date", "[performance]") {
  models::PerformanceLedger ledger(2);
  // April (opens the quarter and the year), May, June; then July opens a new quarter only.
  ledger.measure(0, month(1000, 100, 5000, 500, 40, 10), true, true);
  ledger.measure(0, month(1000, 20, 5200, 260, 60, 0), false, false);
  const models::PerformanceRecord& june = ledger.measure(0, month(2000, 80, 5400, 270, 100, 5), false, false);
  CHECK(june.within(Standard::ed_4h, Period::month) == Approx(0.96));
  // Quarter: 200 breaches of 4,000 attendances; exactly 95% compares equal to 0.95.
  CHECK(june.within(Standard::ed_4h, Period::quarter) == 0.95);
  CHECK(june.tally(Standard::ed_4h, Period::quarter).total == 4000);
  // Cancer: 15 of 200 treated breached.
  CHECK(june.within(Standard::cancer_62d, Period::quarter) == Approx(1.0 - 15.0 / 200.0));
  // 12-hour waits: 2 a month of 200, 200 and 400 emergency admissions, per 1000.
  CHECK(june.tally(Standard::ed_12h, Period::quarter).per_1000() == Approx(1000.0 * 6.0 / 800.0));
  // The waiting list is a month-end snapshot in every period.
  CHECK(june.within(Standard::rtt_18w, Period::month) == 0.95);
  CHECK(june.within(Standard::rtt_18w, Period::quarter) == 0.95);
  CHECK(june.within(Standard::rtt_18w, Period::year) == 0.95);

  const models::PerformanceRecord& july = ledger.measure(0, month(1000, 50, 5000, 500, 10, 1), true, false);
  CHECK(july.tally(Standard::ed_4h, Period::quarter).total == 1000);
  CHECK(july.tally(Standard::ed_4h, Period::quarter).breaches == 50);
  CHECK(july.tally(Standard::ed_4h, Period::year).total == 5000);
  CHECK(july.tally(Standard::ed_4h, Period::year).breaches == 250);
  CHECK(july.within(Standard::cancer_62d, Period::year) == Approx(1.0 - 16.0 / 210.0));

  // The other trust has its own tallies; with nobody counted a share is 1.
  const models::PerformanceRecord& other = ledger.measure(1, TrustMonth{}, true, true);
  CHECK(other.within(Standard::ed_4h, Period::quarter) == 1.0);
  CHECK(other.tally(Standard::ed_12h, Period::quarter).per_1000() == 0.0);
  CHECK(ledger[0].tally(Standard::ed_4h, Period::year).total == 5000);
}

TEST_CASE("payment and CQUIN words compile to rules once", "[performance][settlement]") {
  models::PaymentParams p;
  CHECK(models::compile_income(p).payment == models::Payment::activity);
  CHECK_FALSE(models::compile_income(p).cquin_on.has_value());
  p.payment = "block";
  p.cquin_earned_on = "cancer_62d";
  CHECK(models::compile_income(p).payment == models::Payment::block);
  CHECK(models::compile_income(p).cquin_on == Standard::cancer_62d);
  p.cquin_earned_on = "rtt_18";
  CHECK_THROWS_WITH(models::compile_income(p), Catch::Contains("cquin_earned_on 'rtt_18'"));
  p.cquin_earned_on = "ed_4h";
  p.payment = "blocks";
  CHECK_THROWS_WITH(models::compile_income(p), Catch::Contains("payment 'blocks'"));
}
