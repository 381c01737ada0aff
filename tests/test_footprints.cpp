// SPDX-License-Identifier: MIT
// Footprint plans (docs/sources.md §5): a group of trusts and their commissioners whose plan
// must balance in aggregate. Bad footprints are config errors with their place in the file;
// the aggregate is the plain sum of what its members report, so a trust can miss its own
// control total while its footprint delivers.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "models/money/footprints.hpp"
#include "models/run/run.hpp"
#include "models/run/scenario.hpp"
#include "models/run/summary.hpp"

using namespace breachsim;
using models::Metric;
namespace fs = std::filesystem;

namespace {

std::vector<sim::config::Issue> issues_of(const std::string& text) {
  const fs::path p = fs::temp_directory_path() / "breachsim_test_footprints.yaml";
  std::ofstream(p) << text;
  try {
    models::load_scenario(p.string());
  } catch (const sim::config::ConfigError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<sim::config::Issue>& issues, const std::string& path, const std::string& text,
               int line, int column) {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(text) != std::string::npos && i.line == line && i.column == column) return true;
  return false;
}

}  // namespace

TEST_CASE("bad footprints are reported with file, line, column and key path", "[footprints][config]") {
  const std::string text =
      "schema_version: 1\n"                                        // 1
      "commissioners:\n"                                           // 2
      "  - {name: Valley CCG, allocation_gbp_per_year: 1.0e8}\n"   // 3
      "  - {name: Open CCG}\n"                                     // 4
      "trusts:\n"                                                  // 5
      "  - {name: Alpha}\n"                                        // 6
      "  - {name: Beta}\n"                                         // 7
      "footprints:\n"                                              // 8
      "  - name: North\n"                                          // 9
      "    trusts: [Alpha, Betta]\n"                               // 10
      "    commissioners: [Valley CCG]\n"                          // 11
      "  - name: South\n"                                          // 12
      "    trusts: [Alpha]\n"                                      // 13
      "    commissioners: [Open CCG, Hill CCG, Valley CCG]\n"      // 14
      "  - name: Empty\n"                                          // 15
      "    trusts: []\n"                                           // 16
      "  - {name: North, trusts: [Beta]}\n";                       // 17
  const auto issues = issues_of(text);
  std::string all;
  for (const auto& i : issues) all += i.path + " " + std::to_string(i.line) + ":" + std::to_string(i.column) + " " + i.message + "\n";
  INFO(all);
  CHECK(has_issue(issues, "footprints[0].trusts[1]", "no trust named 'Betta' in `trusts`; did you mean 'Beta'?", 10, 21));
  CHECK(has_issue(issues, "footprints[1].trusts[0]", "trust 'Alpha' is already in a footprint at footprints[0].trusts[0]",
                  13, 14));
  CHECK(has_issue(issues, "footprints[1].commissioners[0]", "commissioner 'Open CCG' has no allocation", 14, 21));
  CHECK(has_issue(issues, "footprints[1].commissioners[1]", "no commissioner named 'Hill CCG'", 14, 31));
  CHECK(has_issue(issues, "footprints[1].commissioners[2]", "commissioner 'Valley CCG' is already in a footprint", 14,
                  41));
  CHECK(has_issue(issues, "footprints[2].trusts", "a footprint needs at least one trust", 15, 5));
  CHECK(has_issue(issues, "footprints[3].name", "duplicate footprint name 'North'", 17, 12));
  CHECK(issues.size() == 7);
}

TEST_CASE("footprints cannot be swept: every point has the same footprint dimension", "[footprints][config]") {
  const auto issues = issues_of(
      "schema_version: 1\n"
      "trusts: [{name: Alpha}, {name: Beta}]\n"
      "footprints: [{name: All, trusts: [Alpha, Beta]}]\n"
      "sweep:\n"
      "  - {path: 'footprints[0].trusts', values: [[Alpha], [Alpha, Beta]]}\n");
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].message.find("same footprints") != std::string::npos);
}

TEST_CASE("a two-trust footprint by hand: one trust misses its plan, the footprint delivers", "[footprints]") {
  // Year to date, GBP: Alpha -3m against a control total of -2m (missed), Beta +1m against 0
  // (met); the commissioner has 10m of allocation to date, spent 9.5m, planned to keep 0.2m.
  models::Footprint f{"North", {0, 1}, {0}};
  models::FootprintMembersToDate m;
  m.trust_surplus = {-3e6, 1e6, 50e6};  // a third trust outside the footprint counts for nothing
  m.trust_control_total = {-2e6, 0.0, 0.0};
  m.commissioner_allocation = {10e6};
  m.commissioner_spend = {9.5e6};
  m.commissioner_planned_surplus = {0.2e6};
  const models::FootprintToDate d = models::footprint_to_date(f, m);
  CHECK(d.outturn == Approx(-3e6 + 1e6 + (10e6 - 9.5e6)));  // -1.5m
  CHECK(d.plan == Approx(-2e6 + 0.0 + 0.2e6));              // -1.8m
  CHECK(d.delivered());
  // The reverse: Beta spends its whole margin and the commissioner overspends; both trusts
  // meet their own plans, and the footprint misses.
  m.trust_surplus = {-2e6, 0.0, 0.0};
  m.commissioner_spend = {10.5e6};
  const models::FootprintToDate r = models::footprint_to_date(f, m);
  CHECK(r.outturn == Approx(-2.5e6));
  CHECK_FALSE(r.delivered());
}

namespace {

// Two trusts of the default size paid by one commissioner, from October so that the run holds
// a partial first year (6 months) and a partial last year (9 months).
models::Scenario footprint_scenario() {
  models::Scenario s;
  s.scenario.name = "footprints";
  s.scenario.first_month = sim::Date{2015, 10, 1};
  s.scenario.months = 15;
  s.scenario.warmup_months = 1;
  models::CommissionerParams c;
  c.name = "Valley CCG";
  c.allocation_gbp_per_year = 2.0e9;  // ample: no restriction, a large unspent balance
  c.planned_surplus_gbp_per_year = 5e6;
  s.commissioners.push_back(c);
  for (const char* name : {"Steady", "Stretched"}) {
    models::TrustParams t;
    t.name = name;
    t.commissioner = "Valley CCG";
    if (std::string(name) == "Stretched") t.staffing.ed_clinicians.establishment_wte *= 0.93;
    s.trusts.push_back(t);
  }
  s.trusts[0].finance.control_total_gbp_per_year = 100e6;   // out of reach
  s.trusts[1].finance.control_total_gbp_per_year = -100e6;  // easily met
  s.footprints.push_back({"Valley", {"Steady", "Stretched"}, {"Valley CCG"}});
  return s;
}

}  // namespace

TEST_CASE("a footprint's outturn is the sum of its members' own figures, year by year", "[footprints][money][threads]") {
  const models::Scenario s = footprint_scenario();
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, 7, 2, 2);
  const models::FinancialYears years = models::financial_years(s.scenario.first_month, setup.months());
  REQUIRE(years.size() == 2);
  const double allocation = s.commissioners[0].allocation_gbp_per_year;
  const double planned = s.commissioners[0].planned_surplus_gbp_per_year;
  for (std::size_t r = 0; r < run.replications; ++r) {
    std::size_t first = 0;
    for (std::size_t y = 0; y < years.size(); ++y) {
      const std::size_t last = years.last_month[y];
      const double share = static_cast<double>(years.months[y]) / 12.0;
      // Computed afresh from the trust-month outcomes: the trusts' surplus, and what the
      // commissioner paid them, over the months of the year in the run.
      double surplus = 0.0, paid = 0.0, plan = planned * share;
      for (std::size_t t = 0; t < run.trusts; ++t) {
        plan += s.trusts[t].finance.control_total_gbp_per_year * share;
        for (std::size_t m = first; m <= last; ++m) {
          surplus += run.trust_month(Metric::surplus, r, t, m);
          paid += run.trust_month(Metric::commissioner_payments, r, t, m);
        }
      }
      REQUIRE(paid > 0.0);
      INFO("replication " << r << ", " << years.labels[y]);
      const auto& out = run.runs[r];
      CHECK(out.footprint_outturn[last] == Approx(surplus + allocation * share - paid).epsilon(1e-12));
      CHECK(out.footprint_plan[last] == Approx(plan).epsilon(1e-12));
      // The story: Steady misses its own control total, the footprint delivers.
      CHECK(run.trust_month(Metric::control_total_met, r, 0, last) == 0.0);
      CHECK(run.trust_month(Metric::control_total_met, r, 1, last) == 1.0);
      CHECK(out.footprint_outturn[last] >= out.footprint_plan[last]);
      first = last + 1;
    }
  }
}

TEST_CASE("footprint delivery over replications, against its trusts' own plans", "[footprints][summary]") {
  // Four replications of one point, one footprint of trusts 0 and 2 of three, one year.
  const models::FinancialYears years = models::financial_years(sim::Date{2015, 4, 1}, 12);
  models::NationalRuns runs = models::empty_national_runs(1, 4, 3, years);
  runs.point_names = {"baseline"};
  runs.trust_names = {"A", "B", "C"};
  runs.set_footprints({"AC"}, {{0, 2}});
  // Replication: outturn, plan, A met, C met. B (outside) always misses.
  const double cases[4][4] = {{5, 0, 1, 0}, {-1, 0, 1, 1}, {2, 0, 1, 1}, {-3, 0, 0, 0}};
  for (std::size_t r = 0; r < 4; ++r) {
    std::vector<double> outturn(12, 0.0), plan(12, 0.0);
    outturn[11] = cases[r][0] * 1e6;
    plan[11] = cases[r][1];
    runs.record_footprints(0, r, 12, outturn.data(), plan.data());
    runs.control_total_met[r * 3 + 0] = cases[r][2];
    runs.control_total_met[r * 3 + 2] = cases[r][3];
    runs.done[r] = 1;
  }
  const auto rows = models::footprint_delivery(runs);
  REQUIRE(rows.size() == 1);
  const models::FootprintDelivery& d = rows[0];
  CHECK(d.replications == 4);
  CHECK(d.plan == 0.0);
  CHECK(d.outturn.mean == Approx((5.0 - 1.0 + 2.0 - 3.0) / 4.0 * 1e6));
  CHECK(d.delivered == Approx(0.5));                 // replications 0 and 2
  CHECK(d.trusts_all_met == Approx(0.5));            // 1 and 2
  CHECK(d.delivered_trust_missed == Approx(0.25));   // 0: C missed, the footprint delivered
  CHECK(d.missed_trusts_all_met == Approx(0.25));    // 1: both met, the footprint missed
  REQUIRE(d.trust_met.size() == 2);
  CHECK(d.trust_met[0] == Approx(0.75));
  CHECK(d.trust_met[1] == Approx(0.5));
  CHECK(d.trust_missed_footprint_delivered[1] == Approx(0.25));
  CHECK(d.trust_missed_footprint_delivered[0] == Approx(0.0));
}
