// SPDX-License-Identifier: MIT
// The league table's consequences as a timetable: what each decision does to which months,
// worked by hand from the rules in models/regulator/oversight.hpp.
#include <catch2/catch.hpp>

#include "models/regulator/oversight.hpp"
#include "models/regulator/regulator.hpp"

using namespace breachsim;
using models::Oversight;

namespace {

const std::vector<double> no_surplus(3, 0.0);

std::vector<int> team_months(const Oversight& o, std::size_t t, int until) {
  std::vector<int> months;
  for (int m = 0; m < until; ++m)
    if (o.in_month(t, m).turnaround_team) months.push_back(m);
  return months;
}

}  // namespace

TEST_CASE("a turnaround team starts after its lag, stays its duration and is not sent twice", "[oversight]") {
  models::TurnaroundParams p;
  p.enabled = true;
  p.segment = 5;
  p.lag_months = 1;
  p.duration_months = 3;
  p.cost_gbp_per_month = 100000;
  p.productivity_factor = 1.05;
  Oversight o(3);
  // Ranked at the end of month 2: trust 0 in segment 5, trust 1 in 4, trust 2 in 1.
  o.after_ranking(2, {5, 4, 1}, no_surplus, &p, nullptr, nullptr, nullptr);
  // Month 3 is the lag; the team works months 4, 5 and 6.
  CHECK(team_months(o, 0, 20) == std::vector<int>{4, 5, 6});
  CHECK(team_months(o, 1, 20).empty());
  CHECK(o.in_month(0, 4).turnaround_cost == 100000);
  CHECK(o.in_month(0, 3).turnaround_cost == 0);
  CHECK(o.in_month(0, 5).productivity_factor == 1.05);
  CHECK(o.in_month(0, 7).productivity_factor == 1.0);
  // Still in segment 5 at the next quarter end, while its team works: no second team.
  o.after_ranking(5, {5, 4, 1}, no_surplus, &p, nullptr, nullptr, nullptr);
  CHECK(team_months(o, 0, 20) == std::vector<int>{4, 5, 6});
  // Once the team has gone, a trust still failing gets another.
  o.after_ranking(8, {5, 5, 1}, no_surplus, &p, nullptr, nullptr, nullptr);
  CHECK(team_months(o, 0, 20) == std::vector<int>{10, 11, 12});  // months before the ranking are past
  CHECK(team_months(o, 1, 20) == std::vector<int>{10, 11, 12});
  // Not in force (null) or off: no decision.
  p.enabled = false;
  o.after_ranking(14, {5, 5, 5}, no_surplus, &p, nullptr, nullptr, nullptr);
  o.after_ranking(17, {5, 5, 5}, no_surplus, nullptr, nullptr, nullptr, nullptr);
  CHECK(team_months(o, 2, 40).empty());
}

TEST_CASE("management is replaced after consecutive failing quarters: disruption, then effect", "[oversight]") {
  models::ManagementReplacementParams p;
  p.enabled = true;
  p.segment = 5;
  p.after_quarters = 2;
  p.disruption_months = 2;
  p.disruption_productivity_factor = 0.9;
  p.effect_months = 3;
  p.effect_productivity_factor = 1.1;
  Oversight o(3);
  o.after_ranking(2, {5, 5, 1}, no_surplus, nullptr, &p, nullptr, nullptr);
  o.after_ranking(5, {5, 4, 1}, no_surplus, nullptr, &p, nullptr, nullptr);  // trust 1 recovers: its count restarts
  // Trust 0 failed at months 2 and 5: new management arrives in month 6, disrupted in 6-7,
  // better in 8-10.
  for (int m = 3; m < 14; ++m) {
    INFO("month " << m);
    CHECK(o.in_month(0, m).management_replaced == (m == 6));
    const double expected = m == 6 || m == 7 ? 0.9 : m >= 8 && m <= 10 ? 1.1 : 1.0;
    CHECK(o.productivity(0, m) == expected);
    CHECK(o.in_month(1, m).productivity_factor == 1.0);
    CHECK_FALSE(o.in_month(0, m).turnaround_team);
  }
  o.after_ranking(8, {5, 5, 1}, no_surplus, nullptr, &p, nullptr, nullptr);
  // Failing at 8 and 11: the effect ended with month 10, so new management again in 12; trust
  // 1 failed at 8 and 11 too.
  o.after_ranking(11, {5, 5, 1}, no_surplus, nullptr, &p, nullptr, nullptr);
  CHECK(o.in_month(0, 12).management_replaced);
  CHECK(o.in_month(1, 12).management_replaced);

  // While the new management's effect lasts, failing quarters do not replace it again.
  p.effect_months = 12;
  Oversight slow(1);
  std::vector<int> replaced;
  for (int quarter_end = 2; quarter_end <= 20; quarter_end += 3) {
    slow.after_ranking(quarter_end, {5}, {0.0}, nullptr, &p, nullptr, nullptr);
    if (slow.in_month(0, quarter_end + 1).management_replaced) replaced.push_back(quarter_end + 1);
  }
  // Replaced in 6 (failing at 2 and 5); effect until month 19; replaced again after the
  // quarter end of month 20.
  CHECK(replaced == std::vector<int>{6, 21});
}

TEST_CASE("a team and new management multiply their productivity effects", "[oversight]") {
  models::TurnaroundParams team;
  team.enabled = true;
  team.lag_months = 0;
  team.duration_months = 12;
  team.productivity_factor = 1.05;
  models::ManagementReplacementParams mgmt;
  mgmt.enabled = true;
  mgmt.after_quarters = 1;
  mgmt.disruption_months = 3;
  mgmt.disruption_productivity_factor = 0.96;
  Oversight o(1);
  o.after_ranking(2, {5}, {0.0}, &team, &mgmt, nullptr, nullptr);
  CHECK(o.productivity(0, 3) == Approx(1.05 * 0.96).epsilon(1e-15));
}

TEST_CASE("the recruitment penalty lasts until the next quarter end", "[oversight]") {
  models::RecruitmentPenaltyParams p;
  p.enabled = true;
  p.segment = 4;
  p.recruitment_factor = 0.8;
  Oversight o(3);
  CHECK(o.in_month(0, 0).recruitment_factor == 1.0);
  o.after_ranking(2, {4, 3, 5}, no_surplus, nullptr, nullptr, &p, nullptr);
  CHECK(o.in_month(0, 3).recruitment_factor == 0.8);
  CHECK(o.in_month(1, 3).recruitment_factor == 1.0);
  CHECK(o.in_month(2, 3).recruitment_factor == 0.8);
  o.after_ranking(5, {1, 4, 5}, no_surplus, nullptr, nullptr, &p, nullptr);
  CHECK(o.in_month(0, 6).recruitment_factor == 1.0);
  CHECK(o.in_month(1, 6).recruitment_factor == 0.8);
  o.no_ranking();  // no table this quarter: nobody is named
  CHECK(o.in_month(1, 9).recruitment_factor == 1.0);
  CHECK(o.in_month(2, 9).recruitment_factor == 1.0);
}

TEST_CASE("capital freedom commits a share of the year's surplus and spends it after the lag", "[oversight]") {
  models::CapitalFreedomParams p;
  p.enabled = true;
  p.segment = 1;
  p.surplus_share = 0.5;
  p.lag_months = 4;
  Oversight o(3);
  auto committed = o.after_ranking(2, {1, 2, 1}, {10e6, 20e6, -5e6}, nullptr, nullptr, nullptr, &p);
  CHECK(committed == std::vector<double>{5e6, 0.0, 0.0});  // trust 1 is not in segment 1, trust 2 has no surplus
  CHECK(o.in_month(0, 6).capital_own == 5e6);
  CHECK(o.in_month(0, 5).capital_own == 0.0);
  // The next quarter: half of what the year's surplus grew beyond what was committed.
  committed = o.after_ranking(5, {1, 1, 1}, {14e6, 20e6, -1e6}, nullptr, nullptr, nullptr, &p);
  CHECK(committed == std::vector<double>{4.5e6, 10e6, 0.0});
  CHECK(o.in_month(0, 9).capital_own == 4.5e6);
  // A new financial year starts from nothing committed.
  o.start_year();
  committed = o.after_ranking(14, {1, 1, 1}, {2e6, 0.0, 0.0}, nullptr, nullptr, nullptr, &p);
  CHECK(committed == std::vector<double>{1e6, 0.0, 0.0});
  CHECK(o.in_month(0, 18).capital_awarded == 0.0);
}

TEST_CASE("capital rewards: top and next ranks for performance, and for improvement a year on", "[oversight]") {
  models::CapitalRewardsParams p;
  p.top_n = 2;
  p.top_gbp = 2e6;
  p.next_n = 2;
  p.next_gbp = 1e6;
  p.lag_months = 3;
  Oversight o(6);
  // Trusts 3 and 4 tie for the best value: both are in the top two, in their listed order.
  const std::vector<double> year1 = {0.80, 0.85, 0.70, 0.90, 0.90, 0.60};
  auto award = o.award_capital(11, year1, p);
  CHECK(award == std::vector<double>{1e6, 1e6, 0.0, 2e6, 2e6, 0.0});  // no improvement without a year of history
  CHECK(o.in_month(3, 14).capital_awarded == 2e6);
  // A year later: performance as before, improvement over month 11.
  const std::vector<double> year2 = {0.81, 0.86, 0.78, 0.89, 0.90, 0.70};
  award = o.award_capital(23, year2, p);
  // Performance: 4 (0.90), 3 (0.89) top; 1 (0.86), 0 (0.81) next.
  // Improvement: 5 (+0.10), 2 (+0.08) top; 0 and 1 (+0.01 each, 0 listed first) next.
  CHECK(award[0] == Approx(1e6 + 1e6));
  CHECK(award[1] == Approx(1e6 + 1e6));
  CHECK(award[2] == Approx(2e6));
  CHECK(award[3] == Approx(2e6));
  CHECK(award[4] == Approx(2e6));
  CHECK(award[5] == Approx(2e6));
  p.for_improvement = false;
  award = o.award_capital(35, year2, p);
  CHECK(award == std::vector<double>{1e6, 1e6, 0.0, 2e6, 2e6, 0.0});
}

TEST_CASE("check_regulator: consequences need the league table, periods must start before they end", "[oversight]") {
  models::RegulatorParams p;
  {
    sim::config::Diagnostics d("c.yaml");
    models::check_regulator(p, "regulator", d);
    CHECK(d.issues().empty());
  }
  p.turnaround.enabled = true;
  p.capital_freedom.enabled = true;
  p.capital_rewards.enabled = true;  // ranks on 4 hours alone: no league table needed
  p.capital_rewards.award_month = 4;
  p.recruitment_penalty.to = p.recruitment_penalty.from;
  sim::config::Diagnostics d("c.yaml");
  models::check_regulator(p, "regulator", d);
  std::vector<std::string> at;
  for (const auto& issue : d.issues()) at.push_back(issue.path);
  CHECK(at == std::vector<std::string>{"regulator.recruitment_penalty.to", "regulator.capital_rewards.award_month",
                                       "regulator.turnaround.enabled", "regulator.capital_freedom.enabled"});
  p.league_table.enabled = true;
  p.capital_rewards.award_month = 3;
  p.recruitment_penalty.to = sim::Date{2100, 1, 1};
  sim::config::Diagnostics fine("c.yaml");
  models::check_regulator(p, "regulator", fine);
  CHECK(fine.issues().empty());
}
