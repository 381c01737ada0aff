// SPDX-License-Identifier: MIT
// The month-end settlement driven directly with hand-built trust-months (no simulation):
// activity income and costs, fines through their caps, waivers and suspension to their
// destinations, pools, the balance sheet, the incentive fund, management and commissioners.
// Every trust starts with all money zeroed except what a test is about, so each expected
// figure is worked out by hand beside it.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "models/money/cost_improvement.hpp"
#include "models/money/costs.hpp"
#include "models/money/settlement.hpp"

using namespace breachsim;
using models::Levers;
using models::MoneyMonth;
using models::SchemeParams;
using models::TrustMonth;

namespace {

// April 2015 to March 2017, no warm-up: month 0 = April 2015, 2 = June (a quarter end),
// 11 = March 2016 (a year end), 12 = April 2016.
const sim::Calendar& calendar() {
  static const sim::Calendar c(sim::Date{2015, 4, 1}, 0, 24);
  return c;
}

// A trust whose money is all zero: no tariff, no other income, no costs, no CQUIN, no CIP,
// plenty of cash with no minimum (so no borrowing, hence no interest) and no special
// measures. Tests switch on only what they are about.
models::TrustFinanceSetup quiet_trust(const std::string& region = "north") {
  models::TrustFinanceSetup t;
  t.region = region;
  models::FinanceParams& f = t.finance;
  f.contract_value_gbp_per_year = 1.2e6;
  f.control_total_gbp_per_year = 0.0;
  models::PaymentParams& pay = f.income;
  pay.ed_attendance_gbp = pay.emergency_spell_gbp = pay.elective_spell_gbp = pay.day_case_gbp = 0.0;
  pay.outpatient_gbp = pay.excess_bed_day_gbp = 0.0;
  pay.other_income_gbp_per_year = 0.0;
  pay.cquin_share = 0.0;
  models::CostParams& c = f.costs;
  c.ed_clinician_gbp_per_wte_year = c.ward_nurse_gbp_per_wte_year = c.theatre_team_gbp_per_wte_year = 0.0;
  c.other_pay_gbp_per_year = c.bed_day_gbp = c.procedure_gbp = c.ed_attendance_gbp = c.outpatient_gbp = 0.0;
  c.extra_session_premium_gbp = c.fixed_gbp_per_year = 0.0;
  c.cip_target_share = 0.0;
  f.borrowing.opening_cash_gbp = 1e8;
  f.borrowing.minimum_cash_gbp = 0.0;
  f.borrowing.special_measures_deficit_share = 0.0;
  return t;
}

SchemeParams ae_scheme(const std::string& destination = "withheld") {
  SchemeParams p;  // excess_breaches, ed_4h
  p.rate_gbp = 120.0;
  p.tolerance = 0.05;
  p.destination = destination;
  return p;
}

SchemeParams incident_scheme(const std::string& incident, double rate, const std::string& destination,
                             const std::string& pool = "national") {
  SchemeParams p;
  p.type = "per_incident";
  p.incident = incident;
  p.rate_gbp = rate;
  p.destination = destination;
  p.pool = pool;
  return p;
}

void add_scheme(models::FinanceSetup& s, const std::string& name, const SchemeParams& p) {
  s.schemes.push_back(models::compile_scheme(name, p));
}

TrustMonth ed_month(std::int64_t attendances, std::int64_t breaches) {
  TrustMonth tm;
  tm.ed.attendances = attendances;
  tm.ed.breaches_4h = breaches;
  return tm;
}

// A settlement over its own copy of the setup (the settlement keeps a pointer to it).
class Books {
 public:
  explicit Books(models::FinanceSetup s) : setup_(std::move(s)), settlement_(setup_, calendar(), 7, 0) {}
  std::vector<MoneyMonth> settle(int month, const std::vector<TrustMonth>& months) {
    return settlement_.settle(month, months, levers);
  }
  const models::Settlement& settlement() const { return settlement_; }
  std::vector<Levers> levers;  // returned for the month after the last settled

 private:
  models::FinanceSetup setup_;
  models::Settlement settlement_;
};

Approx money(double x) { return Approx(x).epsilon(1e-12).margin(1e-6); }

}  // namespace

TEST_CASE("activity income: tariff per unit, unpaid readmissions, marginal rate, block", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::PaymentParams& pay = setup.trusts[0].finance.income;
  pay = models::PaymentParams{};  // the reference-cost tariff: 148, 1590, 3684, 738, 120, 313
  pay.other_income_gbp_per_year = 0.0;
  pay.cquin_share = 0.0;
  pay.unpaid_share_of_other_readmissions = 0.25;

  TrustMonth tm;
  tm.ed.attendances = 1000;
  tm.ed.admissions = 200;
  tm.ed.readmissions = 30;  // 10 after elective care, 20 others
  tm.ed.readmissions_after_elective = 10;
  tm.wards.elective_day_cases = 40;
  tm.wards.elective_inpatients = 20;
  tm.wards.excess_bed_days = 12.5;
  tm.electives.treated = 300;
  tm.electives.outpatient_treated = 300;
  tm.cancer.treated = 25;  // 10 surgical (in the ward counts), 15 non-surgical
  tm.cancer.treated_surgical = 10;

  // Unpaid emergency spells: 10 after elective + 0.25 x 20 others = 15; paid 200 - 15 = 185.
  // A&E          1,000 x   148 = 148,000
  // emergency      185 x 1,590 = 294,150
  // day cases       40 x   738 =  29,520
  // inpatients      20 x 3,684 =  73,680
  // outpatients    300 x   120 =  36,000
  // non-surgical    15 x   738 =  11,070
  // excess days   12.5 x   313 =   3,912.5
  // total                        596,332.5
  SECTION("payment by results") {
    Books books(setup);
    const auto out = books.settle(0, {tm});
    CHECK(out[0].income_activity == money(596332.5));
    CHECK(out[0].readmission_nonpayment == money(15 * 1590.0));  // 23,850
    CHECK(out[0].income_other == 0.0);
    CHECK(out[0].income_incentives == 0.0);
    CHECK(out[0].coding_uplift == 0.0);
  }
  SECTION("the marginal rate above a baseline of 150 a month") {
    setup.trusts[0].finance.income.emergency_baseline_per_month = 150.0;
    setup.trusts[0].finance.income.marginal_rate = 0.7;
    Books books(setup);
    const auto out = books.settle(0, {tm});
    // Paid 185: 150 at full tariff, 35 at 70%: 1,590 x (150 + 24.5) = 277,455, instead of
    // 294,150: 596,332.5 - 294,150 + 277,455 = 579,637.5.
    CHECK(out[0].income_activity == money(579637.5));
    CHECK(out[0].readmission_nonpayment == money(23850.0));  // unchanged
  }
  SECTION("operations done more than 28 days after a cancellation are not paid for") {
    tm.electives.rebooked_late = 3;  // 1 day case, 2 with an overnight stay
    tm.electives.rebooked_late_day_cases = 1;
    Books books(setup);
    const auto out = books.settle(0, {tm});
    // 738 + 2 x 3,684 = 8,106 of the spells above go unpaid.
    CHECK(out[0].rebooking_nonpayment == money(8106.0));
    CHECK(out[0].income_activity == money(596332.5 - 8106.0));
    setup.trusts[0].finance.income.unpaid_late_rebookings = false;
    Books paid(setup);
    CHECK(paid.settle(0, {tm})[0].income_activity == money(596332.5));
  }
  SECTION("a baseline above the paid admissions changes nothing") {
    setup.trusts[0].finance.income.emergency_baseline_per_month = 185.0;
    Books books(setup);
    CHECK(books.settle(0, {tm})[0].income_activity == money(596332.5));
  }
  SECTION("readmissions after elective care paid when that rule is off") {
    setup.trusts[0].finance.income.unpaid_readmissions_after_elective = false;
    Books books(setup);
    const auto out = books.settle(0, {tm});
    // Unpaid 0.25 x 20 = 5 only: nonpayment 5 x 1,590 = 7,950; income 10 x 1,590 = 15,900 more.
    CHECK(out[0].readmission_nonpayment == money(7950.0));
    CHECK(out[0].income_activity == money(596332.5 + 15900.0));
  }
  SECTION("a block payment ignores activity") {
    setup.trusts[0].finance.income.payment = "block";
    setup.trusts[0].finance.income.block_gbp_per_year = 1.8e6;
    Books books(setup);
    const auto out = books.settle(0, {tm});
    CHECK(out[0].income_activity == money(150000.0));  // 1.8m / 12
    CHECK(out[0].readmission_nonpayment == 0.0);
    // No block amount: a twelfth of the contract value, 1.2m / 12 = 100,000, whatever the month.
    models::FinanceSetup setup2 = setup;
    setup2.trusts[0].finance.income.block_gbp_per_year = 0.0;
    Books books2(setup2);
    CHECK(books2.settle(0, {tm})[0].income_activity == money(100000.0));
    CHECK(books2.settle(1, {TrustMonth{}})[0].income_activity == money(100000.0));
  }
}

TEST_CASE("costs: pay, capped agency premium, activity, fixed, CIP", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::CostParams& c = setup.trusts[0].finance.costs;
  c.ed_clinician_gbp_per_wte_year = 75000.0;
  c.ward_nurse_gbp_per_wte_year = 38000.0;
  c.theatre_team_gbp_per_wte_year = 300000.0;
  c.agency_premium = 1.0;
  c.agency_premium_cap = 0.55;
  c.other_pay_gbp_per_year = 1.2e6;
  c.other_pay_agency_share = 0.1;
  c.bed_day_gbp = 120.0;
  c.procedure_gbp = 1200.0;
  c.ed_attendance_gbp = 40.0;
  c.outpatient_gbp = 50.0;
  c.fixed_gbp_per_year = 2.4e6;
  c.cip_headroom_share = 0.0;

  TrustMonth tm;
  tm.staff[0] = {12.0, 0.0, 2.0};                                 // A&E clinicians: 12 substantive, 2 agency
  tm.staff[1] = {120.0, 0.0, 6.0};                                // ward nurses
  tm.staff[2] = {4.0, 0.0, 0.0};                                  // theatre teams
  tm.wards.occupied_bed_minutes = 3000.0 * sim::minutes_per_day;  // 3,000 bed days
  tm.wards.elective_day_cases = 40;
  tm.wards.elective_inpatients = 20;
  tm.cancer.treated = 25;
  tm.cancer.treated_surgical = 10;
  tm.ed.attendances = 1000;
  tm.electives.outpatient_treated = 300;

  // Other pay 1.2m/12 = 100,000, of which a tenth (10,000 at the usual premium of 1) is agency:
  //      at the capped premium 0.55 it costs 10,000 x 1.55/2 = 7,750.
  // Pay: 90,000 + 12 x 75,000/12 = 75,000 + 120 x 38,000/12 = 380,000 + 4 x 300,000/12
  //      = 100,000: 645,000.
  // Agency at the capped premium 0.55: 2 x 75,000 x 1.55/12 = 19,375 + 6 x 38,000 x 1.55/12
  //      = 29,450, + 7,750: 56,575.
  // Other: 3,000 bed days x 120 = 360,000 + (40 + 20 + 15) x 1,200 = 90,000 + 1,000 x 40
  //      = 40,000 + 300 x 50 = 15,000 + 2.4m/12 = 200,000: 705,000.
  SECTION("no CIP") {
    Books books(setup);
    const auto out = books.settle(0, {tm});
    CHECK(out[0].cost_pay == money(645000.0));
    CHECK(out[0].cost_agency == money(56575.0));
    CHECK(out[0].cost_other == money(705000.0));
    CHECK(out[0].cip_savings == 0.0);
    CHECK(out[0].surplus == money(-(645000.0 + 56575.0 + 705000.0)));  // -1,406,575
  }
  SECTION("an agency cut of half moves half the other staff's agency work to substantive pay") {
    // Agency 10,000 x 0.5 x 1.55/2 = 3,875; the other 5,000 of work at the substantive rate
    // 5,000/2 = 2,500. The modelled groups' agency is what the month's staff levels say.
    tm.agency_factor = 0.5;
    Books books(setup);
    const auto out = books.settle(0, {tm});
    CHECK(out[0].cost_pay == money(645000.0 + 2500.0));
    CHECK(out[0].cost_agency == money(48825.0 + 3875.0));
    // Protecting performance doubles front-line agency only: the rest stays at its share.
    tm.agency_factor = 2.0;
    Books doubled(setup);
    CHECK(doubled.settle(0, {tm})[0].cost_agency == money(56575.0));
  }
  SECTION("CIP: 1/16 target, half delivered, all of it productivity (capacity share 0: as before the split)") {
    c.cip_target_share = 0.0625;
    c.cip_capacity_share = 0.0;
    c.cip_delivered_share = sim::config::DistributionSpec{sim::Distribution::Kind::constant, 0.5, 0, 0, {}, {}, {}};
    Books books(setup);
    const auto out = books.settle(0, {tm});
    // Savings 1,406,575 / 32 = 43,955.46875, taken off the other costs.
    CHECK(out[0].cip_savings == money(43955.46875));
    CHECK(out[0].cost_other == money(705000.0 - 43955.46875));
    CHECK(out[0].surplus == money(-(1406575.0 - 43955.46875)));
    CHECK(out[0].cip_delivered_share == 0.5);
    CHECK(out[0].cip_savings_productivity == out[0].cip_savings);
    CHECK(out[0].cip_savings_capacity == 0.0);
    CHECK(out[0].cip_establishment_cut_wte == 0.0);
    // No posts come out: next month's levers are the configured establishment.
    CHECK(books.levers[0].establishment_cut_wte == std::array<double, 3>{0.0, 0.0, 0.0});
  }
  SECTION("CIP with diminishing returns: a target equal to the headroom delivers 1 - 1/e of it") {
    c.cip_target_share = 0.0625;
    c.cip_capacity_share = 0.0;
    c.cip_headroom_share = 0.0625;
    c.cip_delivered_share = sim::config::DistributionSpec{sim::Distribution::Kind::constant, 0.5, 0, 0, {}, {}, {}};
    Books books(setup);
    const auto out = books.settle(0, {tm});
    const double share = 0.5 * (1.0 - std::exp(-1.0));  // 0.31606
    CHECK(out[0].cip_delivered_share == Approx(share).epsilon(1e-12));
    CHECK(out[0].cip_savings == money(1406575.0 * 0.0625 * share));
  }
}

TEST_CASE("CIP: the share of the target delivered falls as the target grows; savings rise, less than in step",
          "[settlement]") {
  models::CostParams c;  // headroom 6%
  double last_share = 1.0, last_savings = 0.0;
  for (double target : {0.01, 0.02, 0.03, 0.05, 0.07, 0.10}) {
    c.cip_target_share = target;
    const double share = models::cip_delivered_share(c, 1.0);
    INFO("target " << target);
    CHECK(share < last_share);
    CHECK(share * target > last_savings);
    CHECK(share * target < c.cip_headroom_share);
    last_share = share;
    last_savings = share * target;
  }
  c.cip_target_share = 0.03;
  CHECK(models::cip_delivered_share(c, 1.0) == Approx(0.787).margin(0.001));
  c.cip_target_share = 0.07;
  CHECK(models::cip_delivered_share(c, 1.0) == Approx(0.590).margin(0.001));
  c.cip_headroom_share = 0.0;  // off: delivery is execution alone
  CHECK(models::cip_delivered_share(c, 0.8) == 0.8);
  CHECK(models::cip_delivered_share(c, -0.1) == 0.0);
}

namespace {

// A trust whose only costs are other staff's pay (10m a year, no agency) and fixed costs
// (14m): 2m a month before savings, whatever its staff levels. Its modelled groups'
// establishments (100 A&E clinicians at 60k, 500 nurses at 40k, 20 theatre teams at 200k: 30m)
// and other pay make a 40m pay bill. CIP: a 4% target, half delivered (no diminishing
// returns), half of that from capacity.
models::FinanceSetup cip_trust() {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  models::CostParams& c = t.finance.costs;
  c.ed_clinician_gbp_per_wte_year = 60000.0;
  c.ward_nurse_gbp_per_wte_year = 40000.0;
  c.theatre_team_gbp_per_wte_year = 200000.0;
  c.other_pay_gbp_per_year = 10e6;
  c.other_pay_agency_share = 0.0;
  c.fixed_gbp_per_year = 14e6;
  c.cip_target_share = 0.04;
  c.cip_headroom_share = 0.0;
  c.cip_capacity_share = 0.5;
  c.cip_delivered_share = sim::config::DistributionSpec{sim::Distribution::Kind::constant, 0.5, 0, 0, {}, {}, {}};
  t.posts = {models::StaffPosts{100.0, 0.85}, models::StaffPosts{500.0, 0.85}, models::StaffPosts{20.0, 0.85}};
  return setup;
}

}  // namespace

TEST_CASE("CIP capacity: posts out of the establishment in proportion to pay, saved as fewer staff", "[settlement]") {
  // The year's savings: 4% x 0.5 of 24m = 480,000; capacity half: 240,000 a year, 0.6% of the
  // 40m pay bill. Every group gives up 0.6% of its posts: 0.6 A&E clinicians (36,000), 3
  // nurses (120,000), 0.12 theatre teams (24,000), and other staff 0.6% of 10m (60,000).
  // Productivity: 240,000 a year at April's rate, 20,000 a month, off cost_other.
  Books books(cip_trust());
  const TrustMonth none;  // no modelled staff in post: pay is other staff's alone
  auto out = books.settle(0, {none});
  CHECK(out[0].cip_savings_productivity == money(20000.0));
  CHECK(out[0].cost_other == money(14e6 / 12.0 - 20000.0));
  CHECK(out[0].cost_pay == money(10e6 / 12.0));
  // The posts come out with next month's levers; April itself ran with the full establishment.
  CHECK(out[0].cip_savings_capacity == 0.0);
  CHECK(out[0].cip_savings == money(20000.0));
  const auto& cut = books.levers[0].establishment_cut_wte;
  CHECK(cut[0] == Approx(0.6).epsilon(1e-12));
  CHECK(cut[1] == Approx(3.0).epsilon(1e-12));
  CHECK(cut[2] == Approx(0.12).epsilon(1e-12));
  CHECK(out[0].cip_delivered_share == Approx(0.5).epsilon(1e-12));

  // May: other staff's pay is 0.6% lower because their posts are gone (833,333.33 x 0.994 =
  // 828,333.33), not because anything is subtracted; productivity is a share of what May cost
  // before savings (1,995,000 x 4% x 0.5 x 0.5 = 19,950). The capacity saving reported is a
  // month of the posts taken out, 240,000 / 12; the surplus counts it once, through pay.
  out = books.settle(1, {none});
  const double may_pay = 10e6 / 12.0 * 0.994, may_before = may_pay + 14e6 / 12.0;
  CHECK(out[0].cost_pay == money(may_pay));
  CHECK(out[0].cip_savings_productivity == money(may_before * 0.01));
  CHECK(out[0].cip_savings_capacity == money(20000.0));
  CHECK(out[0].cip_savings == money(20000.0 + may_before * 0.01));
  CHECK(out[0].cip_establishment_cut_wte == Approx(3.72).epsilon(1e-12));
  CHECK(out[0].cip_capacity_blocked == money(0.0));
  CHECK(out[0].surplus == money(-(may_before - may_before * 0.01)));

  // A new year replaces the cut, never adds to it: April 2016's plan is a year at April 2016's
  // costs (1,995,000 a month: 239,400 of capacity, 0.5985% of pay), 2.9925 nurses, not 6.
  for (int m = 2; m <= 12; ++m) out = books.settle(m, {none});
  CHECK(out[0].cip_establishment_cut_wte == Approx(3.72).epsilon(1e-12));  // last year's still out in April
  CHECK(books.levers[0].establishment_cut_wte[1] == Approx(500.0 * 239400.0 / 40e6).epsilon(1e-12));
}

TEST_CASE("CIP capacity: the safe-staffing floors bound the cut and what they keep is not delivered", "[settlement]") {
  // A&E clinicians may lose only 0.1% of their posts (floor 0.999): 0.1 WTE, not 0.6. The 0.5
  // WTE kept is 30,000 a year of the 240,000 planned: 2,500 a month blocked, and the share of
  // the target delivered falls from 0.5 to 0.5 x (1 - 0.5 x 30,000/240,000) = 0.46875.
  models::FinanceSetup setup = cip_trust();
  setup.trusts[0].posts[0].floor_share = 0.999;
  Books books(setup);
  const TrustMonth none;
  auto out = books.settle(0, {none});
  CHECK(books.levers[0].establishment_cut_wte[0] == Approx(0.1).epsilon(1e-9));
  CHECK(books.levers[0].establishment_cut_wte[1] == Approx(3.0).epsilon(1e-12));
  CHECK(out[0].cip_delivered_share == Approx(0.46875).epsilon(1e-12));
  out = books.settle(1, {none});
  CHECK(out[0].cip_capacity_blocked == money(2500.0));
  CHECK(out[0].cip_savings_capacity == money(20000.0 - 2500.0));

  // A target far beyond every floor: at most 15% of each group goes, however much is asked.
  models::CostParams c = setup.trusts[0].finance.costs;
  const auto huge = models::plan_cip_capacity(c, setup.trusts[0].posts, 40e6);
  CHECK(huge.cut_wte[1] == Approx(75.0).epsilon(1e-12));
  CHECK(huge.other_pay_cut_share == Approx(0.15).epsilon(1e-12));
  CHECK(huge.taken_gbp_year + huge.blocked_gbp_year == Approx(40e6).epsilon(1e-12));
  CHECK(huge.blocked_share() > 0.8);
}

TEST_CASE("fines: one scheme, exactly 1,000 attendances and 80 breaches", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  add_scheme(setup, "ae", ae_scheme());
  Books books(setup);
  const auto out = books.settle(0, {ed_month(1000, 80)});
  // 50 breaches allowed (5% of 1,000), 30 fined at £120: 3,600, withheld.
  CHECK(out[0].fines == 3600.0);
  CHECK(out[0].fines_by_scheme == std::vector<double>{3600.0});
  CHECK(out[0].fines_withheld == 3600.0);
  CHECK(out[0].fines_reinvested == 0.0);
  CHECK(out[0].fines_pooled == 0.0);
  CHECK(out[0].fines_waived == 0.0);
  CHECK(out[0].surplus == -3600.0);
  CHECK(out[0].cumulative_deficit == 3600.0);
}

TEST_CASE("fines: a scheme's own monthly and yearly caps", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  setup.trusts[0].finance.contract_value_gbp_per_year = 96000.0;  // 8,000 a month
  SECTION("monthly cap 1/8 of a month's contract = 1,000") {
    SchemeParams p = ae_scheme();
    p.cap_share_of_contract_month = 0.125;
    add_scheme(setup, "ae", p);
    Books books(setup);
    for (int m = 0; m < 3; ++m) {
      const auto out = books.settle(m, {ed_month(1000, 80)});
      CHECK(out[0].fines == 1000.0);         // 3,600 assessed, capped at 1,000 every month
      CHECK(out[0].fines_waived == 2600.0);  // cut by the cap
    }
  }
  SECTION("yearly cap 1/32 of the contract = 3,000") {
    SchemeParams p = ae_scheme();
    p.cap_share_of_contract_year = 0.03125;
    add_scheme(setup, "ae", p);
    Books books(setup);
    CHECK(books.settle(0, {ed_month(1000, 80)})[0].fines == 3000.0);  // min(3,600, 3,000 - 0)
    CHECK(books.settle(1, {ed_month(1000, 80)})[0].fines == 0.0);     // 3,000 used up
    for (int m = 2; m < 12; ++m) books.settle(m, {ed_month(1000, 80)});
    CHECK(books.settle(12, {ed_month(1000, 80)})[0].fines == 3000.0);  // April 2016: a new year
  }
}

TEST_CASE("fines: the overall caps scale every scheme down together", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::FinanceParams& f = setup.trusts[0].finance;
  f.contract_value_gbp_per_year = 182400.0;        // 15,200 a month
  f.fines_cap_share_of_contract_month = 0.25;      // 3,800 a month
  f.fines_cap_share_of_contract_year = 0.0546875;  // 7/128 x 182,400 = 9,975 a year
  add_scheme(setup, "ae", ae_scheme());
  add_scheme(setup, "trolley", incident_scheme("ed_trolley_waits_12h", 1000.0, "withheld"));
  TrustMonth tm = ed_month(1000, 80);  // 3,600
  tm.ed.trolley_waits_12h = 4;         // 4,000; together 7,600
  Books books(setup);
  // Months 0 and 1: the monthly cap 3,800 = half of 7,600: 1,800 and 2,000.
  for (int m = 0; m < 2; ++m) {
    const auto out = books.settle(m, {tm});
    CHECK(out[0].fines == 3800.0);
    CHECK(out[0].fines_by_scheme == std::vector<double>{1800.0, 2000.0});
    CHECK(out[0].fines_withheld == 3800.0);
    CHECK(out[0].fines_waived == 3800.0);  // 7,600 assessed - 3,800 levied
  }
  // Month 2: the year has 9,975 - 7,600 = 2,375 left, 2,375/7,600 = 0.3125 of each scheme:
  // 3,600 x 0.3125 = 1,125 and 4,000 x 0.3125 = 1,250.
  auto out = books.settle(2, {tm});
  CHECK(out[0].fines == money(2375.0));
  CHECK(out[0].fines_by_scheme[0] == money(1125.0));
  CHECK(out[0].fines_by_scheme[1] == money(1250.0));
  CHECK(out[0].fines_waived == money(7600.0 - 2375.0));
  // Month 3: nothing left this year; all 7,600 cut.
  out = books.settle(3, {tm});
  CHECK(out[0].fines == 0.0);
  CHECK(out[0].fines_waived == 7600.0);
  for (int m = 4; m < 12; ++m) books.settle(m, {tm});
  CHECK(books.settle(12, {tm})[0].fines == 3800.0);  // April 2016: the year cap starts again
}

TEST_CASE("fines: a scheme in force from mid-year", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  SchemeParams p = ae_scheme();
  p.from = sim::Date{2015, 7, 1};
  add_scheme(setup, "ae", p);
  Books books(setup);
  for (int m = 0; m < 3; ++m) {  // April to June: not yet in force, not even assessed
    const auto out = books.settle(m, {ed_month(1000, 80)});
    CHECK(out[0].fines == 0.0);
    CHECK(out[0].fines_waived == 0.0);
  }
  CHECK(books.settle(3, {ed_month(1000, 80)})[0].fines == 3600.0);  // July
  CHECK(books.settle(4, {ed_month(1000, 80)})[0].fines == 3600.0);
}

TEST_CASE("fines: suspended for trusts taking an enabled incentive fund", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());  // takes the fund (the default)
  setup.trusts.push_back(quiet_trust());
  setup.trusts[1].finance.takes_incentive_fund = false;
  SchemeParams p = ae_scheme();
  p.suspended_for_fund_takers = true;
  add_scheme(setup, "ae", p);
  setup.funds.resize(1);
  setup.funds[0].enabled = true;
  SECTION("fund from April 2015") {
    setup.funds[0].from = sim::Date{2015, 4, 1};
    Books books(setup);
    const auto out = books.settle(0, {ed_month(1000, 80), ed_month(1000, 80)});
    CHECK(out[0].fines == 0.0);
    CHECK(out[0].fines_waived == 3600.0);
    CHECK(out[1].fines == 3600.0);  // the refuser is fined
    CHECK(out[1].fines_waived == 0.0);
  }
  SECTION("fund from April 2016: fined until then") {
    setup.funds[0].from = sim::Date{2016, 4, 1};
    Books books(setup);
    const std::vector<TrustMonth> both{ed_month(1000, 80), ed_month(1000, 80)};
    CHECK(books.settle(0, both)[0].fines == 3600.0);
    for (int m = 1; m < 11; ++m) books.settle(m, both);
    CHECK(books.settle(11, both)[0].fines == 3600.0);  // March 2016
    const auto out = books.settle(12, both);           // April 2016
    CHECK(out[0].fines == 0.0);
    CHECK(out[0].fines_waived == 3600.0);
    CHECK(out[1].fines == 3600.0);
  }
}

TEST_CASE("fines: waiver probability 1 waives everything, 0 nothing", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  SchemeParams p = ae_scheme();
  SECTION("probability 1") {
    p.waiver_probability = 1.0;
    add_scheme(setup, "ae", p);
    Books books(setup);
    for (int m = 0; m < 12; ++m) {
      const auto out = books.settle(m, {ed_month(1000, 80)});
      CHECK(out[0].fines == 0.0);
      CHECK(out[0].fines_waived == 3600.0);
      CHECK(out[0].fines_withheld == 0.0);
    }
  }
  SECTION("probability 0") {
    p.waiver_probability = 0.0;
    add_scheme(setup, "ae", p);
    Books books(setup);
    for (int m = 0; m < 12; ++m) {
      const auto out = books.settle(m, {ed_month(1000, 80)});
      CHECK(out[0].fines == 3600.0);
      CHECK(out[0].fines_waived == 0.0);
    }
  }
}

TEST_CASE("fines reinvested come back after the lag", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  add_scheme(setup, "ae", ae_scheme("reinvested"));  // reinvest_lag_months 3 (the default)
  Books books(setup);
  // April: 3,600 reinvested, due back in July (month 3).
  auto out = books.settle(0, {ed_month(1000, 80)});
  CHECK(out[0].fines_reinvested == 3600.0);
  CHECK(out[0].fines_withheld == 0.0);
  CHECK(out[0].fines_returned == 0.0);
  CHECK(books.settlement().awaiting_return() == 3600.0);
  for (int m = 1; m < 3; ++m) {
    out = books.settle(m, {TrustMonth{}});
    CHECK(out[0].fines_returned == 0.0);
    CHECK(books.settlement().awaiting_return() == 3600.0);
  }
  out = books.settle(3, {TrustMonth{}});
  CHECK(out[0].fines_returned == 3600.0);
  CHECK(out[0].surplus == 3600.0);  // income, nothing else this month
  CHECK(books.settlement().awaiting_return() == 0.0);
  CHECK(books.settle(4, {TrustMonth{}})[0].fines_returned == 0.0);
}

TEST_CASE("pools pay trusts in deficit at the quarter end, never beyond their deficits", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust("north"));                         // T0
  setup.trusts.push_back(quiet_trust("north"));                         // T1
  setup.trusts.push_back(quiet_trust("west"));                          // T2
  setup.trusts.push_back(quiet_trust("south"));                         // T3
  setup.trusts[0].finance.costs.fixed_gbp_per_year = 12000.0;           // 1,000 a month
  setup.trusts[1].finance.costs.fixed_gbp_per_year = 36000.0;           // 3,000 a month
  setup.trusts[2].finance.costs.fixed_gbp_per_year = 24000.0;           // 2,000 a month
  setup.trusts[3].finance.income.other_income_gbp_per_year = 720000.0;  // 60,000 a month
  add_scheme(setup, "handover60", incident_scheme("ambulance_handovers_over_60min", 1000.0, "pooled", "national"));
  add_scheme(setup, "cancelled", incident_scheme("urgent_operations_cancelled_twice", 5000.0, "pooled", "north"));
  add_scheme(setup, "handover30", incident_scheme("ambulance_handovers_30_60min", 200.0, "pooled", "south"));

  std::vector<TrustMonth> months(4);
  months[0].ed.handovers_over_60min = 1;      // 1,000 to national
  months[1].cancer.repeat_cancellations = 1;  // 5,000 to north
  months[3].ed.handovers_over_60min = 2;      // 2,000 to national
  months[3].ed.handovers_30_60min = 1;        // 200 to south
  // Each month: national +3,000, north +5,000, south +200. Surpluses: T0 -1,000 - 1,000 =
  // -2,000; T1 -3,000 - 5,000 = -8,000; T2 -2,000; T3 60,000 - 2,000 - 200 = +57,800.
  Books books(setup);
  for (int m = 0; m < 2; ++m) {
    const auto out = books.settle(m, months);
    for (const MoneyMonth& mm : out) CHECK(mm.pool_payouts == 0.0);  // not a quarter end
  }
  CHECK(books.settlement().pool_balance() == 16400.0);  // 2 x (3,000 + 5,000 + 200)

  // June pays from the deficits at the end of May: T0 4,000, T1 16,000, T2 4,000, T3 none.
  // Pools after June's fines: national 9,000, north 15,000, south 600.
  // national (all regions): 9,000 of 24,000 owed: T0 1,500, T1 6,000, T2 1,500.
  // north, on what is still owed: T0 2,500, T1 10,000 = 12,500 < 15,000: paid in full,
  //   2,500 left. T2 is not in the north.
  // south: only T3, which is in surplus: nobody qualifies, it keeps its 600.
  const auto out = books.settle(2, months);
  CHECK(out[0].pool_payouts == money(4000.0));   // 1,500 + 2,500: all of T0's deficit
  CHECK(out[1].pool_payouts == money(16000.0));  // 6,000 + 10,000: all of T1's deficit
  CHECK(out[2].pool_payouts == money(1500.0));   // national only
  CHECK(out[3].pool_payouts == 0.0);
  CHECK(books.settlement().pool_balance() == money(2500.0 + 600.0));
  // The payouts are income: T0 -2,000 + 4,000 = +2,000 in June.
  CHECK(out[0].surplus == money(2000.0));
}

TEST_CASE("every pound fined is withheld, returned, awaited, paid out of a pool or in one", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust("north"));                        // T0
  setup.trusts.push_back(quiet_trust("south"));                        // T1
  setup.trusts[0].finance.costs.fixed_gbp_per_year = 120000.0;         // 10,000 a month
  setup.trusts[1].finance.income.other_income_gbp_per_year = 21600.0;  // 1,800 a month
  add_scheme(setup, "ae", ae_scheme("withheld"));
  SchemeParams trolley = incident_scheme("ed_trolley_waits_12h", 1000.0, "reinvested");
  trolley.reinvest_lag_months = 2;
  add_scheme(setup, "trolley", trolley);
  add_scheme(setup, "handover60", incident_scheme("ambulance_handovers_over_60min", 1000.0, "pooled", "national"));
  add_scheme(setup, "cancelled", incident_scheme("urgent_operations_cancelled_twice", 5000.0, "pooled", "north"));
  add_scheme(setup, "handover30", incident_scheme("ambulance_handovers_30_60min", 200.0, "pooled", "south"));

  std::vector<TrustMonth> months{ed_month(1000, 80), TrustMonth{}};
  // T0: 3,600 withheld + 1,000 reinvested + 1,000 national + 5,000 north = 10,600 a month.
  months[0].ed.trolley_waits_12h = 1;
  months[0].ed.handovers_over_60min = 1;
  months[0].cancer.repeat_cancellations = 1;
  // T1: 2,000 reinvested + 3,000 national + 200 south = 5,200 a month.
  months[1].ed.trolley_waits_12h = 2;
  months[1].ed.handovers_over_60min = 3;
  months[1].ed.handovers_30_60min = 1;

  Books books(setup);
  double fines = 0, withheld = 0, returned = 0, payouts = 0;
  std::vector<std::vector<MoneyMonth>> ledger;
  for (int m = 0; m < 7; ++m) {  // April to October 2015
    ledger.push_back(books.settle(m, months));
    for (const MoneyMonth& mm : ledger.back()) {
      fines += mm.fines;
      withheld += mm.fines_withheld;
      returned += mm.fines_returned;
      payouts += mm.pool_payouts;
    }
    const models::Settlement& s = books.settlement();
    CHECK(fines == money(withheld + returned + s.awaiting_return() + payouts + s.pool_balance()));
  }
  // Seven months of 15,800: 110,600. Withheld 7 x 3,600 = 25,200. Reinvested 3,000 a month,
  // back two months later: months 0-4 returned in 2-6 (15,000), months 5-6 awaited (6,000).
  // Pooled 9,200 a month: 64,400 paid out or still in the pools.
  CHECK(fines == money(110600.0));
  CHECK(withheld == money(25200.0));
  CHECK(returned == money(15000.0));
  CHECK(books.settlement().awaiting_return() == money(6000.0));
  CHECK(payouts + books.settlement().pool_balance() == money(64400.0));

  // June, from the deficits at the end of May: T0 2 x (10,000 + 10,600) = 41,200; T1
  // 2 x (5,200 - 1,800) = 6,800. Pools: national 12,000, north 15,000, south 600.
  // national: 12,000 / 48,000 = 1/4 of each deficit: T0 10,300, T1 1,700.
  // north: T0 still owed 30,900 > 15,000: all 15,000. south: T1 still owed 5,100 > 600: 600.
  CHECK(ledger[2][0].pool_payouts == money(25300.0));
  CHECK(ledger[2][1].pool_payouts == money(2300.0));
  // September, from the deficits at the end of August. T0: -20,600 in April and May, June
  // -20,600 + 1,000 returned + 25,300 = +5,700, July and August -20,600 + 1,000 = -19,600:
  // 41,200 - 5,700 + 39,200 = 74,700. T1: -3,400 in April and May, June -3,400 + 2,000 +
  // 2,300 = +900, July and August -1,400: 6,800 - 900 + 2,800 = 8,700.
  // national 12,000 of 83,400 owed: T0 12,000 x 74,700/83,400, T1 12,000 x 8,700/83,400;
  // north 15,000 to T0 (still owing more); south 600 to T1 (owing 8,700 - 1,251.8).
  CHECK(ledger[5][0].pool_payouts == money(12000.0 * 74700.0 / 83400.0 + 15000.0));
  CHECK(ledger[5][1].pool_payouts == money(12000.0 * 8700.0 / 83400.0 + 600.0));
  CHECK(books.settlement().pool_balance() == money(9200.0));  // October's fines, not yet paid out
}

TEST_CASE("a deficit is borrowed and the next month pays 3.5% a year on it", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::BorrowingParams& b = setup.trusts[0].finance.borrowing;
  b.opening_cash_gbp = 0.0;
  b.minimum_cash_gbp = 0.0;
  b.revolving_rate = 0.035;
  setup.trusts[0].finance.costs.ed_attendance_gbp = 1200.0;
  Books books(setup);
  // April: 1,000 attendances cost 1.2m with no income: cash 0 - 1.2m, borrowed back to 0.
  auto out = books.settle(0, {ed_month(1000, 0)});
  CHECK(out[0].cost_other == 1.2e6);
  CHECK(out[0].interest == 0.0);
  CHECK(out[0].surplus == -1.2e6);
  CHECK(out[0].debt == 1.2e6);
  CHECK(out[0].cash == 0.0);
  CHECK(out[0].cumulative_deficit == 1.2e6);
  // May, no activity: interest 1.2m x 0.035 / 12 = 3,500, the month's whole deficit, borrowed.
  out = books.settle(1, {TrustMonth{}});
  CHECK(out[0].interest == money(3500.0));
  CHECK(out[0].surplus == money(-3500.0));
  CHECK(out[0].debt == money(1203500.0));
  CHECK(out[0].cumulative_deficit == money(1203500.0));
  // June: 1,203,500 x 0.035 / 12 = 3,510.2083...
  out = books.settle(2, {TrustMonth{}});
  CHECK(out[0].interest == money(1203500.0 * 0.035 / 12.0));
  CHECK(out[0].surplus == money(-1203500.0 * 0.035 / 12.0));
}

TEST_CASE("incentive fund: £1 short of the control total loses the finance part", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  setup.trusts.push_back(quiet_trust());
  // Both earn 1 a month; A's control total 12 a year (3 by June: met exactly), B's 16 (4 by
  // June: £1 short).
  setup.trusts[0].finance.income.other_income_gbp_per_year = 12.0;
  setup.trusts[1].finance.income.other_income_gbp_per_year = 12.0;
  setup.trusts[0].finance.control_total_gbp_per_year = 12.0;
  setup.trusts[1].finance.control_total_gbp_per_year = 16.0;
  setup.funds.resize(1);
  setup.funds[0].enabled = true;
  setup.funds[0].from = sim::Date{2015, 4, 1};
  setup.funds[0].gbp_per_emergency_admission = 280.0;
  TrustMonth tm;
  tm.ed.admissions = 100;  // no tariff: no income from them
  Books books(setup);
  for (int m = 0; m < 2; ++m) {
    const auto out = books.settle(m, {tm, tm});
    CHECK(out[0].income_incentives == 0.0);  // paid quarterly in arrears
    CHECK(out[1].income_incentives == 0.0);
  }
  const auto out = books.settle(2, {tm, tm});
  // Allocation 280 x 300 = 84,000; with no A&E attendances, waiting list or cancer patients
  // every access part is earned. A gets it all; B loses the finance part 0.7 x 84,000 = 58,800.
  CHECK(out[0].income_incentives == money(84000.0));
  CHECK(out[1].income_incentives == money(84000.0 - 58800.0));
  CHECK(out[0].income_incentives - out[1].income_incentives == money(0.7 * 280.0 * 300.0));
  CHECK(out[0].fund_unearned == money(0.0));
  CHECK(out[1].fund_unearned == money(58800.0));
}

TEST_CASE("management: cost control acts behind plan and relaxes back on it", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.finance.income.other_income_gbp_per_year = 768000.0;  // 64,000 a month
  t.finance.costs.ed_attendance_gbp = 1.0;                // costs = attendances
  t.management.lag_months = 1;
  models::CostControlParams& cc = t.management.cost_control;
  cc.enabled = true;
  cc.trigger_share_of_income = 0.015625;  // 1/64: 1,000 for each month of income
  cc.agency_factor = 0.5;
  cc.freeze_recruitment = true;
  cc.close_beds_share = 0.25;
  cc.cancel_sessions_share = 0.125;
  cc.cut_capacity_under_tariff = true;  // every lever (the default spares capacity: next test)
  Books books(setup);
  auto neutral = [&](const Levers& l) {
    CHECK(l.agency_factor == 1.0);
    CHECK_FALSE(l.recruitment_frozen);
    CHECK(l.open_bed_factor == 1.0);
    CHECK(l.theatre_factor == 1.0);
  };
  auto acting = [&](const Levers& l) {
    CHECK(l.agency_factor == 0.5);
    CHECK(l.recruitment_frozen);
    CHECK(l.open_bed_factor == 0.75);  // 1 - 0.25
    CHECK(l.theatre_factor == 0.875);  // 1 - 0.125
  };
  // Control total 0, so "behind" is minus the year-to-date surplus.
  // April: cost 64,000: surplus 0, behind 0.
  auto out = books.settle(0, {ed_month(64000, 0)});
  CHECK_FALSE(out[0].acting.cost_control);
  neutral(books.levers[0]);
  // May: cost 65,000: ytd -1,000, trigger 2,000.
  out = books.settle(1, {ed_month(65000, 0)});
  neutral(books.levers[0]);
  // June: cost 66,000: ytd -3,000, trigger 3,000: on the line, not beyond it.
  out = books.settle(2, {ed_month(66000, 0)});
  CHECK(out[0].surplus == -2000.0);
  neutral(books.levers[0]);
  // July: cost 66,001: ytd -5,001 > 4,000: acts from August.
  out = books.settle(3, {ed_month(66001, 0)});
  CHECK_FALSE(out[0].acting.cost_control);
  acting(books.levers[0]);
  // August: reported acting; cost 62,000: ytd -3,001, inside the 5,000 trigger but still
  // behind plan, so it keeps acting (it relaxes only when back on plan).
  out = books.settle(4, {ed_month(62000, 0)});
  CHECK(out[0].acting.cost_control);
  acting(books.levers[0]);
  // September: still reported acting; cost 60,999: ytd 0, back on plan: relaxes for October.
  out = books.settle(5, {ed_month(60999, 0)});
  CHECK(out[0].acting.cost_control);
  CHECK(out[0].surplus == 3001.0);
  neutral(books.levers[0]);
  out = books.settle(6, {ed_month(64000, 0)});
  CHECK_FALSE(out[0].acting.cost_control);
  neutral(books.levers[0]);
}

TEST_CASE("management: cost control with a two-month lag", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.finance.costs.ed_attendance_gbp = 1.0;
  t.management.lag_months = 2;
  t.management.cost_control.enabled = true;
  t.management.cost_control.trigger_share_of_income = 0.0;  // act on any shortfall
  t.management.cost_control.agency_factor = 0.5;
  Books books(setup);
  // April: a £1 deficit, decided for June. May's levers were decided by nobody: neutral.
  auto out = books.settle(0, {ed_month(1, 0)});
  CHECK(books.levers[0].agency_factor == 1.0);
  // May (back to 0 cost, still £1 behind: still acting, for July): June's levers act.
  out = books.settle(1, {TrustMonth{}});
  CHECK_FALSE(out[0].acting.cost_control);
  CHECK(books.levers[0].agency_factor == 0.5);
  out = books.settle(2, {TrustMonth{}});
  CHECK(out[0].acting.cost_control);  // June
}

TEST_CASE("management: returned fines buy theatre sessions the next month", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.planned_theatre_sessions_per_month = 40.0;
  t.management.lag_months = 1;
  t.management.reinvest_fines.enabled = true;
  t.management.reinvest_fines.gbp_per_theatre_session = 10000.0;
  add_scheme(setup, "trolley", incident_scheme("ed_trolley_waits_12h", 1000.0, "reinvested"));  // lag 3
  TrustMonth fined;
  fined.ed.trolley_waits_12h = 20;  // 20,000 reinvested, back in July
  Books books(setup);
  auto out = books.settle(0, {fined});
  CHECK(out[0].fines_reinvested == 20000.0);
  CHECK(books.levers[0].theatre_factor == 1.0);
  for (int m = 1; m < 3; ++m) {
    out = books.settle(m, {TrustMonth{}});
    CHECK(books.levers[0].theatre_factor == 1.0);
    CHECK(out[0].cost_other == 0.0);
  }
  // July: 20,000 back buys 20,000 / 10,000 = 2 sessions for August: factor 1 + 2/40 = 1.05.
  out = books.settle(3, {TrustMonth{}});
  CHECK(out[0].fines_returned == 20000.0);
  CHECK(out[0].extra_sessions == 0.0);
  CHECK(books.levers[0].theatre_factor == money(1.05));
  // August: the sessions run and the 20,000 is spent.
  out = books.settle(4, {TrustMonth{}});
  CHECK(out[0].extra_sessions == money(2.0));
  CHECK(out[0].cost_other == money(20000.0));
  CHECK(out[0].surplus == money(-20000.0));
  CHECK(books.levers[0].theatre_factor == 1.0);
  out = books.settle(5, {TrustMonth{}});
  CHECK(out[0].cost_other == 0.0);
}

TEST_CASE("commissioner over its allocation restricts referrals to the year end", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  setup.trusts.push_back(quiet_trust());
  setup.trusts.push_back(quiet_trust());  // its own, unlimited commissioner
  for (auto& t : setup.trusts) t.finance.income.ed_attendance_gbp = 100.0;
  setup.trusts[0].commissioner = 0;
  setup.trusts[1].commissioner = 0;
  models::CommissionerParams c;
  c.name = "ccg";
  c.allocation_gbp_per_year = 1.2e6;  // 100,000 a month of the year so far
  c.restricted_referral_share = 0.75;
  setup.commissioners.push_back(c);
  Books books(setup);
  auto shares = [&] {
    return std::vector<double>{books.levers[0].referral_share, books.levers[1].referral_share,
                               books.levers[2].referral_share};
  };
  const std::vector<double> open{1.0, 1.0, 1.0}, restricted{0.75, 0.75, 1.0};
  // April: 500 + 400 attendances x 100 = 90,000 <= 100,000.
  auto out = books.settle(0, {ed_month(500, 0), ed_month(400, 0), ed_month(5000, 0)});
  CHECK(shares() == open);
  // May: 500 + 700 = 120,000: 210,000 > 200,000: restricted from June.
  out = books.settle(1, {ed_month(500, 0), ed_month(700, 0), ed_month(5000, 0)});
  CHECK(out[0].referral_share == 1.0);
  CHECK(shares() == restricted);
  // June to February: no spend, the year-to-date is back under, but the restriction holds.
  for (int m = 2; m < 11; ++m) {
    out = books.settle(m, {TrustMonth{}, TrustMonth{}, TrustMonth{}});
    CHECK(out[0].referral_share == 0.75);
    CHECK(out[1].referral_share == 0.75);
    CHECK(out[2].referral_share == 1.0);
    CHECK(shares() == restricted);
  }
  // March: the year ends; April is open again.
  out = books.settle(11, {TrustMonth{}, TrustMonth{}, TrustMonth{}});
  CHECK(out[0].referral_share == 0.75);
  CHECK(shares() == open);
  // April 2016: a new year at 90,000 <= 100,000.
  out = books.settle(12, {ed_month(500, 0), ed_month(400, 0), TrustMonth{}});
  CHECK(out[0].referral_share == 1.0);
  CHECK(shares() == open);
}

TEST_CASE("commissioner: a reinvested fine is held back, then returned, costing it nothing", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  setup.trusts[0].finance.income.ed_attendance_gbp = 100.0;
  setup.trusts[0].commissioner = 0;
  models::CommissionerParams c;
  c.name = "ccg";
  c.allocation_gbp_per_year = 1.2e6;  // 100,000 a month of the year so far
  c.restricted_referral_share = 0.75;
  setup.commissioners.push_back(c);
  SchemeParams trolley = incident_scheme("ed_trolley_waits_12h", 1000.0, "reinvested");
  trolley.reinvest_lag_months = 1;
  add_scheme(setup, "trolley", trolley);
  TrustMonth tm = ed_month(1000, 0);  // tariff 1,000 x 100 = 100,000: the allocation's twelfth
  tm.ed.trolley_waits_12h = 10;       // 10,000 reinvested, back next month
  Books books(setup);
  // The commissioner pays 100,000 - 10,000 held back in April, then 100,000 - 10,000 +
  // 10,000 returned each later month: year to date 100,000 x months - 10,000, always within
  // 100,000 x months, so it never restricts.
  for (int m = 0; m < 6; ++m) {
    const auto out = books.settle(m, {tm});
    CHECK(out[0].fines_reinvested == 10000.0);
    CHECK(out[0].fines_returned == (m == 0 ? 0.0 : 10000.0));
    CHECK(books.levers[0].referral_share == 1.0);
  }
}

TEST_CASE("management: a recruitment freeze lasts at most freeze_max_months of an episode", "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.finance.income.ed_attendance_gbp = 2.0;  // an attendance earns 2 and costs 1
  t.finance.costs.ed_attendance_gbp = 1.0;
  t.finance.costs.bed_day_gbp = 1.0;         // a bed day costs 1 and earns nothing
  t.management.cost_control.enabled = true;
  t.management.cost_control.trigger_share_of_income = 0.0;
  t.management.cost_control.freeze_recruitment = true;
  t.management.cost_control.freeze_max_months = 2;
  TrustMonth loss, gain;
  loss.wards.occupied_bed_minutes = 1440.0;  // -1
  gain.ed.attendances = 2;                    // +2
  Books books(setup);
  // April: 1 behind plan, cost control acts from May: the freeze covers May and June only,
  // the agency cut goes on while it acts.
  books.settle(0, {loss});
  for (int m = 1; m < 4; ++m) {
    INFO("levers for month " << m);
    CHECK(books.levers[0].agency_factor == 0.5);
    CHECK(books.levers[0].recruitment_frozen == (m <= 2));
    books.settle(m, {TrustMonth{}});
  }
  // August's gain puts it back on plan: September neutral. Losses in September and October
  // start a new episode, which freezes again from November.
  books.settle(4, {gain});
  CHECK(books.levers[0].agency_factor == 1.0);
  CHECK_FALSE(books.levers[0].recruitment_frozen);
  books.settle(5, {loss});
  books.settle(6, {loss});
  CHECK(books.levers[0].agency_factor == 0.5);
  CHECK(books.levers[0].recruitment_frozen);
}

TEST_CASE("management judges the year to date on an accruals basis: CQUIN paid in arrears", "[settlement]") {
  // Income 100,000 a month covers costs; CQUIN 2.5% of a 12m contract (300,000 a year, 75,000
  // a quarter) is paid at the quarter end when the quarter's A&E performance reaches 95%. The
  // control total is the CQUIN: a trust on plan if it earns it.
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.finance.contract_value_gbp_per_year = 12e6;
  t.finance.control_total_gbp_per_year = 300000.0;
  t.finance.income.other_income_gbp_per_year = 1.2e6;
  t.finance.income.cquin_share = 0.025;
  t.finance.income.cquin_earned_on = "ed_4h";
  t.finance.income.cquin_standard = 0.95;
  t.finance.costs.ed_attendance_gbp = 100.0;
  t.management.cost_control.enabled = true;
  t.management.cost_control.trigger_share_of_income = 0.01;
  SECTION("earned: April and May are on plan although the CQUIN is not yet paid") {
    Books books(setup);
    for (int m = 0; m < 6; ++m) {
      const auto out = books.settle(m, {ed_month(1000, 10)});
      INFO("month " << m);
      CHECK(out[0].income_incentives == (m % 3 == 2 ? money(75000.0) : money(0.0)));
      // Cash basis April: 25,000 behind (over 1% of 100,000) would have acted.
      CHECK_FALSE(books.levers[0].recruitment_frozen);
      CHECK(books.levers[0].agency_factor == 1.0);
    }
  }
  SECTION("not earned: the quarter end shows the shortfall and cost control acts") {
    Books books(setup);
    books.settle(0, {ed_month(1000, 100)});
    books.settle(1, {ed_month(1000, 100)});
    CHECK(books.levers[0].agency_factor == 1.0);
    const auto june = books.settle(2, {ed_month(1000, 100)});  // 90%: CQUIN lost
    CHECK(june[0].income_incentives == 0.0);
    CHECK(books.levers[0].agency_factor == 0.5);
  }
}

TEST_CASE("management: protect performance spends while A&E or the list misses, unless the money says no",
          "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.planned_theatre_sessions_per_month = 40.0;
  t.finance.costs.extra_session_premium_gbp = 2000.0;
  t.finance.income.other_income_gbp_per_year = 1.2e6;  // 100,000 a month
  models::ProtectPerformanceParams& pp = t.management.protect_performance;
  pp.enabled = true;
  pp.ed_standard = 0.95;
  pp.agency_factor = 2.0;
  pp.rtt_standard = 0.92;
  pp.extra_sessions_share = 0.1;
  pp.stop_behind_plan_share = 0.02;
  TrustMonth missing = ed_month(1000, 100);  // 90% within 4 hours
  missing.electives.list.waiting = 1000;
  missing.electives.list.over_18w = 100;  // 90% within 18 weeks
  TrustMonth meeting = ed_month(1000, 50);  // exactly 95%, 100% within 18 weeks

  SECTION("meeting both standards: nothing") {
    Books books(setup);
    const auto out = books.settle(0, {meeting});
    CHECK(books.levers[0].agency_factor == 1.0);
    CHECK(books.levers[0].theatre_factor == 1.0);
    CHECK_FALSE(out[0].acting.protect_performance);
  }
  SECTION("missing both: double agency and 4 extra sessions (10% of 40) at 2,000 each, next month") {
    Books books(setup);
    books.settle(0, {missing});
    CHECK(books.levers[0].agency_factor == 2.0);
    CHECK(books.levers[0].theatre_factor == money(1.1));
    const auto may = books.settle(1, {meeting});
    CHECK(may[0].acting.protect_performance);
    CHECK(may[0].extra_sessions == money(4.0));
    CHECK(may[0].cost_other == money(8000.0));
  }
  SECTION("too far behind the control total: the finance director stops it") {
    // Plan 2.4m a year: 200,000 to date in April against a surplus of 100,000: 100% of the
    // year-to-date income behind, beyond 2%.
    t.finance.control_total_gbp_per_year = 2.4e6;
    Books books(setup);
    books.settle(0, {missing});
    CHECK(books.levers[0].agency_factor == 1.0);
    CHECK(books.levers[0].theatre_factor == 1.0);
    // 1% behind (1,000 of 100,000): still spends.
    t.finance.control_total_gbp_per_year = 12.0 * 101000.0;
    Books near(setup);
    near.settle(0, {missing});
    CHECK(near.levers[0].agency_factor == 2.0);
  }
  SECTION("in financial special measures: nothing") {
    t.finance.income.other_income_gbp_per_year = 0.0;
    t.finance.costs.fixed_gbp_per_year = 12e6;  // a 1m deficit in April, over 5% of income
    t.finance.borrowing.special_measures_deficit_share = 0.05;
    pp.stop_behind_plan_share = 1.0;  // the control-total stop alone would let it spend
    t.finance.control_total_gbp_per_year = -12e6;
    Books books(setup);
    books.settle(0, {missing});  // enters special measures for May, when the agency would come
    CHECK(books.levers[0].agency_factor == 1.0);
    CHECK(books.settle(1, {missing})[0].special_measures);
    pp.stop_in_special_measures = false;
    Books allowed(setup);
    allowed.settle(0, {missing});
    CHECK(allowed.levers[0].agency_factor == 2.0);
  }
}

TEST_CASE("management: cost control closes beds and cancels sessions only where activity is not paid by tariff",
          "[settlement]") {
  models::FinanceSetup setup;
  setup.trusts.push_back(quiet_trust());
  models::TrustFinanceSetup& t = setup.trusts[0];
  t.finance.costs.ed_attendance_gbp = 1.0;
  models::CostControlParams& cc = t.management.cost_control;
  cc.enabled = true;
  cc.trigger_share_of_income = 0.0;
  cc.close_beds_share = 0.25;
  cc.cancel_sessions_share = 0.125;
  SECTION("paid by results: agency and recruitment only") {
    Books books(setup);
    books.settle(0, {ed_month(1, 0)});
    CHECK(books.levers[0].agency_factor == 0.5);
    CHECK(books.levers[0].recruitment_frozen);
    CHECK(books.levers[0].open_bed_factor == 1.0);
    CHECK(books.levers[0].theatre_factor == 1.0);
  }
  SECTION("block payment: capacity too") {
    t.finance.income.payment = "block";  // 100,000 a month (the contract value), costs 100,001
    Books books(setup);
    books.settle(0, {ed_month(100001, 0)});
    CHECK(books.levers[0].agency_factor == 0.5);
    CHECK(books.levers[0].open_bed_factor == 0.75);
    CHECK(books.levers[0].theatre_factor == 0.875);
  }
}
