// SPDX-License-Identifier: MIT
// The model's invariants: patients conserved in every stream, beds within range and pounds
// conserved at every month end (models/care/conservation.hpp, models/money/money_ledger.hpp),
// each broken on purpose; and a whole replication whose trust breaks one, reported with the
// trust, the date, the task and its rerun.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/care/conservation.hpp"
#include "models/money/money_ledger.hpp"
#include "models/run/run.hpp"
#include "sim/invariant.hpp"
#include "tests/invariant_report.hpp"

using namespace breachsim;
using Catch::Matchers::Contains;

namespace {


// A month of money that adds up: £1m income, £100k fined (all withheld), £950k of costs.
models::MoneyMonth balanced_month() {
  models::MoneyMonth m;
  m.income_activity = 1e6;
  m.fines = m.fines_withheld = 1e5;
  m.fines_by_scheme = {6e4, 4e4};
  m.cost_pay = 6e5;
  m.cost_agency = 5e4;
  m.cost_other = 3e5;
  m.interest = 1e3;
  m.surplus = m.operating_surplus() - m.interest;
  return m;
}

}  // namespace

TEST_CASE("patients: a stream that loses one says how many came in, left and are still in", "[invariant]") {
  models::PatientStream ed{"A&E", "arrivals and readmissions", "left the department"};
  ed.close_month(1000, 950, 50, 0.0);
  ed.close_month(1000, 990, 60, 0.0);
  const std::string report = report_of([&] { ed.close_month(1000, 1000, 59, 0.0); });
  CHECK_THAT(report, Contains("invariant broken: patients not conserved in A&E: 3000 came in (arrivals and "
                              "readmissions) since the run began, 2940 left the department, 59 still in at the month "
                              "end, so 1 unaccounted for"));
  CHECK_THAT(report, Contains("when: day 1"));
}

TEST_CASE("beds: occupied within [0, beds open] and one stay each", "[invariant]") {
  CHECK_NOTHROW(models::check_beds(0, 0, 10, 0.0));
  CHECK_NOTHROW(models::check_beds(10, 10, 10, 0.0));
  CHECK_THAT(report_of([] { models::check_beds(11, 11, 10, 0.0); }), Contains("11 occupied at the month end"));
  CHECK_THAT(report_of([] { models::check_beds(-1, -1, 10, 0.0); }), Contains("beds out of range"));
  CHECK_THAT(report_of([] { models::check_beds(5, 4, 10, 0.0); }), Contains("5 occupied at the month end, 4 inpatient stays"));
}

TEST_CASE("pounds: a month that adds up passes; each rule broken is named with its trust and terms", "[invariant]") {
  const std::vector<std::string> names{"Northfield", "Riverside"};
  models::MoneyLedger ledger;
  CHECK_NOTHROW(ledger.close_month(names, {balanced_month(), balanced_month()}, 0.0, 0.0, 0.0));

  models::MoneyMonth unposted = balanced_month();
  unposted.surplus += 0.01;  // a penny from nowhere
  CHECK_THAT(report_of([&] { models::MoneyLedger().close_month(names, {balanced_month(), unposted}, 0.0, 0.0, 0.0); }),
             Contains("pounds not conserved: trust 'Riverside' (index 1): surplus = income - fines - pay - agency - "
                      "other costs - interest"));

  models::MoneyMonth nowhere = balanced_month();
  nowhere.fines_withheld = 9e4;  // £10k fined and sent nowhere
  nowhere.surplus = nowhere.operating_surplus() - nowhere.interest;
  CHECK_THAT(report_of([&] { models::MoneyLedger().close_month(names, {nowhere}, 0.0, 0.0, 0.0); }),
             Contains("trust 'Northfield' (index 0): fines = withheld + reinvested + pooled"));

  models::MoneyMonth schemes = balanced_month();
  schemes.fines_by_scheme[1] = 0.0;
  CHECK_THAT(report_of([&] { models::MoneyLedger().close_month(names, {schemes}, 0.0, 0.0, 0.0); }),
             Contains("fines = the schemes' fines added up"));

  // Reinvested fines awaiting return count; a pool that pays out more than it was given does not.
  models::MoneyMonth reinvested = balanced_month();
  reinvested.fines_withheld = 0.0;
  reinvested.fines_reinvested = 1e5;
  CHECK_NOTHROW(models::MoneyLedger().close_month(names, {reinvested}, 1e5, 0.0, 0.0));
  models::MoneyMonth paid = balanced_month();
  paid.pool_payouts = 5e4;
  paid.surplus = paid.operating_surplus() - paid.interest;
  CHECK_THAT(report_of([&] { models::MoneyLedger().close_month(names, {paid}, 0.0, 0.0, 0.0); }),
             Contains("every trust since the run began: fines = withheld + returned + awaiting return + paid out of "
                      "pools + in pools (GBP 100000 against 150000"));
}

TEST_CASE("pounds: a posting that moves cash or debt other than by its surplus and loans is named", "[invariant]") {
  models::MonthPosting p;
  p.interest = 1e3;
  p.surplus = 4e4 - 1e3;
  p.borrowed = 0.0;
  p.repaid = 2e4;
  p.cash = 5e6 + 39e3 - 2e4;
  p.revolving_debt = 1e5 - 2e4;
  CHECK_NOTHROW(models::MoneyLedger::check_posting("trust 'T' (index 0)", {p, 4e4, 0.0, 5e6, 1e5}, 0.0));
  p.long_term_debt = 1.0;  // a pound of debt from nowhere
  CHECK_THAT(report_of([&] { models::MoneyLedger::check_posting("trust 'T' (index 0)", {p, 4e4, 0.0, 5e6, 1e5}, 0.0); }),
             Contains("trust 'T' (index 0): debt - debt before = borrowed - repaid"));
}

TEST_CASE("a trust that breaks an invariant mid-run is named with its date, task and rerun", "[invariant]") {
  if constexpr (!sim::invariants_checked) {
    WARN("invariants are not checked in this build (Release without BREACHSIM_INVARIANTS)");
    return;
  }
  // Built in code, so nothing validates it: nurses who open a negative number of beds, which
  // no config could give (beds_per_nurse_wte must be positive).
  models::Scenario s;
  s.scenario.name = "broken";
  s.scenario.first_month = {2015, 4, 1};
  s.scenario.months = 2;
  s.scenario.warmup_months = 1;
  models::TrustParams fine, broken;
  fine.name = "Fine Trust";
  broken.name = "Broken Trust";
  broken.staffing.beds_per_nurse_wte = -1.0;
  s.trusts = {fine, broken};
  const models::ScenarioSetup setup(s);
  const std::string report = report_of([&] {
    models::simulate_replication(setup, 7, 3, {}, nullptr,
                                 {"point 0 'baseline'", "breachsim run broken.yaml --task 0:3 --out x.h5 --force"});
  });
  CHECK_THAT(report, Contains("invariant broken: beds: counts out of range: capacity -"));
  CHECK_THAT(report, Contains("in: trust 'Broken Trust' (index 1)"));
  CHECK_THAT(report, Contains("when: 2015-03-01 00:00, day 1 of the simulation"));  // the warm-up's first month start
  CHECK_THAT(report, Contains("task: point 0 'baseline', replication 3, seed 7"));
  CHECK_THAT(report, Contains("rerun this task alone: breachsim run broken.yaml --task 0:3 --out x.h5 --force"));
}
