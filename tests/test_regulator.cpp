// SPDX-License-Identifier: MIT
// The regulator's agency rules in a simulated trust: a ban removes agency cover for the
// banned group only and from its date, the national price cap sets what agency costs, and a
// spend ceiling holds agency spend near its share of the pay bill.
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/regulator/league_table.hpp"
#include "models/run/run.hpp"

using namespace breachsim;
using models::StaffGroup;

namespace {

struct Months {
  std::vector<models::TrustMonth> clinical;
  std::vector<models::MoneyMonth> money;
};

// One trust month by month, with the settlement's levers fed back as the run does.
Months run(const models::Scenario& s, std::uint32_t replication) {
  const models::ScenarioSetup setup(s);
  const auto& cal = setup.calendar;
  models::Trust trust(setup.trust_setups[0], cal, sim::StreamKey{5, replication, 0});
  models::Settlement settlement(setup.finance, cal, 5, replication);
  std::vector<models::Levers> levers;
  Months out;
  for (int m = -cal.warmup_months(); m < cal.months(); ++m) {
    const models::TrustMonth tm = trust.run_month(cal.month_start(m + 1));
    if (m < 0) continue;
    out.money.push_back(settlement.settle(m, {tm}, levers)[0]);
    out.clinical.push_back(tm);
    trust.set_levers(levers[0]);
  }
  return out;
}

models::Scenario one_trust() {
  models::Scenario s;
  s.scenario.months = 6;  // April to September 2015
  s.scenario.warmup_months = 1;
  models::TrustParams t;
  t.name = "T";
  s.trusts.push_back(t);
  return s;
}

double agency(const models::TrustMonth& tm, StaffGroup g) { return tm.staff[static_cast<std::size_t>(g)].agency_wte; }

// Four trusts whose A&E staffing and fixed costs differ, so the league table separates them.
models::Scenario four_trusts(int months) {
  models::Scenario s;
  s.scenario.months = months;
  s.scenario.warmup_months = 1;
  const double staffing[] = {1.0, 0.95, 0.97, 1.02}, fixed[] = {1.0, 0.97, 1.05, 1.1};
  for (int i = 0; i < 4; ++i) {
    models::TrustParams t;
    t.name = "T" + std::to_string(i);
    t.staffing.ed_clinicians.establishment_wte *= staffing[i];
    t.finance.costs.fixed_gbp_per_year *= fixed[i];
    s.trusts.push_back(t);
  }
  s.regulator.league_table.enabled = true;
  return s;
}

}  // namespace

TEST_CASE("an agency ban removes agency cover for the banned group only, from its date", "[regulator]") {
  const models::Scenario free = one_trust();
  models::Scenario banned = free;
  banned.regulator.agency.banned.ward_nurses = true;
  banned.regulator.agency.from = sim::Date{2015, 7, 1};
  const Months a = run(free, 0), b = run(banned, 0);
  for (std::size_t m = 0; m < 6; ++m) {
    INFO("month " << m);
    if (m < 3) CHECK(agency(b.clinical[m], StaffGroup::ward_nurses) == agency(a.clinical[m], StaffGroup::ward_nurses));
    else CHECK(agency(b.clinical[m], StaffGroup::ward_nurses) == 0.0);
    CHECK(agency(a.clinical[m], StaffGroup::ward_nurses) > 0.0);
    // The other groups keep their cover, to the last decimal (same staff, same draws).
    CHECK(agency(b.clinical[m], StaffGroup::ed_clinicians) == agency(a.clinical[m], StaffGroup::ed_clinicians));
    CHECK(agency(b.clinical[m], StaffGroup::theatre_teams) == agency(a.clinical[m], StaffGroup::theatre_teams));
    CHECK(agency(b.clinical[m], StaffGroup::ed_clinicians) > 0.0);
  }
}

TEST_CASE("the national agency price cap sets what agency staff cost", "[regulator]") {
  models::Scenario uncapped = one_trust();
  uncapped.trusts[0].finance.costs.agency_premium = 1.0;  // twice basic pay
  models::Scenario capped = uncapped;
  capped.regulator.agency.price_cap = 0.55;
  capped.regulator.agency.from = sim::Date{2015, 6, 1};
  const Months a = run(uncapped, 1), b = run(capped, 1);
  for (std::size_t m = 0; m < 6; ++m) {
    INFO("month " << m);
    REQUIRE(a.money[m].cost_agency > 0.0);
    const double expected = m < 2 ? 1.0 : 1.55 / 2.0;  // the same staff at 155% instead of 200%
    CHECK(b.money[m].cost_agency == Approx(expected * a.money[m].cost_agency).epsilon(1e-12));
  }
}

TEST_CASE("an agency spend ceiling holds agency spend near its share of the pay bill", "[regulator]") {
  const models::Scenario free = one_trust();
  const Months a = run(free, 2);
  const double share = a.money[0].cost_agency / (a.money[0].cost_pay + a.money[0].cost_agency);
  models::Scenario ceiling = free;
  ceiling.regulator.agency.spend_ceiling_share_of_pay = share / 2.0;
  const Months b = run(ceiling, 2);
  for (std::size_t m = 1; m < 6; ++m) {
    const double now = b.money[m].cost_agency / (b.money[m].cost_pay + b.money[m].cost_agency);
    INFO("month " << m << ": agency " << now << " of the pay bill, ceiling " << share / 2.0);
    CHECK(now == Approx(share / 2.0).epsilon(0.1));
    CHECK(b.money[m].cost_agency < a.money[m].cost_agency);
  }
}

TEST_CASE("the league table ranks the trusts each quarter on what the run measured", "[regulator][threads]") {
  // Four trusts, A&E staffing and fixed costs spread so the indicators disagree. The ranks and
  // segments in the outputs must be rank_trusts() of the quarter recomputed from the outputs.
  const models::Scenario s = four_trusts(12);
  const auto run = models::run_replications(models::ScenarioSetup(s), 3, 2, 2);
  using M = models::Metric;
  for (std::size_t r = 0; r < run.replications; ++r) {
    std::vector<double> ytd_income(4, 0.0), ytd_surplus(4, 0.0);
    for (std::size_t m = 0; m < 12; ++m) {
      for (std::size_t t = 0; t < 4; ++t) {
        ytd_income[t] += run.trust_month(M::income_activity, r, t, m) + run.trust_month(M::income_other, r, t, m) +
                         run.trust_month(M::income_incentives, r, t, m) + run.trust_month(M::fines_returned, r, t, m) +
                         run.trust_month(M::pool_payouts, r, t, m);
        ytd_surplus[t] += run.trust_month(M::surplus, r, t, m);
      }
      if (m % 3 != 2) {
        for (std::size_t t = 0; t < 4; ++t)
          CHECK(run.trust_month(M::league_rank, r, t, m) == (m < 2 ? 0.0 : run.trust_month(M::league_rank, r, t, m - 1)));
        continue;
      }
      std::vector<models::LeagueTrustQuarter> quarter(4);
      for (std::size_t t = 0; t < 4; ++t) {
        double attendances = 0, breaches = 0, trolley = 0, admissions = 0, treated = 0, late = 0;
        for (std::size_t k = m - 2; k <= m; ++k) {
          attendances += run.trust_month(M::ed_attendances, r, t, k);
          breaches += run.trust_month(M::ed_breaches_4h, r, t, k);
          trolley += run.trust_month(M::ed_trolley_waits_12h, r, t, k);
          admissions += run.trust_month(M::emergency_admissions, r, t, k);
          treated += run.trust_month(M::cancer_treated, r, t, k);
          late += run.trust_month(M::cancer_breaches_62d, r, t, k);
        }
        quarter[t].ed_within_4h = 1.0 - breaches / attendances;
        quarter[t].trolley_waits_per_1000 = 1000.0 * trolley / admissions;
        quarter[t].rtt_within_18w = 1.0 - run.trust_month(M::rtt_over_18w, r, t, m) / run.trust_month(M::rtt_waiting, r, t, m);
        quarter[t].cancer_within_62d = 1.0 - late / treated;
        quarter[t].surplus_share_of_income = ytd_surplus[t] / ytd_income[t];
      }
      const auto expected = models::rank_trusts(s.regulator.league_table, quarter);
      std::vector<int> ranks;
      for (std::size_t t = 0; t < 4; ++t) {
        INFO("replication " << r << ", month " << m << ", trust " << t);
        CHECK(run.trust_month(M::league_rank, r, t, m) == expected.rank[t]);
        CHECK(run.trust_month(M::league_segment, r, t, m) == expected.segment[t]);
        ranks.push_back(expected.rank[t]);
      }
      std::sort(ranks.begin(), ranks.end());
      CHECK(ranks == std::vector<int>{1, 2, 3, 4});
    }
  }
}

TEST_CASE("agency rules must start before they end", "[regulator]") {
  models::AgencyRulesParams p;
  p.from = sim::Date{2016, 4, 1};
  p.to = sim::Date{2016, 4, 1};
  sim::config::Diagnostics d("regulator.yaml");
  models::check_agency_rules(p, "regulator.agency", d);
  REQUIRE(d.issues().size() == 1);
  CHECK(d.issues()[0].path == "regulator.agency.to");
  CHECK(d.issues()[0].message == "must be after from (2016-04-01), or the rules are never in force");
  CHECK_FALSE(p.in_force(sim::Date{2016, 4, 1}));
  p.to = sim::Date{2016, 5, 1};
  sim::config::Diagnostics fine("regulator.yaml");
  models::check_agency_rules(p, "regulator.agency", fine);
  CHECK(fine.issues().empty());
  CHECK(p.in_force(sim::Date{2016, 4, 1}));
  CHECK_FALSE(p.in_force(sim::Date{2016, 5, 1}));
  CHECK_FALSE(p.in_force(sim::Date{2016, 3, 1}));
}


TEST_CASE("turnaround teams and the recruitment penalty follow the league table on their stated dates", "[regulator][threads]") {
  models::Scenario s = four_trusts(18);  // April 2015 to September 2016
  models::TurnaroundParams& team = s.regulator.turnaround;
  team.enabled = true;
  team.segment = 4;
  team.lag_months = 1;
  team.duration_months = 4;
  team.from = sim::Date{2015, 7, 1};  // decisions at the ends of September and December 2015 only
  team.to = sim::Date{2016, 1, 1};
  s.regulator.recruitment_penalty.enabled = true;
  s.regulator.recruitment_penalty.segment = 4;
  s.regulator.recruitment_penalty.recruitment_factor = 0.8;
  models::Scenario without = s;
  without.regulator.turnaround.enabled = false;
  without.regulator.recruitment_penalty.enabled = false;
  const auto run = models::run_replications(models::ScenarioSetup(s), 3, 2, 2);
  const auto base = models::run_replications(models::ScenarioSetup(without), 3, 2, 2);
  using M = models::Metric;
  int teams = 0, penalised = 0;
  for (std::size_t r = 0; r < run.replications; ++r) {
    for (std::size_t t = 0; t < 4; ++t) {
      // The rules worked forward from the segments the run reported.
      std::vector<bool> expected(18, false);
      std::vector<double> factor(18, 1.0);
      int team_until = -1;
      for (int m = 2; m < 18; m += 3) {
        const double segment = run.trust_month(M::league_segment, r, t, static_cast<std::size_t>(m));
        const bool decides = m == 5 || m == 8;  // quarter ends in [July 2015, January 2016)
        if (decides && segment >= 4 && team_until <= m + 1) {
          team_until = m + 2 + 4;
          for (int k = m + 2; k < team_until && k < 18; ++k) expected[static_cast<std::size_t>(k)] = true;
          ++teams;
        }
        for (int k = m + 1; k < m + 4 && k < 18; ++k) factor[static_cast<std::size_t>(k)] = segment >= 4 ? 0.8 : 1.0;
      }
      double with_team = 0, without_team = 0;
      for (std::size_t m = 0; m < 18; ++m) {
        INFO("replication " << r << ", trust " << t << ", month " << m);
        CHECK(run.trust_month(M::turnaround_team, r, t, m) == (expected[m] ? 1.0 : 0.0));
        CHECK(run.trust_month(M::turnaround_cost, r, t, m) == (expected[m] ? team.cost_gbp_per_month : 0.0));
        CHECK(run.trust_month(M::productivity_factor, r, t, m) == (expected[m] ? team.productivity_factor : 1.0));
        CHECK(run.trust_month(M::recruitment_factor, r, t, m) == factor[m]);
        penalised += factor[m] < 1.0 ? 1 : 0;
        if (expected[m]) {
          with_team += run.trust_month(M::ed_mean_minutes, r, t, m);
          without_team += base.trust_month(M::ed_mean_minutes, r, t, m);
        }
        // Until the first penalty or team, the two worlds are the same patients on the same days.
        if (m <= 2) CHECK(run.trust_month(M::ed_mean_minutes, r, t, m) == base.trust_month(M::ed_mean_minutes, r, t, m));
      }
      if (with_team > 0) CHECK(with_team < without_team);  // staff working 5% faster shorten the stay in A&E
    }
  }
  CHECK(teams > 0);
  CHECK(penalised > 0);
}

TEST_CASE("capital freedom: a top trust's committed surplus is spent after the lag and opens beds", "[regulator][threads]") {
  models::Scenario s = four_trusts(12);
  // Every trust's fixed costs cut so that surpluses are made.
  for (auto& t : s.trusts) t.finance.costs.fixed_gbp_per_year *= 0.9;
  models::CapitalFreedomParams& freedom = s.regulator.capital_freedom;
  freedom.enabled = true;
  freedom.segment = 2;
  freedom.surplus_share = 0.5;
  freedom.lag_months = 2;
  models::Scenario without = s;
  without.regulator.capital_freedom.enabled = false;
  const auto run = models::run_replications(models::ScenarioSetup(s), 3, 1, 2);
  const auto base = models::run_replications(models::ScenarioSetup(without), 3, 1, 2);
  using M = models::Metric;
  const double price = s.trusts[0].finance.costs.capital_gbp_per_bed;
  double beds_seen = 0;
  for (std::size_t t = 0; t < 4; ++t) {
    double ytd = 0, committed_year = 0, spent = 0;
    std::vector<double> due(20, 0.0);
    for (std::size_t m = 0; m < 12; ++m) {
      INFO("trust " << t << ", month " << m);
      ytd += run.trust_month(M::surplus, 0, t, m);
      double expected = 0;
      if (m % 3 == 2 && run.trust_month(M::league_segment, 0, t, m) <= 2)
        expected = 0.5 * std::max(0.0, ytd - committed_year);
      CHECK(run.trust_month(M::capital_committed, 0, t, m) == Approx(expected).margin(1e-3));
      committed_year += expected;
      due[m + 2] += expected;
      CHECK(run.trust_month(M::capital_invested, 0, t, m) == Approx(due[m]).margin(1e-3));
      spent += due[m];
      CHECK(run.trust_month(M::capital_beds, 0, t, m) == std::floor(spent / price + 1e-12));
      // Beds bought in a month open from the next one, on top of those the nurses open.
      if (m > 0)
        CHECK(run.trust_month(M::beds_open, 0, t, m) - base.trust_month(M::beds_open, 0, t, m) ==
              Approx(run.trust_month(M::capital_beds, 0, t, m - 1)).margin(1e-9));
      beds_seen += run.trust_month(M::capital_beds, 0, t, m);
    }
  }
  CHECK(beds_seen > 0);
}
