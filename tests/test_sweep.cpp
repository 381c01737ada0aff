// SPDX-License-Identifier: MIT
// Sweeps and --set overrides: key paths into the YAML tree, the points of a sweep, and where
// each problem is reported (a --set by name, a swept value at its place in the file).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "models/run/run.hpp"
#include "models/run/scenario.hpp"

using namespace breachsim;
namespace fs = std::filesystem;
namespace cfg = sim::config;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("breachsim_sweep_test_" + name);
  std::ofstream(p) << text;
  return p.string();
}

std::vector<cfg::Issue> issues_of(const std::string& file, const std::vector<std::string>& overrides = {}) {
  try {
    models::load_sweep(file, overrides);
  } catch (const cfg::ConfigError& e) {
    return e.issues();
  }
  return {};
}

// The issue with this text, as `file:line:col: path: message` (or without a place).
bool has(const std::vector<cfg::Issue>& issues, const std::string& text) {
  for (const auto& i : issues)
    if (i.to_string() == text) return true;
  return false;
}

std::string all(const std::vector<cfg::Issue>& issues) {
  std::string s;
  for (const auto& i : issues) s += i.to_string() + "\n";
  return s;
}

// Two trusts, one scheme; sweeps are appended to it.
const std::string base =
    "schema_version: 1\n"                                                                  // 1
    "scenario: {name: swept, months: 3, warmup_months: 1}\n"                               // 2
    "monte_carlo: {replications: 2, seed: 7}\n"                                            // 3
    "schemes:\n"                                                                           // 4
    "  ed_4h: {type: excess_breaches, standard: ed_4h, rate_gbp: 120, tolerance: 0.05}\n"  // 5
    "trusts:\n"                                                                            // 6
    "  - name: A\n"                                                                        // 7
    "  - name: B\n"                                                                        // 8
    "    ed: {arrivals_per_year: 80000}\n";                                                // 9

}  // namespace

TEST_CASE("key paths are map keys separated by dots and list items in brackets", "[sweep]") {
  cfg::KeyPath path;
  std::string error;
  REQUIRE(cfg::parse_key_path("trusts[2].ed.arrivals_per_year", path, error));
  REQUIRE(path.size() == 4);
  CHECK(path[0].key == "trusts");
  CHECK(path[1].is_index());
  CHECK(path[1].index == 2);
  CHECK(path[3].key == "arrivals_per_year");
  CHECK(cfg::to_string(path) == "trusts[2].ed.arrivals_per_year");
  CHECK(cfg::starts_with(path, {cfg::PathStep{"trusts"}, cfg::PathStep{"", 2}}));
  CHECK_FALSE(cfg::starts_with(path, {cfg::PathStep{"trusts"}, cfg::PathStep{"", 1}}));

  for (const char* bad : {"", "a..b", "a.", ".a", "a[x]", "a[1", "[0]", "a[1]b", "a]b", "a[-1]"}) {
    INFO(bad);
    CHECK_FALSE(cfg::parse_key_path(bad, path, error));
    CHECK(error.find("is not a key path") != std::string::npos);
  }
  cfg::parse_key_path("a..b", path, error);
  CHECK(error ==
        "'a..b' is not a key path (no key before '.'); write map keys separated by dots and list items as trusts[2]");
}

TEST_CASE("set_path replaces a node, creates missing maps, and leaves the tree alone when it cannot", "[sweep]") {
  YAML::Node root = YAML::Load("a: {b: 1, list: [10, 20]}\nempty:\n");
  cfg::KeyPath path;
  std::string error;
  const auto set = [&](const std::string& text, const std::string& value) {
    REQUIRE(cfg::parse_key_path(text, path, error));
    return cfg::set_path(root, path, YAML::Load(value));
  };
  CHECK(set("a.b", "[1, 2]") == "");
  CHECK(set("a.list[1]", "21") == "");
  CHECK(set("a.new.deeper", "x") == "");
  CHECK(set("empty.key", "3") == "");
  CHECK(cfg::yaml_text(root) == "{a: {b: [1, 2], list: [10, 21], new: {deeper: x}}, empty: {key: 3}}");

  const std::string before = cfg::yaml_text(root);
  CHECK(set("a.list[2]", "1") == "there is no a.list[2]: a.list has 2 items");
  CHECK(set("a.b.c", "1") == "a.b is a list, not a map of keys");
  CHECK(set("a[0]", "1") == "a is a map, not a list");
  CHECK(set("x.y[0].z", "1") == "x.y does not exist, so it has no item x.y[0]");
  CHECK(cfg::yaml_text(root) == before);
}

TEST_CASE("without a sweep a config has one point, named baseline", "[sweep]") {
  const auto sweep = models::load_sweep("tests/data/small.yaml");
  CHECK(sweep.paths.empty());
  REQUIRE(sweep.points.size() == 1);
  CHECK(sweep.points[0].name == "baseline");
  CHECK(sweep.points[0].values.empty());
  CHECK(sweep.baseline == 0);
  CHECK(models::resolved_yaml(sweep.points[0].scenario) ==
        models::resolved_yaml(models::load_scenario("tests/data/small.yaml")));
}

TEST_CASE("the points are the cartesian product of the entries, the first varying slowest", "[sweep]") {
  const auto file =
      write_temp("product.yaml", base +
                                     "sweep:\n"
                                     "  - {path: schemes.ed_4h.rate_gbp, values: [0, 120, 200]}\n"
                                     "  - {path: 'trusts[1].ed.arrivals_per_year', values: [70000, 90000]}\n");
  const auto sweep = models::load_sweep(file);
  CHECK(sweep.paths == std::vector<std::string>{"schemes.ed_4h.rate_gbp", "trusts[1].ed.arrivals_per_year"});
  REQUIRE(sweep.points.size() == 6);
  const std::vector<double> rates = {0, 0, 120, 120, 200, 200}, arrivals = {70000, 90000, 70000, 90000, 70000, 90000};
  for (std::size_t k = 0; k < 6; ++k) {
    INFO(k);
    const auto& s = sweep.points[k].scenario;
    CHECK(s.schemes[0].second.rate_gbp == rates[k]);
    CHECK(s.trusts[1].ed.arrivals_per_year == arrivals[k]);
    CHECK(s.trusts[0].ed.arrivals_per_year == s.defaults.ed.arrivals_per_year);
    CHECK(s.source_file == file);
  }
  CHECK(sweep.points[0].name == "schemes.ed_4h.rate_gbp=0, trusts[1].ed.arrivals_per_year=70000");
  CHECK(sweep.points[5].name == "schemes.ed_4h.rate_gbp=200, trusts[1].ed.arrivals_per_year=90000");
  CHECK(sweep.points[3].values == std::vector<std::string>{"120", "90000"});
  CHECK(sweep.baseline == 0);
  // load_scenario gives point 0 of a sweep.
  CHECK(models::resolved_yaml(models::load_scenario(file)) == models::resolved_yaml(sweep.points[0].scenario));
}

TEST_CASE("labels name the points; the baseline is chosen by name", "[sweep]") {
  const std::string sweep_text =
      "sweep:\n"
      "  - path: schemes.ed_4h.rate_gbp\n"
      "    values: [0, 120]\n"
      "    labels: [no fine, fine]\n"
      "  - {path: defaults.ed.clinicians_by_hour, values: [[20], [24]]}\n";
  SECTION("names and values") {
    const auto sweep = models::load_sweep(write_temp("labels.yaml", base + sweep_text));
    REQUIRE(sweep.points.size() == 4);
    CHECK(sweep.points[0].name == "no fine, defaults.ed.clinicians_by_hour=[20]");
    CHECK(sweep.points[3].name == "fine, defaults.ed.clinicians_by_hour=[24]");
    CHECK(sweep.points[3].values == std::vector<std::string>{"120", "[24]"});
    CHECK(sweep.points[3].scenario.trusts[1].ed.clinicians_by_hour == std::vector<double>{24});
  }
  // The file's monte_carlo line (line 3) naming a baseline.
  const auto with_baseline = [&](const std::string& name) {
    std::string text = base + sweep_text;
    const std::string line = "monte_carlo: {replications: 2, seed: 7}";
    return text.replace(text.find(line), line.size(),
                        "monte_carlo: {replications: 2, seed: 7, baseline_point: '" + name + "'}");
  };
  SECTION("a baseline by name, in the file or by --set") {
    CHECK(models::load_sweep(write_temp("baseline.yaml", with_baseline("no fine, defaults.ed.clinicians_by_hour=[24]")))
              .baseline == 1);
    CHECK(models::load_sweep(write_temp("baseline_set.yaml", base + sweep_text),
                             {"monte_carlo.baseline_point=fine, defaults.ed.clinicians_by_hour=[20]"})
              .baseline == 2);
  }
  SECTION("an unknown baseline name") {
    const auto issues =
        issues_of(write_temp("unknown_baseline.yaml", with_baseline("fine, defaults.ed.clinicians_by_hour=[25]")));
    INFO(all(issues));
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].line == 3);
    CHECK(issues[0].column == 57);
    CHECK(issues[0].path == "monte_carlo.baseline_point");
    CHECK(issues[0].message ==
          "no sweep point is named 'fine, defaults.ed.clinicians_by_hour=[25]'; did you mean 'fine, "
          "defaults.ed.clinicians_by_hour=[20]'?");
    const auto from_set =
        issues_of(write_temp("labels_set.yaml", base + sweep_text), {"monte_carlo.baseline_point=zzz"});
    INFO(all(from_set));
    CHECK(has(from_set,
              "--set monte_carlo.baseline_point=zzz: monte_carlo.baseline_point: no sweep point is named 'zzz'; the "
              "points are "
              "['no fine, defaults.ed.clinicians_by_hour=[20]', 'no fine, defaults.ed.clinicians_by_hour=[24]', "
              "'fine, defaults.ed.clinicians_by_hour=[20]', 'fine, defaults.ed.clinicians_by_hour=[24]']"));
  }
  SECTION("without a sweep the one point is the baseline") {
    CHECK(models::load_sweep("tests/data/small.yaml", {"monte_carlo.baseline_point=baseline"}).baseline == 0);
  }
}

TEST_CASE("a --set replaces a scalar, a list or a whole new map before the scenario is read", "[sweep]") {
  SECTION("scalars, anywhere, including the calendar and replications") {
    const auto s = models::load_sweep("tests/data/small.yaml", {"monte_carlo.replications=9", "scenario.months=7",
                                                                "schemes.rtt_18w.destination=withheld"})
                       .points[0]
                       .scenario;
    CHECK(s.monte_carlo.replications == 9);
    CHECK(s.scenario.months == 7);
    CHECK(s.schemes[1].second.destination == "withheld");
  }
  SECTION("a list") {
    const auto s = models::load_scenario("tests/data/small.yaml");
    const auto set =
        models::load_sweep("tests/data/small.yaml", {"defaults.ed.clinicians_by_hour=[30]"}).points[0].scenario;
    CHECK(set.defaults.ed.clinicians_by_hour == std::vector<double>{30});
    CHECK(set.trusts[1].ed.clinicians_by_hour == std::vector<double>{30});            // inherits the defaults
    CHECK(set.trusts[0].ed.clinicians_by_hour == s.trusts[0].ed.clinicians_by_hour);  // has its own roster
  }
  SECTION("a new map, and missing maps on the way") {
    const auto s = models::load_sweep("tests/data/small.yaml",
                                      {"schemes.rtt_52w={type: per_incident, incident: rtt_over_52w, rate_gbp: 5000}",
                                       "defaults.cancer.urgent_referrals_per_week=50"})
                       .points[0]
                       .scenario;
    REQUIRE(s.schemes.size() == 4);
    CHECK(s.schemes[3].first == "rtt_52w");
    CHECK(s.schemes[3].second.incident == "rtt_over_52w");
    CHECK(s.schemes[3].second.rate_gbp == 5000);
    CHECK(s.defaults.cancer.urgent_referrals_per_week == 50);
    CHECK(s.trusts[0].cancer.urgent_referrals_per_week == 50);
  }
  SECTION("a list item") {
    const auto s = models::load_sweep("tests/data/small.yaml",
                                      {"trusts[1].ed.arrivals_per_year=1234", " trusts[0].name = Renamed"})
                       .points[0]
                       .scenario;
    CHECK(s.trusts[1].ed.arrivals_per_year == 1234);
    CHECK(s.trusts[0].ed.arrivals_per_year == 70000);
    CHECK(s.trusts[0].name == "Renamed");
  }
  SECTION("later --set options win, and the sweep comes after them") {
    const auto file =
        write_temp("set_then_sweep.yaml", base + "sweep: [{path: schemes.ed_4h.rate_gbp, values: [1, 2]}]\n");
    const auto sweep =
        models::load_sweep(file, {"schemes.ed_4h.rate_gbp=500", "monte_carlo.seed=1", "monte_carlo.seed=2"});
    CHECK(sweep.points[1].scenario.schemes[0].second.rate_gbp == 2);
    CHECK(sweep.points[1].scenario.monte_carlo.seed == 2);
  }
}

TEST_CASE("a problem that comes from a --set names it and has no place in the file", "[sweep]") {
  const auto issues = issues_of(
      "tests/data/many_errors.yaml",
      {"defaults.ed.arrivls_per_year=1", "defaults.edd.x=1", "trusts[0].ed.admission_share=2", "trusts[5].name=x",
       "a..b=1", "nothing", "sweep=[]", "defaults.ed.treatment_minutes={distribution: gamma", "scenario.months=3"});
  INFO(all(issues));
  CHECK(has(issues,
            "--set defaults.ed.arrivls_per_year=1: defaults.ed: unknown key 'arrivls_per_year'; did you mean "
            "'arrivals_per_year'?"));
  CHECK(has(issues, "--set defaults.edd.x=1: defaults: unknown key 'edd'; did you mean 'ed'?"));
  CHECK(has(issues, "--set trusts[0].ed.admission_share=2: trusts[0].ed.admission_share: must be in [0, 1] (got 2)"));
  CHECK(has(issues, "--set trusts[5].name=x: trusts[5].name: there is no trusts[5]: trusts has 2 items"));
  CHECK(has(issues,
            "--set a..b=1: 'a..b' is not a key path (no key before '.'); write map keys separated by dots and list "
            "items as trusts[2]"));
  CHECK(has(issues, "--set nothing: expected --set dotted.path=value"));
  CHECK(has(issues, "--set sweep=[]: sweep: cannot be set with --set: edit the sweep in the file"));
  CHECK(has(
      issues,
      "--set defaults.ed.treatment_minutes={distribution: gamma: defaults.ed.treatment_minutes: the value is not valid "
      "YAML: end of map flow not found"));
  // The file's own problems are still reported, in place, except the one the --set replaced.
  CHECK(has(issues, "tests/data/many_errors.yaml:8:3: monte_carlo: unknown key 'seeed'; did you mean 'seed'?"));
  CHECK_FALSE(has(issues, "tests/data/many_errors.yaml:5:11: scenario.months: must be in [1, 1200] (got -3)"));
  CHECK(issues.size() == 9 + 8);
  CHECK(issues.back().line == 0);  // placeless problems come last
}

TEST_CASE("a problem in a swept value is reported at the value, with the key path it was set to", "[sweep]") {
  const auto issues =
      issues_of(write_temp("bad_value.yaml", base + "sweep:\n"                                          // 10
                                                    "  - path: schemes.ed_4h.rate_gbp\n"                // 11
                                                    "    values: [120, -5]\n"                           // 12
                                                    "  - path: defaults.cancer\n"                       // 13
                                                    "    values:\n"                                     // 14
                                                    "      - {urgent_referrals_per_wek: 3}\n"           // 15
                                                    "      - {diagnostic_sessions_per_week: [1]}\n"));  // 16
  INFO(all(issues));
  const std::string file = (fs::temp_directory_path() / "breachsim_sweep_test_bad_value.yaml").string();
  CHECK(issues.size() == 3);
  CHECK(has(issues, file + ":12:19: sweep[0].values[1]: schemes.ed_4h.rate_gbp: must be >= 0 (got -5)"));
  CHECK(has(issues,
            file + ":15:10: sweep[1].values[0]: defaults.cancer: unknown key 'urgent_referrals_per_wek'; did you mean "
                   "'urgent_referrals_per_week'?"));
  CHECK(has(
      issues,
      file +
          ":16:40: sweep[1].values[1]: defaults.cancer.diagnostic_sessions_per_week: expected a number, got a list"));
}

TEST_CASE("a sweep's own mistakes are reported at their place", "[sweep]") {
  const auto issues = issues_of(write_temp(
      "bad_sweep.yaml", base + "sweep:\n"                                                                      // 10
                               "  - {path: defaults.ed.arrivls_per_year, values: [1, 2]}\n"                    // 11
                               "  - {path: scenario.months, values: [3]}\n"                                    // 12
                               "  - {path: monte_carlo.replications, values: [3]}\n"                           // 13
                               "  - {path: output.file, values: [x.h5]}\n"                                     // 14
                               "  - {path: sweep, values: [1]}\n"                                              // 15
                               "  - {path: schemes.ed_4h.rate_gbp, values: []}\n"                              // 16
                               "  - {path: schemes.ed_4h.tolerance, values: [0.1]}\n"                          // 17
                               "  - {path: schemes.ed_4h.tolerance, values: [0.2]}\n"                          // 18
                               "  - {path: schemes.ed_4h, values: [{}]}\n"                                     // 19
                               "  - {path: 'trusts[2].name', values: [C]}\n"                                   // 20
                               "  - {path: a..b, values: [1]}\n"                                               // 21
                               "  - {path: defaults.beds.general_acute_beds, values: [5, 6], labels: [a]}\n"   // 22
                               "  - {path: defaults.beds.general_acute_beds, value: [5]}\n"                    // 23
                               "  - {path: defaults.elective.referrals_per_week, values: [1, 1]}\n"            // 24
                               "  - {path: defaults.elective.initial_list, values: [1, 2], labels: [x, x]}\n"  // 25
                               "  - {values: [1]}\n"                                                           // 26
                               "  - 7\n"));                                                                    // 27
  INFO(all(issues));
  const std::string f = (fs::temp_directory_path() / "breachsim_sweep_test_bad_sweep.yaml").string() + ":";
  const std::string fixed = " cannot be swept: every point must have the same calendar, replications and output";
  CHECK(
      has(issues,
          f + "11:12: sweep[0].path: defaults.ed: unknown key 'arrivls_per_year'; did you mean 'arrivals_per_year'?"));
  CHECK(has(issues, f + "12:12: sweep[1].path: scenario.months" + fixed));
  CHECK(has(issues, f + "13:12: sweep[2].path: monte_carlo.replications" + fixed));
  CHECK(has(issues, f + "14:12: sweep[3].path: output.file" + fixed));
  CHECK(has(issues, f + "15:12: sweep[4].path: sweep cannot be swept: a sweep cannot vary itself"));
  CHECK(has(issues, f + "16:44: sweep[5].values: is empty: list at least one value to try"));
  CHECK(has(issues, f + "18:12: sweep[7].path: duplicate of sweep[6].path: sweep each path once"));
  CHECK(
      has(issues, f + "19:12: sweep[8].path: schemes.ed_4h overlaps sweep[6].path (schemes.ed_4h.tolerance): one would "
                      "overwrite the other"));
  CHECK(has(issues, f + "20:12: sweep[9].path: there is no trusts[2]: trusts has 2 items"));
  CHECK(has(issues,
            f + "21:12: sweep[10].path: 'a..b' is not a key path (no key before '.'); write map keys separated by "
                "dots and list items as trusts[2]"));
  CHECK(has(issues, f + "22:70: sweep[11].labels: has 1 label for 2 values"));
  CHECK(has(issues, f + "23:5: sweep[12].values: missing: list the values to try"));
  CHECK(has(issues, f + "23:46: sweep[12]: unknown key 'value'; did you mean 'values'?"));
  CHECK(has(issues, f + "24:62: sweep[13].values[1]: the same value as values[0]: every point needs a name of its own "
                        "(labels can tell them apart)"));
  CHECK(
      has(issues, f + "25:72: sweep[14].labels[1]: the same label as labels[0]: every point needs a name of its own"));
  CHECK(has(issues, f + "26:5: sweep[15].path: missing: name the key path to vary"));
  CHECK(has(issues, f + "27:5: sweep[16]: expected a map of keys, got '7'"));
  CHECK(issues.size() == 17);
}

TEST_CASE("a sweep of more than the limit of points is refused", "[sweep]") {
  std::string values;
  for (int i = 1; i <= 50; ++i) values += (i > 1 ? ", " : "") + std::to_string(i * 1000);
  const auto issues =
      issues_of(write_temp("too_many.yaml", base +
                                                "sweep:\n"
                                                "  - {path: defaults.ed.arrivals_per_year, values: [" +
                                                values +
                                                "]}\n"
                                                "  - {path: defaults.beds.general_acute_beds, values: [" +
                                                values +
                                                "]}\n"
                                                "  - {path: defaults.ed.cubicles, values: [" +
                                                values + "]}\n"));
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].line == 11);
  CHECK(issues[0].path == "sweep");
  CHECK(issues[0].message == "has 50 x 50 x 50 = 125000 points, more than the 100000 allowed");
}

TEST_CASE("every point must have the same trusts; schemes may differ, and the run has a place for each", "[sweep]") {
  const auto issues =
      issues_of(write_temp("shape.yaml", base + "sweep:\n"                                            // 10
                                                "  - {path: 'trusts[1].name', values: [B, C]}\n"      // 11
                                                "  - path: schemes\n"                                 // 12
                                                "    values:\n"                                       // 13
                                                "      - {ed_4h: {type: per_incident}}\n"             // 14
                                                "      - {ed_4h: {type: per_incident}, other: {}}\n"  // 15
                                                "    labels: [one, two]\n"));                         // 16
  INFO(all(issues));
  const std::string f = (fs::temp_directory_path() / "breachsim_sweep_test_shape.yaml").string() + ":";
  REQUIRE(issues.size() == 1);
  CHECK(has(issues,
            f + "11:42: sweep[0].values[1]: trusts: point 'trusts[1].name=C, one' has ['A', 'C'] but point "
                "'trusts[1].name=B, one' has ['A', 'B']; every point must have the same trusts (count and names), so "
                "that the outputs have one shape"));
  // Schemes differing between points (a sweep over regimes) are all given a place, in order of
  // first appearance; a point without a scheme has one that never fines.
  const auto sweep = models::load_sweep(write_temp(
      "schemes_differ.yaml", base + "sweep: [{path: schemes, values: [{ed_4h: {type: per_incident}}, "
                                    "{other: {type: per_incident}, ed_4h: {type: per_incident}}], labels: [one, two]}]\n"));
  CHECK(sweep.schemes == std::vector<std::string>{"ed_4h", "other"});
  const models::ScenarioSetup first(sweep.points[0].scenario, sweep.schemes);
  REQUIRE(first.finance.schemes.size() == 2);
  CHECK(first.finance.schemes[0].in_point);
  CHECK_FALSE(first.finance.schemes[1].in_point);
  CHECK_FALSE(models::in_force(first.finance.schemes[1], sim::Date{2015, 4, 1}));
  // The same names in every point are fine, whatever else the values change.
  CHECK(
      issues_of(write_temp("same_shape.yaml", base + "sweep: [{path: trusts, values: [[{name: A}, {name: B}], "
                                                     "[{name: A, size_class: large}, {name: B}]], labels: [x, y]}]\n"))
          .empty());
}

TEST_CASE("a cross-field problem tripped by some points says which", "[sweep]") {
  std::string text = base;
  text.replace(text.find("tolerance: 0.05}"), 16, "tolerance: 0.05, floor: 0.85}");
  const auto issues =
      issues_of(write_temp("cross.yaml", text + "sweep:\n"
                                                "  - {path: schemes.ed_4h.tolerance, values: [0.05, 0.2]}\n"
                                                "  - {path: schemes.ed_4h.rate_gbp, values: [1, 2, 3]}\n"));
  INFO(all(issues));
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].line == 5);  // the floor in the file
  CHECK(issues[0].path == "schemes.ed_4h.floor");
  CHECK(
      issues[0].message.find("(at sweep point 'schemes.ed_4h.tolerance=0.2, schemes.ed_4h.rate_gbp=1' and 2 others)") !=
      std::string::npos);
}

TEST_CASE("a sweep over a scheme's rate gives points that differ only in that rate", "[sweep]") {
  const auto file =
      write_temp("rate.yaml", base + "sweep: [{path: schemes.ed_4h.rate_gbp, values: [0, 60, 120, 240.5]}]\n");
  const auto sweep = models::load_sweep(file);
  REQUIRE(sweep.points.size() == 4);
  const std::vector<double> rates = {0, 60, 120, 240.5};
  for (std::size_t k = 0; k < 4; ++k) {
    INFO(k);
    const auto& s = sweep.points[k].scenario;
    CHECK(s.schemes[0].second.rate_gbp == rates[k]);
    models::Scenario same = sweep.points[0].scenario;
    same.schemes[0].second.rate_gbp = rates[k];
    CHECK(models::resolved_yaml(same) == models::resolved_yaml(s));
  }
  // A point's resolved config is a config of its own, without the sweep.
  const auto again = models::load_sweep(write_temp("rate_point.yaml", models::resolved_yaml(sweep.points[3].scenario)));
  REQUIRE(again.points.size() == 1);
  CHECK(models::resolved_yaml(again.points[0].scenario) == models::resolved_yaml(sweep.points[3].scenario));
}
