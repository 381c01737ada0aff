// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/cancer.hpp"
#include "models/ed.hpp"
#include "models/electives.hpp"
#include "models/finance.hpp"
#include "models/fines.hpp"
#include "models/incentive_fund.hpp"
#include "models/settlement.hpp"
#include "models/staffing.hpp"
#include "models/wards.hpp"
#include "sim/calendar.hpp"
#include "sim/config.hpp"

// The typed, validated scenario: everything a run needs, and nothing that refers back to
// the YAML it came from. Built only by load_scenario(), which reports every problem of a
// file at once.
namespace breachsim::models {

inline constexpr int schema_version = 1;

struct ScenarioSection {
  std::string name = "scenario";
  sim::Date first_month{2015, 4, 1};
  int months = 24;
  int warmup_months = 3;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("name", name, Doc{"", "Short name, used for the default output file results/<name>.h5.", ""});
    v.field("start_date", first_month,
            Doc{"date", "First day of the first reported month (YYYY-MM-01; another day means that day's month).",
                "default 2015-04-01, the start of 2015/16, the year of the £120 A&E fine (DOMAIN.md §3)"});
    v.field("months", months, Doc{"months", "Calendar months reported.", "", Range::between(1, 1200)});
    v.field("warmup_months", warmup_months,
            Doc{"months", "Months simulated before start_date and discarded, so the reported months do not start from an empty hospital.",
                "assumption: wards that start empty fill in about E[S^2]/(2 E[S]) = 14 days for the default stays, with a heavy tail; three months leave no visible trace", Range::between(0, 120)});
  }
};

struct MonteCarloSection {
  int replications = 40;
  std::uint64_t seed = 20151;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("replications", replications,
            Doc{"runs", "Independent replications (--replications overrides).", "", Range::between(1, 10000000)});
    v.field("seed", seed, Doc{"", "Master seed of every random stream (--seed overrides).", ""});
  }
};

struct OutputSection {
  std::string file;  // empty: results/<scenario name>.h5

  template <class V>
  void describe(V& v) {
    v.field("file", file, sim::config::Doc{"path", "Result file (--out overrides); relative paths are relative to the working directory. Default results/<scenario.name>.h5.", ""});
  }
};

struct Defaults {
  EdParams ed;
  BedParams beds;
  ElectiveParams elective;
  StaffingParams staffing;
  CancerParams cancer;
  FinanceParams finance;
  ManagementParams management;

  template <class V>
  void describe(V& v) {
    v.section("ed", ed, "the A&E department");
    v.section("beds", beds, "general and acute beds and lengths of stay");
    v.section("elective", elective, "the referral-to-treatment waiting list and planned care");
    v.section("staffing", staffing, "staff groups, vacancies, agency cover and the capacity they make");
    v.section("cancer", cancer, "the urgent suspected-cancer (62-day) pathway");
    v.section("finance", finance, "income, costs, fine caps, the incentive fund's terms and borrowing");
    v.section("management", management, "the management policies that turn money back into capacity");
  }
};

// A trust: a name and attributes, and every department section, starting from `defaults`
// and overriding the keys it names.
struct TrustParams : Defaults {
  std::string name;
  std::string region = "England";
  std::string size_class = "medium";
  std::string commissioner;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    v.field("name", name, Doc{"", "Trust name, unique within the scenario (required).", ""});
    v.field("region", region, Doc{"", "NHS region (reported in /trusts).", ""});
    v.field("size_class", size_class,
            Doc{"", "Archetype (reported in /trusts).", "DOMAIN.md §7 trust archetypes", {}, {},
                {"small", "medium", "large"}});
    v.field("commissioner", commissioner,
            Doc{"", "Name of the commissioner in `commissioners` that pays this trust; empty: a commissioner of its own with no allocation limit.", ""});
    Defaults::describe(v);
  }
};

struct Scenario {
  ScenarioSection scenario;
  MonteCarloSection monte_carlo;
  Defaults defaults;
  std::vector<TrustParams> trusts;
  std::vector<CommissionerParams> commissioners;
  std::vector<std::pair<std::string, SchemeParams>> schemes;  // in file order
  IncentiveFundParams incentive_fund;
  OutputSection output;

  std::string source_file;  // where it was read from
};

// Reads and validates a scenario file. Throws sim::config::ConfigError listing every problem.
Scenario load_scenario(const std::string& path);

// The fully resolved scenario as YAML: every parameter of every trust, loadable again.
std::string resolved_yaml(const Scenario& s);

// The Markdown reference of every configuration key, generated from the declarations.
std::string config_reference_markdown();

sim::Calendar make_calendar(const Scenario& s);

}  // namespace breachsim::models
