// SPDX-License-Identifier: MIT
// Named regimes (configs/regimes/): every preset loads and runs, a regime acts only inside its
// window so a switch takes effect on its date, keys laid over a preset change only what they
// name, and conflicting regimes are refused with the file, line and key path.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "breachsim/version.hpp"
#include "models/run/run.hpp"
#include "models/run/scenario.hpp"

using namespace breachsim;
namespace fs = std::filesystem;
namespace cfg = sim::config;
using M = models::Metric;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("breachsim_regimes_test_" + name);
  std::ofstream(p) << text;
  return p.string();
}

// Two default trusts (the second refuses the incentive fund), and `rest` of the file.
std::string config(const std::string& scenario, const std::string& rest) {
  return "schema_version: 1\n"
         "scenario: {" + scenario + "}\n"
         "monte_carlo: {replications: 1, seed: 11}\n"
         "trusts:\n"
         "  - {name: Taker, ed: {clinicians_by_hour: [8, 7, 6, 6, 5, 5, 5, 7, 9, 12, 15, 16, 17, 17, 16, 16, 15, 15, 14, 13, 12, 11, 10, 9]}}\n"
         "  - {name: Refuser, finance: {takes_incentive_fund: false}}\n" +
         rest;
}

std::vector<cfg::Issue> issues_of(const std::string& file) {
  try {
    models::load_sweep(file);
  } catch (const cfg::ConfigError& e) {
    return e.issues();
  }
  return {};
}

std::string all(const std::vector<cfg::Issue>& issues) {
  std::string s;
  for (const auto& i : issues) s += i.to_string() + "\n";
  return s;
}

double total(const models::RunOutcome& run, M m) {
  double sum = 0;
  for (std::size_t t = 0; t < run.trusts; ++t)
    for (std::size_t k = 0; k < run.months; ++k) sum += run.trust_month(m, 0, t, k);
  return sum;
}

std::size_t scheme_index(const models::ScenarioSetup& setup, const std::string& name) {
  for (std::size_t i = 0; i < setup.finance.schemes.size(); ++i)
    if (setup.finance.schemes[i].name == name) return i;
  FAIL("no scheme " << name);
  return 0;
}

}  // namespace

TEST_CASE("every preset in configs/regimes loads and runs", "[regimes][threads]") {
  // The issue names six regimes; a preset that goes missing fails here.
  CHECK(models::regime_presets() == std::vector<std::string>{"contract_2014_15", "contract_2015_16", "fund_2016_17",
                                                             "fund_2017_18", "heavy_penalties",
                                                             "league_tables_2025_26"});
  for (const std::string& preset : models::regime_presets()) {
    INFO("preset " << preset);
    const auto sweep = models::load_sweep(write_temp(
        preset + ".yaml", config("name: p, start_date: 2016-01-01, months: 6, warmup_months: 1",
                                 "regimes: [{preset: " + preset + "}]\n")));
    const models::Scenario& s = sweep.points.at(0).scenario;
    REQUIRE(s.regimes.size() == 1);
    const models::Regime& r = s.regimes[0];
    CHECK(r.name == preset);
    const models::ScenarioSetup setup(s);
    const auto run = models::run_replications(setup, 11, 1, 2);
    // Each does what it is for: schemes assess breaches, a fund allocates money, a league
    // table ranks at the end of March.
    if (!r.schemes.empty()) CHECK(total(run, M::fines) + total(run, M::fines_waived) > 0.0);
    if (r.incentive_fund.enabled) CHECK(total(run, M::income_incentives) > 0.0);
    if (r.regulator.league_table.enabled) CHECK(run.trust_month(M::league_rank, 0, 0, 2) > 0.0);
    CHECK(!r.schemes.empty() + r.incentive_fund.enabled + r.regulator.league_table.enabled > 0);
    // Written out whole, the regime reads back the same.
    const std::string resolved = models::resolved_yaml(s);
    const auto again = models::load_sweep(write_temp(preset + "_resolved.yaml", resolved));
    CHECK(models::resolved_yaml(again.points.at(0).scenario) == resolved);
  }
}

TEST_CASE("the 2015/16 contract preset has the schemes of the default scenario", "[regimes]") {
  const auto preset = models::load_sweep(write_temp(
      "c1516.yaml", config("name: p", "regimes: [{preset: contract_2015_16}]\n")));
  const auto defaults = models::load_scenario(std::string(build_info::source_dir) + "/configs/default.yaml");
  const auto& a = preset.points.at(0).scenario.regimes.at(0).schemes;
  const auto& b = defaults.schemes;
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    CHECK(a[i].first == b[i].first);
    CHECK(a[i].second.type == b[i].second.type);
    CHECK(a[i].second.standard == b[i].second.standard);
    CHECK(a[i].second.incident == b[i].second.incident);
    CHECK(a[i].second.rate_gbp == b[i].second.rate_gbp);
    CHECK(a[i].second.tolerance == b[i].second.tolerance);
    CHECK(a[i].second.floor == b[i].second.floor);
  }
}

TEST_CASE("a regime switch mid-run takes effect on its date", "[regimes]") {
  // October 2015 to September 2016: the 2015/16 contract until April 2016, then the 2016/17
  // fund, which suspends the A&E fine for the taker, pays the fund quarterly in arrears and
  // brings the agency price cap. Against the same world with the contract only and no switch.
  const std::string scenario = "name: switch, start_date: 2015-10-01, months: 12, warmup_months: 1";
  const auto switched = models::load_sweep(write_temp(
      "switch.yaml", config(scenario, "regimes:\n"
                                      "  - {preset: contract_2015_16, to: 2016-04-01}\n"
                                      "  - {preset: fund_2016_17, from: 2016-04-01}\n")));
  const auto stay = models::load_sweep(
      write_temp("stay.yaml", config(scenario, "regimes: [{preset: contract_2015_16}]\n")));
  const models::ScenarioSetup a(switched.points.at(0).scenario), b(stay.points.at(0).scenario);
  const auto run = models::run_replications(a, 11, 1, 1), base = models::run_replications(b, 11, 1, 1);
  const std::size_t old_ed = scheme_index(a, "contract_2015_16/ed_4h"), new_ed = scheme_index(a, "fund_2016_17/ed_4h");
  const std::size_t april = 6;
  double old_fined = 0, taker_spared = 0, refuser_fined = 0;
  for (std::size_t m = 0; m < 12; ++m) {
    for (std::size_t t = 0; t < 2; ++t) {
      INFO("month " << m << ", trust " << t);
      if (m < april) {
        // Before the switch the two worlds are one: every metric of every trust alike.
        for (std::size_t k = 0; k < models::metric_count; ++k)
          CHECK(run.trust_month(static_cast<M>(k), 0, t, m) == base.trust_month(static_cast<M>(k), 0, t, m));
        CHECK(run.scheme_fines(new_ed, 0, t, m) == 0.0);
        old_fined += run.scheme_fines(old_ed, 0, t, m);
      } else {
        CHECK(run.scheme_fines(old_ed, 0, t, m) == 0.0);
        if (t == 0) CHECK(run.scheme_fines(new_ed, 0, t, m) == 0.0);  // suspended for the fund taker
        if (t == 0) taker_spared += base.scheme_fines(scheme_index(b, "contract_2015_16/ed_4h"), 0, t, m);
        if (t == 1) refuser_fined += run.scheme_fines(new_ed, 0, t, m);
        // The price cap: agency costs 55% above basic pay, not 100%.
        CHECK(run.trust_month(M::cost_agency, 0, t, m) < base.trust_month(M::cost_agency, 0, t, m));
      }
      // The fund pays for its first quarter (April-June) at the end of June, month 8.
      const double extra = run.trust_month(M::income_incentives, 0, t, m) - base.trust_month(M::income_incentives, 0, t, m);
      if (m < 8 || t == 1) CHECK(run.trust_month(M::fund_unearned, 0, t, m) == 0.0);
      if (m == 8 && t == 0) CHECK(extra + run.trust_month(M::fund_unearned, 0, t, m) > 0.0);
    }
  }
  CHECK(old_fined > 0.0);
  CHECK(taker_spared > 0.0);  // the taker would have been fined: the suspension mattered
  CHECK(refuser_fined > 0.0);
}

TEST_CASE("keys beside a preset are laid over it", "[regimes]") {
  const auto sweep = models::load_sweep(write_temp(
      "over.yaml", config("name: p", "regimes:\n"
                                     "  - preset: fund_2016_17\n"
                                     "    name: fund\n"
                                     "    schemes: {ed_4h: {rate_gbp: 150}, extra: {type: per_incident, rate_gbp: 7}}\n"
                                     "    incentive_fund: {ed_share: 0.2, rtt_share: 0.05}\n")));
  const models::Regime& r = sweep.points.at(0).scenario.regimes.at(0);
  CHECK(r.name == "fund");
  REQUIRE(r.schemes.size() == 8);
  CHECK(r.schemes[0].first == "ed_4h");
  CHECK(r.schemes[0].second.rate_gbp == 150);
  CHECK(r.schemes[0].second.floor == 0.85);  // the preset's, untouched
  CHECK(r.schemes[0].second.suspended_for_fund_takers);
  CHECK(r.schemes[7].first == "extra");
  CHECK(r.incentive_fund.ed_share == 0.2);
  CHECK(r.incentive_fund.finance_share == 0.7);
  CHECK(models::run_scheme_names(sweep.points.at(0).scenario).front() == "fund/ed_4h");
}

TEST_CASE("a sweep can compare regimes whose schemes differ", "[regimes][threads]") {
  const auto sweep = models::load_sweep(write_temp(
      "sweep.yaml", config("name: p, months: 3, warmup_months: 1",
                           "regimes: [{preset: contract_2015_16, name: policy}]\n"
                           "sweep: [{path: 'regimes[0].preset', values: [contract_2015_16, fund_2017_18]}]\n")));
  REQUIRE(sweep.points.size() == 2);
  // The 2017/18 schemes are a subset of the 2015/16 ones, so the union is the 2015/16 list.
  CHECK(sweep.schemes == models::run_scheme_names(sweep.points[0].scenario));
  const models::ScenarioSetup p0(sweep.points[0].scenario, sweep.schemes), p1(sweep.points[1].scenario, sweep.schemes);
  REQUIRE(p1.finance.schemes.size() == p0.finance.schemes.size());
  CHECK_FALSE(p1.finance.schemes[scheme_index(p1, "policy/rtt_18w")].in_point);
  CHECK(p1.finance.schemes[scheme_index(p1, "policy/ed_4h")].in_point);
  const auto runs = models::run_points({&p0, &p1}, 11, 1, 1);
  double rtt = 0;
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t m = 0; m < 3; ++m) rtt += runs[1].scheme_fines(scheme_index(p1, "policy/rtt_18w"), 0, t, m);
  CHECK(rtt == 0.0);
}

TEST_CASE("regimes that conflict or cannot be found are refused with their place", "[regimes]") {
  SECTION("two funds at once") {
    const std::string file = write_temp(
        "overlap.yaml", config("name: p", "regimes:\n"                                  // 7
                                          "  - {preset: fund_2016_17}\n"                // 8
                                          "  - {preset: fund_2017_18, from: 2017-01-01}\n"));  // 9
    const auto issues = issues_of(file);
    INFO(all(issues));
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].path == "regimes[1].incentive_fund");
    CHECK(issues[0].message ==
          "in force 2017-01-01 to 2100-01-01, overlapping regimes[0].incentive_fund (2016-04-01 to 2100-01-01): only an "
          "incentive fund can act at a time; narrow the regimes' from/to");
  }
  SECTION("back to back is fine") {
    CHECK(issues_of(write_temp("back_to_back.yaml",
                               config("name: p", "regimes:\n"
                                                 "  - {preset: fund_2016_17, to: 2017-04-01}\n"
                                                 "  - {preset: fund_2017_18, from: 2017-04-01}\n")))
              .empty());
  }
  SECTION("an unknown preset, a duplicate name and a window that never opens") {
    const std::string file =
        write_temp("bad.yaml", config("name: p", "regimes:\n"                                                // 7
                                                 "  - {preset: contract_2015_61}\n"                          // 8
                                                 "  - {preset: heavy_penalties}\n"                           // 9
                                                 "  - {preset: heavy_penalties, from: 2017-01-01, to: 2016-01-01}\n"));  // 10
    const auto issues = issues_of(file);
    INFO(all(issues));
    REQUIRE(issues.size() == 3);
    CHECK(issues[0].line == 8);
    CHECK(issues[0].path == "regimes[0].preset");
    CHECK(issues[0].message.find("no regime preset 'contract_2015_61'; did you mean 'contract_2015_16'?") == 0);
    CHECK(issues[1].path == "regimes[2].name");
    CHECK(issues[1].line == 10);
    CHECK(issues[2].path == "regimes[2].to");
    CHECK(issues[2].line == 10);
  }
  SECTION("a mistake inside a preset file is reported against that file") {
    const std::string preset = write_temp("mine.yaml",
                                          "schema_version: 1\n"
                                          "schemes:\n"
                                          "  ed_4h: {type: excess_breaches, rate_gpb: 5}\n");
    const auto issues = issues_of(write_temp(
        "uses_mine.yaml", config("name: p", "regimes: [{preset: " + fs::path(preset).filename().string() + "}]\n")));
    INFO(all(issues));
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].file == preset);
    CHECK(issues[0].line == 3);
    CHECK(issues[0].path == "schemes.ed_4h");
    CHECK(issues[0].message == "unknown key 'rate_gpb'; did you mean 'rate_gbp'?");
  }
  SECTION("a preset run as a scenario says how to use it") {
    const auto issues = issues_of(std::string(build_info::source_dir) + "/configs/regimes/fund_2016_17.yaml");
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].path == "regime");
    CHECK(issues[0].message ==
          "this file is a regime preset, not a scenario: use it from a scenario, as in regimes: [{preset: "
          "fund_2016_17}]");
  }
  SECTION("consequences of a regime need its league table") {
    const auto issues = issues_of(write_temp(
        "no_table.yaml",
        config("name: p", "regimes: [{preset: league_tables_2025_26, regulator: {league_table: {enabled: false}}}]\n")));
    INFO(all(issues));
    REQUIRE(issues.size() == 3);
    CHECK(issues[0].path == "regimes[0].regulator.turnaround.enabled");
  }
}
