// SPDX-License-Identifier: MIT
// The incentive fund's arithmetic: quarterly earning, the year-end bonus and redistribution.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

#include "models/money/incentive_fund.hpp"

using namespace breachsim;
using models::FundQuarterInput;
using models::FundYearInput;

namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

// At the default £280 an admission, 10,000 emergency admissions are a £2.8m quarter: finance
// 70% = £1.96m, A&E 12.5% = £350k, RTT 12.5% = £350k, cancer 5% = £140k.
FundQuarterInput taker(double admissions) {
  FundQuarterInput t;
  t.emergency_admissions = admissions;
  return t;
}

std::vector<sim::config::Issue> issues_of(const std::string& yaml, models::IncentiveFundParams& p) {
  sim::config::Diagnostics d("fund.yaml");
  sim::config::Reader r(d, YAML::Load(yaml), "incentive_fund");
  p.describe(r);
  r.finish();
  models::check_incentive_fund(p, "incentive_fund", d);
  try {
    d.throw_if_errors();
  } catch (const sim::config::ConfigError& e) {
    return e.issues();
  }
  return {};
}

}  // namespace

TEST_CASE("a quarter: the finance cliff edge and trajectory-or-standard access parts", "[incentive_fund]") {
  const models::IncentiveFundParams p;
  std::vector<FundQuarterInput> trusts(4);

  // A: £1 short of a £5m YTD deficit control total, every standard met: loses all £1.96m of
  // finance, earns 350k + 350k + 140k = £840k.
  trusts[0] = taker(10000);
  trusts[0].ytd_surplus = -5000001;
  trusts[0].ytd_control_total = -5000000;
  trusts[0].ed_within_4h = 0.96;
  trusts[0].rtt_within_18w = 0.93;
  trusts[0].cancer_within_62d = 0.86;

  // B: exactly on its control total keeps the £1.96m. A&E 90% is below the standard but on
  // its 90% trajectory: +£350k. RTT 91% misses both the 92% standard and its 91.5%
  // trajectory; cancer 80% misses both 85%s. Paid £2.31m, unearned 350k + 140k = £490k.
  trusts[1] = taker(10000);
  trusts[1].ytd_surplus = 2000000;
  trusts[1].ytd_control_total = 2000000;
  trusts[1].ed_within_4h = 0.90;
  trusts[1].ed_trajectory = 0.90;
  trusts[1].rtt_within_18w = 0.91;
  trusts[1].rtt_trajectory = 0.915;
  trusts[1].cancer_within_62d = 0.80;

  // C: 5,000 admissions, £1.4m (980k, 175k, 175k, 70k). Ahead of its control total. A&E
  // exactly on the 95% standard and RTT 93% above 92% are met by the standard although below
  // their 97% and 95% trajectories; cancer 83% is below 85% but above its 82% trajectory.
  // Paid the whole £1.4m.
  trusts[2] = taker(5000);
  trusts[2].ytd_surplus = 1000000;
  trusts[2].ed_within_4h = 0.95;
  trusts[2].ed_trajectory = 0.97;
  trusts[2].rtt_within_18w = 0.93;
  trusts[2].rtt_trajectory = 0.95;
  trusts[2].cancer_within_62d = 0.83;
  trusts[2].cancer_trajectory = 0.82;

  // D refuses the fund: no allocation, nothing paid, whatever its activity and performance.
  trusts[3] = taker(8000);
  trusts[3].takes_fund = false;

  const auto pay = models::settle_quarter(p, trusts);
  REQUIRE(pay.size() == 4);

  CHECK(pay[0].allocation == Approx(2800000));
  CHECK(pay[0].finance == 0.0);
  CHECK(pay[0].ed == Approx(350000));
  CHECK(pay[0].rtt == Approx(350000));
  CHECK(pay[0].cancer == Approx(140000));
  CHECK(pay[0].paid() == Approx(840000));
  CHECK(pay[0].unearned() == Approx(1960000));

  CHECK(pay[1].finance == Approx(1960000));
  CHECK(pay[1].ed == Approx(350000));
  CHECK(pay[1].rtt == 0.0);
  CHECK(pay[1].cancer == 0.0);
  CHECK(pay[1].paid() == Approx(2310000));
  CHECK(pay[1].unearned() == Approx(490000));

  CHECK(pay[2].allocation == Approx(1400000));
  CHECK(pay[2].finance == Approx(980000));
  CHECK(pay[2].ed == Approx(175000));
  CHECK(pay[2].rtt == Approx(175000));
  CHECK(pay[2].cancer == Approx(70000));
  // Every part earned: paid() adds the same terms in the same order as the allocation.
  CHECK(pay[2].unearned() == 0.0);

  CHECK(pay[3].allocation == 0.0);
  CHECK(pay[3].paid() == 0.0);
  CHECK(pay[3].unearned() == 0.0);

  // Allocations 2.8m + 2.8m + 1.4m = £7m; paid 0.84m + 2.31m + 1.4m = £4.55m; unearned £2.45m.
  double allocated = 0, paid = 0, unearned = 0;
  for (const auto& q : pay) {
    allocated += q.allocation;
    paid += q.paid();
    unearned += q.unearned();
  }
  CHECK(allocated == Approx(7000000));
  CHECK(paid == Approx(4550000));
  CHECK(unearned == Approx(2450000));
  CHECK(allocated == Approx(paid + unearned).epsilon(1e-15));
}

TEST_CASE("without the finance condition the finance part is paid whatever the finances", "[incentive_fund]") {
  models::IncentiveFundParams p;
  p.finance_condition = false;
  FundQuarterInput t = taker(10000);
  t.ytd_surplus = -9000000;  // £9m behind
  t.ed_within_4h = 0.5;
  t.ed_trajectory = 0.6;
  // Finance £1.96m paid regardless; A&E misses both 95% and 60%: £350k unearned.
  const auto pay = models::settle_quarter(p, {t});
  CHECK(pay[0].finance == Approx(1960000));
  CHECK(pay[0].ed == 0.0);
  CHECK(pay[0].unearned() == Approx(350000));
}

TEST_CASE("the 2017/18 variant ties the whole access element to A&E", "[incentive_fund]") {
  models::IncentiveFundParams p;
  p.ed_share = 0.30;
  p.rtt_share = 0.0;
  p.cancer_share = 0.0;
  // 10,000 admissions: finance 70% = £1.96m, A&E 30% = £840k, RTT and cancer nothing.
  FundQuarterInput x = taker(10000);  // on its control total, A&E 88% below its 90% trajectory
  x.ed_within_4h = 0.88;
  x.ed_trajectory = 0.90;
  x.rtt_within_18w = 0.5;
  x.cancer_within_62d = 0.5;
  FundQuarterInput y = taker(10000);  // £1 behind, A&E 90% above its 89% trajectory
  y.ytd_surplus = -1;
  y.ed_within_4h = 0.90;
  y.ed_trajectory = 0.89;
  const auto pay = models::settle_quarter(p, {x, y});

  CHECK(pay[0].allocation == Approx(2800000));
  CHECK(pay[0].finance == Approx(1960000));
  CHECK(pay[0].ed == 0.0);
  CHECK(pay[0].unearned() == Approx(840000));
  // Missing RTT and cancer costs nothing when they carry no share.
  CHECK(pay[0].rtt == 0.0);
  CHECK(pay[0].cancer == 0.0);

  CHECK(pay[1].finance == 0.0);
  CHECK(pay[1].ed == Approx(840000));
  CHECK(pay[1].unearned() == Approx(1960000));
}

namespace {

// Year-end cast, allocations in £m-sized round numbers:
//   P beats a £1m control total by £2m (allocation £10m)
//   Q beats a zero control total by £0.5m (allocation £4m)
//   R lands exactly on a £2m deficit control total (allocation £6m): no bonus, but qualifies
//   S misses its control total (allocation £8m): neither
//   T refused the fund, although £10m ahead of a zero control total: neither
std::vector<FundYearInput> year_cast() {
  std::vector<FundYearInput> t(5);
  t[0] = {true, 3e6, 1e6, 10e6};
  t[1] = {true, 0.5e6, 0, 4e6};
  t[2] = {true, -2e6, -2e6, 6e6};
  t[3] = {true, -3e6, -1e6, 8e6};
  t[4] = {false, 10e6, 0, 0};
  return t;
}

}  // namespace

TEST_CASE("year end with unearned money short: bonuses scaled down pro rata, nothing to redistribute",
          "[incentive_fund]") {
  const models::IncentiveFundParams p;
  // Claims £2m + £0.5m = £2.5m against £1m: each scaled by 0.4, P £800k, Q £200k.
  const auto r = models::settle_year(p, 1e6, year_cast());
  CHECK(r.bonus[0] == Approx(800000));
  CHECK(r.bonus[1] == Approx(200000));
  CHECK(r.bonus[2] == 0.0);
  CHECK(r.bonus[3] == 0.0);
  CHECK(r.bonus[4] == 0.0);
  CHECK(sum(r.redistributed) == 0.0);
  CHECK(r.returned_to_centre == 0.0);
  CHECK(sum(r.bonus) == Approx(1e6));
}

TEST_CASE("year end with money left over: bonuses in full, the rest pro rata to allocations", "[incentive_fund]") {
  models::IncentiveFundParams p;
  SECTION("bonus and redistribution") {
    // £4.5m: bonuses P £2m, Q £0.5m; £2m left to P, Q, R (allocations 10 + 4 + 6 = £20m):
    // P £1m, Q £400k, R £600k.
    const auto r = models::settle_year(p, 4.5e6, year_cast());
    CHECK(r.bonus[0] == Approx(2e6));
    CHECK(r.bonus[1] == Approx(0.5e6));
    CHECK(r.redistributed[0] == Approx(1e6));
    CHECK(r.redistributed[1] == Approx(400000));
    CHECK(r.redistributed[2] == Approx(600000));
    CHECK(r.redistributed[3] == 0.0);
    CHECK(r.redistributed[4] == 0.0);
    CHECK(r.returned_to_centre == 0.0);
    CHECK(sum(r.bonus) + sum(r.redistributed) == Approx(4.5e6));
  }
  SECTION("no bonus: all of it redistributed") {
    // £4.5m over £20m of qualifying allocations: P £2.25m, Q £0.9m, R £1.35m.
    p.bonus_for_beating_control_total = false;
    const auto r = models::settle_year(p, 4.5e6, year_cast());
    CHECK(sum(r.bonus) == 0.0);
    CHECK(r.redistributed[0] == Approx(2.25e6));
    CHECK(r.redistributed[1] == Approx(0.9e6));
    CHECK(r.redistributed[2] == Approx(1.35e6));
    CHECK(r.returned_to_centre == 0.0);
  }
  SECTION("no redistribution: what the bonuses leave returns to the centre") {
    // £4.5m - £2.5m of bonuses = £2m.
    p.redistribute_unearned = false;
    const auto r = models::settle_year(p, 4.5e6, year_cast());
    CHECK(sum(r.bonus) == Approx(2.5e6));
    CHECK(sum(r.redistributed) == 0.0);
    CHECK(r.returned_to_centre == Approx(2e6));
  }
}

TEST_CASE("year end with nobody at or above a control total: everything returns to the centre", "[incentive_fund]") {
  const models::IncentiveFundParams p;
  // S misses; T is far ahead but refused the fund; U is £1 short.
  std::vector<FundYearInput> t = {year_cast()[3], year_cast()[4], {true, -1, 0, 5e6}};
  const auto r = models::settle_year(p, 3e6, t);
  CHECK(sum(r.bonus) == 0.0);
  CHECK(sum(r.redistributed) == 0.0);
  CHECK(r.returned_to_centre == 3e6);
  CHECK_THROWS_AS(models::settle_year(p, -1.0, t), std::invalid_argument);
}

TEST_CASE("conservation: allocation = paid + unearned, and the year end spends exactly the unearned money",
          "[incentive_fund]") {
  // 60 trusts with scattered activity, finances and performance (a fixed linear congruential
  // sequence, so the test never changes), settled over the four quarters of a year.
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
  };
  const models::IncentiveFundParams p;
  std::vector<FundYearInput> year(60);
  double unearned_total = 0, allocated_total = 0, paid_total = 0;
  for (int quarter = 0; quarter < 4; ++quarter) {
    std::vector<FundQuarterInput> q(60);
    for (auto& t : q) {
      t.takes_fund = next() < 0.95;
      t.emergency_admissions = std::floor(2000 + 15000 * next());
      t.ytd_surplus = 1e7 * (next() - 0.5);
      t.ytd_control_total = 1e7 * (next() - 0.5);
      t.ed_within_4h = 0.8 + 0.2 * next();
      t.rtt_within_18w = 0.8 + 0.2 * next();
      t.cancer_within_62d = 0.7 + 0.3 * next();
      t.ed_trajectory = 0.85 + 0.1 * next();
    }
    const auto pay = models::settle_quarter(p, q);
    for (std::size_t i = 0; i < q.size(); ++i) {
      CHECK(pay[i].unearned() >= 0.0);
      CHECK(pay[i].allocation == Approx(pay[i].paid() + pay[i].unearned()).epsilon(1e-15));
      allocated_total += pay[i].allocation;
      paid_total += pay[i].paid();
      unearned_total += pay[i].unearned();
      year[i].allocation += pay[i].allocation;
    }
  }
  CHECK(allocated_total == Approx(paid_total + unearned_total).epsilon(1e-12));
  for (auto& t : year) {
    t.takes_fund = t.allocation > 0;
    t.surplus = 2e7 * (next() - 0.5);
    t.control_total = 2e7 * (next() - 0.5);
  }
  // Both regimes: the year's unearned money (about £285m) covers the bonus claims (about
  // £170m) and leaves some to redistribute; a tenth of it is short and goes in bonuses alone.
  for (const double pot : {unearned_total, unearned_total / 10}) {
    const auto r = models::settle_year(p, pot, year);
    CHECK(sum(r.bonus) + sum(r.redistributed) + r.returned_to_centre == Approx(pot).epsilon(1e-12));
    for (std::size_t i = 0; i < year.size(); ++i) {
      CHECK(r.bonus[i] >= 0.0);
      CHECK(r.redistributed[i] >= 0.0);
    }
    CHECK((sum(r.redistributed) > 0.0) == (pot == unearned_total));
  }
}

TEST_CASE("the fund settles only the quarters of its window, and only when enabled", "[incentive_fund]") {
  models::IncentiveFundParams p;
  CHECK_FALSE(models::fund_applies(p, {2016, 4, 1}));
  p.enabled = true;
  p.to = {2018, 4, 1};
  CHECK_FALSE(models::fund_applies(p, {2016, 1, 1}));
  CHECK(models::fund_applies(p, {2016, 4, 1}));
  CHECK(models::fund_applies(p, {2018, 1, 1}));
  CHECK_FALSE(models::fund_applies(p, {2018, 4, 1}));
}

TEST_CASE("check_incentive_fund: shares that do not sum to 1 and an empty window", "[incentive_fund]") {
  SECTION("errors, placed where the keys were read") {
    // 0.7 + 0.3 + 0.125 + the default 0.05 = 1.175.
    models::IncentiveFundParams p;
    const auto issues = issues_of(
        "enabled: true\n"
        "finance_share: 0.7\n"
        "ed_share: 0.3\n"
        "rtt_share: 0.125\n"
        "from: 2018-04-01\n"
        "to: 2017-04-01\n",
        p);
    REQUIRE(issues.size() == 2);
    CHECK(issues[0].path == "incentive_fund.finance_share");
    CHECK(issues[0].message == "finance_share, ed_share, rtt_share and cancer_share must sum to 1 (got 1.175)");
    CHECK(issues[0].line == 2);
    CHECK(issues[0].column == 16);
    CHECK(issues[1].path == "incentive_fund.to");
    CHECK(issues[1].message == "must be after from (2018-04-01)");
    CHECK(issues[1].line == 6);
    CHECK(issues[1].column == 5);
    for (const auto& i : issues) CHECK(i.file == "fund.yaml");
  }
  SECTION("the 2016/17 defaults and the 2017/18 variant pass") {
    models::IncentiveFundParams defaults;
    CHECK(issues_of("enabled: true\n", defaults).empty());
    models::IncentiveFundParams variant;
    CHECK(issues_of("enabled: true\ned_share: 0.3\nrtt_share: 0\ncancer_share: 0\nto: 2019-04-01\n", variant).empty());
    CHECK(variant.ed_share == 0.3);
    CHECK(variant.to == sim::Date{2019, 4, 1});
  }
}
