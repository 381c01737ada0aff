// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/run/scenario.hpp"

using namespace breachsim;
namespace fs = std::filesystem;

namespace {

std::vector<sim::config::Issue> issues_of(const std::string& file) {
  try {
    models::load_scenario(file);
  } catch (const sim::config::ConfigError& e) {
    return e.issues();
  }
  return {};
}

std::vector<sim::config::Issue> issues_of(const std::string& file, const std::vector<std::string>& overrides) {
  try {
    models::load_sweep(file, overrides);
  } catch (const sim::config::ConfigError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<sim::config::Issue>& issues, const std::string& path, const std::string& text,
               int line = -1, int column = -1) {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(text) != std::string::npos && (line < 0 || i.line == line) &&
        (column < 0 || i.column == column))
      return true;
  return false;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("breachsim_test_" + name);
  std::ofstream(p) << text;
  return p.string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("every config shipped in configs/ loads", "[config]") {
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator("configs")) {
    // Regime presets are not scenarios; tests/test_regimes.cpp runs each from one.
    if (entry.path().extension() != ".yaml" || entry.path().parent_path().filename() == "regimes") continue;
    // Calibration specs (scripts/calibrate.py) name a scenario; they are not one.
    const std::string name = entry.path().filename().string();
    if (name.size() > 9 && name.compare(name.size() - 9, 9, "_fit.yaml") == 0) continue;
    INFO(entry.path());
    CHECK_NOTHROW(models::load_scenario(entry.path().string()));
    ++count;
  }
  CHECK(count >= 1);
}

TEST_CASE("all errors of a file are reported at once, each with line, column and key path", "[config]") {
  const auto issues = issues_of("tests/data/many_errors.yaml");
  for (const auto& i : issues) INFO(i.to_string());
  CHECK(issues.size() == 10);
  CHECK(has_issue(issues, "scenario.start_date", "expected a date as YYYY-MM-DD", 4, 15));
  CHECK(has_issue(issues, "scenario.months", "must be in [1, 1200] (got -3)", 5, 11));
  CHECK(has_issue(issues, "monte_carlo", "unknown key 'seeed'; did you mean 'seed'?", 8, 3));
  CHECK(has_issue(issues, "defaults.ed", "unknown key 'arrivals_per_yeer'; did you mean 'arrivals_per_year'?", 11, 5));
  CHECK(has_issue(issues, "defaults.ed.admission_share", "must be in [0, 1] (got 1.5)", 12, 22));
  CHECK(has_issue(issues, "defaults.ed.arrivals_by_weekday", "expected 7 values, got 3"));
  CHECK(has_issue(issues, "defaults.ed.treatment_minutes", "a lognormal distribution needs 'sd'"));
  CHECK(has_issue(issues, "trusts[0].ed.clinicians_by_hour", "no clinician is ever on duty", 18, 27));
  CHECK(has_issue(issues, "trusts[1].name", "duplicate trust name 'A'", 19, 11));
  CHECK(has_issue(issues, "trusts[1].size_class", "must be one of small, medium, large (got 'huge')", 20, 17));
  for (const auto& i : issues) CHECK(i.file == "tests/data/many_errors.yaml");
  for (std::size_t k = 1; k < issues.size(); ++k) CHECK(issues[k - 1].line <= issues[k].line);
}

TEST_CASE("the message names file, line, column and key path", "[config]") {
  const sim::config::Issue i{"configs/x.yaml", 14, 9, "trusts[3].ed.arrivals_per_year", "must be > 0 (got -2)"};
  CHECK(i.to_string() == "configs/x.yaml:14:9: trusts[3].ed.arrivals_per_year: must be > 0 (got -2)");
}

TEST_CASE("YAML syntax errors carry their place", "[config]") {
  const auto issues = issues_of("tests/data/syntax_error.yaml");
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].line == 4);
  CHECK(issues[0].message.find("YAML syntax error") != std::string::npos);
}

TEST_CASE("structural problems are errors, never silent defaults", "[config]") {
  SECTION("missing schema_version") {
    CHECK(has_issue(issues_of(write_temp("nv.yaml", "trusts: [{name: A}]\n")), "schema_version", "missing"));
  }
  SECTION("a newer schema is refused") {
    CHECK(has_issue(issues_of(write_temp("new.yaml", "schema_version: 99\ntrusts: [{name: A}]\n")), "schema_version",
                    "upgrade breachsim"));
  }
  SECTION("no trusts") {
    CHECK(has_issue(issues_of(write_temp("nt.yaml", "schema_version: 1\n")), "trusts", "missing"));
    CHECK(has_issue(issues_of(write_temp("nt2.yaml", "schema_version: 1\ntrusts: []\n")), "trusts", "non-empty list"));
  }
  SECTION("wrong types") {
    const auto issues = issues_of(write_temp("types.yaml",
                                             "schema_version: 1\nmonte_carlo: {replications: 2.5, seed: -1}\n"
                                             "trusts: [{name: A, ed: {arrivals_per_year: lots, arrivals_by_month: 3}}]\n"));
    CHECK(has_issue(issues, "monte_carlo.replications", "expected a whole number"));
    CHECK(has_issue(issues, "monte_carlo.seed", "expected a whole number from 0"));
    CHECK(has_issue(issues, "trusts[0].ed.arrivals_per_year", "expected a number, got 'lots'"));
    CHECK(has_issue(issues, "trusts[0].ed.arrivals_by_month", "expected a list of numbers"));
  }
  SECTION("duplicate keys and empty values") {
    const auto issues = issues_of(write_temp("dup.yaml", "schema_version: 1\nscenario: {months: 3, months: 4}\n"
                                                         "monte_carlo:\n  seed:\ntrusts: [{name: A}]\n"));
    CHECK(has_issue(issues, "scenario.months", "duplicate key"));
    CHECK(has_issue(issues, "monte_carlo.seed", "has no value"));
  }
  SECTION("a discharge window that closes before it opens") {
    const auto issues = issues_of(write_temp("window.yaml", "schema_version: 1\ntrusts: [{name: A, beds: "
                                                            "{discharge_window_opens_hour: 20, discharge_window_closes_hour: 8}}]\n"));
    CHECK(has_issue(issues, "trusts[0].beds.discharge_window_closes_hour", "must be later than discharge_window_opens_hour"));
  }
  SECTION("a missing file") {
    CHECK(has_issue(issues_of("tests/data/no_such_file.yaml"), "", "cannot open the file (No such file or directory)"));
  }
  SECTION("a directory, which a stream opens and reads as empty") {
    const auto issues = issues_of("tests/data");
    CHECK(has_issue(issues, "", "is a directory, not a config file"));
    CHECK(issues.size() == 1);
  }
}

TEST_CASE("nothing in the file is silently accepted", "[config]") {
  SECTION("a second YAML document is refused at its place, not ignored") {
    const auto issues = issues_of(write_temp("two_docs.yaml", "schema_version: 1\ntrusts: [{name: A}]\n---\nscenario: {months: 2}\n"));
    REQUIRE(issues.size() == 1);
    CHECK(has_issue(issues, "", "a second YAML document", 3, 1));
  }
  SECTION("text after a block collection, at a lower indentation, is a mistake at its place, not a document") {
    const auto issues = issues_of(write_temp("outdented.yaml", "- name: A\nschema_version: 1\n"));
    REQUIRE(issues.size() == 1);
    CHECK(has_issue(issues, "", "YAML syntax error: the document ended on a line above", 2, 1));
  }
  SECTION("a stray ',' or ']' outside any flow collection is an error at it; yaml-cpp 0.7's LoadAll looped for ever") {
    // Found by the fuzzer (tests/fuzz/regressions/validate-hang-*): the parser returned an empty
    // document at the ',' without consuming it, again and again, until memory ran out.
    const auto comma = issues_of(write_temp("comma.yaml", "# x\n  - name: A\n  ,,+,abc: 0.003 04, 23}\n"));
    REQUIRE(comma.size() == 1);
    CHECK(has_issue(comma, "", "YAML syntax error: unexpected ',' outside any [ ] list or { } map", 3, 3));
    CHECK(has_issue(issues_of(write_temp("only_comma.yaml", ",\n")), "", "unexpected ','", 1, 1));
    CHECK(has_issue(issues_of(write_temp("bracket.yaml", "schema_version: 1\n]\n")), "", "YAML syntax error", 2, 1));
  }
  SECTION("bytes that are not UTF-8 are refused at the first of them") {
    // Latin-1 e-acute in a trust name: line 2, after "trusts: [{name: Caf".
    const auto issues = issues_of(write_temp("latin1.yaml", "schema_version: 1\ntrusts: [{name: Caf\xe9}]\n"));
    REQUIRE(issues.size() == 1);
    CHECK(has_issue(issues, "", "not UTF-8", 2, 20));
    // Overlong forms and lone continuation bytes are not UTF-8 either; real UTF-8 is accepted.
    CHECK(has_issue(issues_of(write_temp("overlong.yaml", "schema_version: 1\ntrusts: [{name: \xc0\xaf}]\n")), "",
                    "not UTF-8", 2, 17));
    CHECK(has_issue(issues_of(write_temp("stray.yaml", "schema_version: 1\n\x80\n")), "", "not UTF-8", 2, 1));
    CHECK(issues_of(write_temp("utf8.yaml", "schema_version: 1\ntrusts: [{name: Caf\xc3\xa9}]\n")).empty());
  }
  SECTION("a --set value that is not UTF-8") {
    CHECK(has_issue(issues_of("tests/data/small.yaml", {"trusts[0].name=Caf\xe9"}), "trusts[0].name", "not UTF-8"));
  }
  SECTION("absurd magnitudes are range errors at their place, before anything runs out of memory") {
    const auto issues = issues_of(write_temp("huge.yaml", "schema_version: 1\ntrusts:\n  - name: A\n"
                                                          "    ed: {arrivals_per_year: 1e15}\n"
                                                          "    beds: {general_acute_beds: 1e9}\n"
                                                          "    elective: {referrals_per_week: 1e7, initial_list: 1e8}\n"
                                                          "    cancer: {urgent_referrals_per_week: 1e6}\n"));
    CHECK(has_issue(issues, "trusts[0].ed.arrivals_per_year", "must be in (0, 5e+07] (got 1e15)", 4, 29));
    CHECK(has_issue(issues, "trusts[0].beds.general_acute_beds", "must be in [1, 1e+06] (got 1e9)", 5, 32));
    CHECK(has_issue(issues, "trusts[0].elective.referrals_per_week", "must be in [0, 1e+06] (got 1e7)", 6, 36));
    CHECK(has_issue(issues, "trusts[0].elective.initial_list", "must be in [0, 1e+07] (got 1e8)", 6, 55));
    CHECK(has_issue(issues, "trusts[0].cancer.urgent_referrals_per_week", "must be in [0, 3e+05] (got 1e6)", 7, 41));
  }
  SECTION("a cross-field problem in a preset is placed at the entry that brought it in") {
    const auto issues = issues_of(write_temp("overlap.yaml", "schema_version: 1\ntrusts: [{name: A}]\nregimes:\n"
                                                             "  - {preset: fund_2016_17}\n  - {preset: fund_2017_18}\n"));
    CHECK(has_issue(issues, "regimes[1].incentive_fund", "overlapping regimes[0].incentive_fund", 5, 5));
  }
}

TEST_CASE("a month-of-year profile has 12 values and a relative one is not all zero", "[config][winter]") {
  const std::string zeros = "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]";
  const auto issues = issues_of(write_temp(
      "seasons.yaml", "schema_version: 1\n"
                      "defaults:\n"
                      "  ed: {admission_share_by_month: " + zeros + ", treatment_minutes_by_month: [1, 2]}\n"
                      "  beds: {emergency_stay_by_month: " + zeros + ", delayed_transfer_share_by_month: " + zeros +
                      ", infection_closed_share_by_month: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5]}\n"
                      "trusts:\n  - name: A\n    staffing: {sickness_by_month: " + zeros + "}\n"));
  CHECK(has_issue(issues, "defaults.ed.admission_share_by_month", "must not all be zero"));
  CHECK(has_issue(issues, "defaults.ed.treatment_minutes_by_month", "expected 12 values, got 2"));
  CHECK(has_issue(issues, "defaults.beds.emergency_stay_by_month", "must not all be zero"));
  CHECK(has_issue(issues, "defaults.beds.delayed_transfer_share_by_month", "must not all be zero"));
  CHECK(has_issue(issues, "defaults.beds.infection_closed_share_by_month[11]", "must be in [0, 1] (got 1.5)"));
  CHECK(has_issue(issues, "trusts[0].staffing.sickness_by_month", "must not all be zero"));
  // Closures are shares, not a shape: none at all is a valid winter.
  CHECK(issues_of(write_temp("no_closures.yaml", "schema_version: 1\ndefaults:\n  beds: {infection_closed_share_by_month: " +
                                                     zeros + "}\ntrusts:\n  - name: A\n")).empty());
}

TEST_CASE("trusts inherit defaults and override only the keys they name", "[config]") {
  const auto path = write_temp("inherit.yaml",
                               "schema_version: 1\n"
                               "defaults:\n  ed: {arrivals_per_year: 90000, admission_share: 0.3}\n"
                               "trusts:\n  - name: A\n  - name: B\n    ed: {admission_share: 0.1}\n");
  const auto s = models::load_scenario(path);
  REQUIRE(s.trusts.size() == 2);
  CHECK(s.trusts[0].ed.arrivals_per_year == 90000.0);
  CHECK(s.trusts[0].ed.admission_share == 0.3);
  CHECK(s.trusts[1].ed.arrivals_per_year == 90000.0);
  CHECK(s.trusts[1].ed.admission_share == 0.1);
  CHECK(s.trusts[1].ed.treatment_minutes.kind == sim::Distribution::Kind::lognormal);
}

TEST_CASE("the resolved config reloads to the same scenario", "[config]") {
  // /config in a result file must be enough to rerun the run: resolve, reload, resolve again.
  const auto original = models::load_scenario("configs/default.yaml");
  const std::string once = models::resolved_yaml(original);
  const auto reloaded = models::load_scenario(write_temp("resolved.yaml", once));
  CHECK(models::resolved_yaml(reloaded) == once);
  CHECK(reloaded.trusts.size() == original.trusts.size());
  CHECK(reloaded.trusts[2].ed.clinicians_by_hour == original.trusts[2].ed.clinicians_by_hour);
}

TEST_CASE("configs/REFERENCE.md is the reference the code generates", "[config]") {
  // Regenerate with: build/cli/breachsim validate --reference > configs/REFERENCE.md
  CHECK(read_file("configs/REFERENCE.md") == models::config_reference_markdown());
}
