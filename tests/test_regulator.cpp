// SPDX-License-Identifier: MIT
// The regulator's agency rules in a simulated trust: a ban removes agency cover for the
// banned group only and from its date, the national price cap sets what agency costs, and a
// spend ceiling holds agency spend near its share of the pay bill.
#include <catch2/catch.hpp>

#include "models/run.hpp"

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
