// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/care/cancer.hpp"
#include "models/care/ed.hpp"
#include "models/care/electives.hpp"
#include "models/money/finance.hpp"
#include "models/money/fines.hpp"
#include "models/money/footprints.hpp"
#include "models/run/sensitivity_study.hpp"
#include "models/money/incentive_fund.hpp"
#include "models/money/management.hpp"
#include "models/regulator/regulator.hpp"
#include "models/money/settlement.hpp"
#include "models/care/staffing.hpp"
#include "models/care/wards.hpp"
#include "sim/calendar.hpp"
#include "sim/config.hpp"

// The typed, validated scenario: everything a run needs, and nothing that refers back to
// the YAML it came from. Built only by load_sweep() (and load_scenario()), which reports
// every problem of a file, its --set overrides and its sweep points at once.
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
                "default 2015-04-01, the start of 2015/16, the year of the £120 A&E fine (docs/sources.md §3)"});
    v.field("months", months, Doc{"months", "Calendar months reported.", "", Range::between(1, 1200)});
    v.field("warmup_months", warmup_months,
            Doc{"months", "Months simulated before start_date and discarded, so the reported months do not start from an empty hospital.",
                "assumption: wards that start empty fill in about E[S^2]/(2 E[S]) = 14 days for the default stays, with a heavy tail; three months leave no visible trace", Range::between(0, 120)});
  }
};

struct MonteCarloSection {
  int replications = 40;
  std::uint64_t seed = 20151;
  double target_half_width = 0.0;
  std::string target_metric = "cumulative_deficit";
  int max_replications = 1000;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("replications", replications,
            Doc{"runs", "Independent replications at each sweep point (--replications overrides); with target_half_width, the first batch.", "", Range::between(1, 10000000)});
    v.field("seed", seed, Doc{"", "Master seed of every random stream (--seed overrides).", ""});
    v.field("target_half_width", target_half_width,
            Doc{"unit of target_metric", "Replication calculator: after the first `replications`, add batches of as many again until the 95% confidence interval of target_metric's whole-run national mean is at most this wide on each side at every sweep point, or max_replications is reached. 0: off, run exactly `replications`.",
                "assumption: off, so a run does what replications says", Range::non_negative()});
    v.field("target_metric", target_metric,
            Doc{"", "The metric target_half_width applies to (a name from the metric catalogue, /metrics).",
                "assumption: the cumulative deficit, the quantity the deficit multiplier of fines is about (docs/sources.md §1)"});
    v.field("max_replications", max_replications,
            Doc{"runs", "With target_half_width: never more replications than this at a point.",
                "assumption: a cap so that an unreachable target cannot run for ever", Range::between(1, 10000000)});
  }
};

struct OutputSection {
  std::string file;  // empty: results/<scenario name>.h5
  std::string detail = "trust";
  double flush_seconds = 30.0;

  template <class V>
  void describe(V& v) {
    v.field("file", file, sim::config::Doc{"path", "Result file (--out overrides); relative paths are relative to the working directory. Default results/<scenario.name>.h5.", ""});
    v.field("detail", detail,
            sim::config::Doc{"", "trust: every metric per trust and month (/outcomes/trust_month, /outcomes/scheme_fines) and the national series; national: the national series only, a file about trusts-times smaller for huge sweeps.",
                             "", {}, {}, {"trust", "national"}});
    v.field("flush_seconds", flush_seconds,
            sim::config::Doc{"seconds", "How often finished tasks are made durable in the file (and marked in /progress): a crash or kill loses at most this much work, but every flush leaves a dead copy of the partly filled chunks in the file until the run ends.",
                             "measured: a flush recompresses the partly filled chunks (about 0.6 s for 75 datasets); every 30 s keeps HDF5 writing under 5% of a run",
                             sim::config::Range::positive()});
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

// A named policy regime in force over a window of dates (docs/sources.md §3-6): its fine schemes,
// incentive fund and regulator apply only between `from` and `to`, on top of the scenario's
// own. Read from a preset in configs/regimes/ (`preset`) with any keys given beside it laid
// over the preset's, or written out whole; in the run its schemes are named "<name>/<scheme>".
struct Regime {
  std::string name;
  std::string preset;  // the preset file it started from; empty: written out whole
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};
  std::vector<std::pair<std::string, SchemeParams>> schemes;
  IncentiveFundParams incentive_fund;
  RegulatorParams regulator;
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
            Doc{"", "Archetype (reported in /trusts).", "docs/sources.md §7 trust archetypes", {}, {},
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
  std::vector<FootprintParams> footprints;  // in file order
  std::vector<std::pair<std::string, SchemeParams>> schemes;  // in file order
  IncentiveFundParams incentive_fund;
  RegulatorParams regulator;
  std::vector<Regime> regimes;  // in file order
  OutputSection output;

  std::string source_file;  // where it was read from
};

// One point of a sweep: the scenario with each swept path set to one of its values.
struct SweepPoint {
  std::string name;                 // the values' labels (or path=value) joined with ", "
  std::vector<std::string> values;  // one per swept path, as YAML text
  Scenario scenario;
};

// The points of a config: the cartesian product of its `sweep` entries, the first entry
// varying slowest. Without a sweep there is one point, named "baseline". Every point has the
// same calendar, replications, output and trusts; only the swept values differ. Points may
// differ in their schemes (a sweep over regimes): the run reports the union of them.
struct Sweep {
  std::vector<std::string> paths;  // the swept key paths, in the order of the entries
  std::vector<SweepPoint> points;
  std::vector<std::string> schemes;  // run_scheme_names of every point, in order of first appearance
  std::size_t baseline = 0;  // the point paired comparisons are made against, unless...
  // [point]: the point each point is compared with (monte_carlo.reference_path); the baseline
  // for every point without it. A point that is its own reference has no paired comparison.
  std::vector<std::size_t> references;
  // The config's sensitivity study, whose design made the points (sweep.paths are its factors,
  // then defaults.finance.fined when its outputs are about fines); none for a sweep.
  std::optional<SensitivityStudy> study;
  // The config as read, --set applied and sweep included: rerunning it repeats the sweep
  // (a point's resolved YAML spells out every trust, so a sweep of `defaults` would not).
  std::string config_text;
};

inline constexpr std::size_t max_sweep_points = 100000;

// Reads a config, sets each of `overrides` ("dotted.path=value", the value read as YAML, in
// order: what a --set gives), then reads every sweep point (the overridden tree with the
// point's values set) as a whole scenario. Throws sim::config::ConfigError listing every
// problem of the file, the overrides and all the points.
Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides = {});

// Reads and validates a scenario file: its point 0 if it has a sweep.
Scenario load_scenario(const std::string& path);

// The fully resolved scenario as YAML: every parameter of every trust, loadable again.
std::string resolved_yaml(const Scenario& s);

// The Markdown reference of every configuration key, generated from the declarations.
std::string config_reference_markdown();

// The configs/ folder shipped with this build, where `run` finds its default scenario and
// `regimes:` its presets: the installed copy when the executable runs from an installation
// (<prefix>/share/breachsim/configs beside <prefix>/bin/breachsim), otherwise the source tree's.
std::filesystem::path shipped_configs();

sim::Calendar make_calendar(const Scenario& s);

// Whether a config key path sets sanctions, what the deficit multiplier of fines may vary
// (docs/sources.md §1): anything under `schemes` or a regime's `schemes`, and finance.fined
// and the overall fine caps (finance.fines_cap_share_of_contract_month and _year) under
// `defaults` or a trust.
bool is_sanction_key(const std::string& path);

// The keys, other than sanctions, on which a sweep point differs from the baseline point:
// `values` and `baseline_values` hold each swept path's value as YAML text (Sweep::paths,
// SweepPoint::values; the /points table of a result file). A map or list value is compared
// key by key, so a sweep of `defaults.finance` that changes only `fined` differs only in
// sanctions; a key one value has and the other lacks differs. Empty: the point differs from
// the baseline in sanctions alone.
std::vector<std::string> non_sanction_differences(const std::vector<std::string>& paths,
                                                  const std::vector<std::string>& values,
                                                  const std::vector<std::string>& baseline_values);

// The names the run gives a scenario's schemes: its own, then each regime's as
// "<regime>/<scheme>".
std::vector<std::string> run_scheme_names(const Scenario& s);

// The regime with the windows of its schemes, fund and regulator narrowed to its own (a
// window that closes before it opens is empty: never in force).
Regime in_window(const Regime& r);

// The presets shipped in configs/regimes/ (names without .yaml), sorted.
std::vector<std::string> regime_presets();
// The file a preset name or path in the config at `config_file` refers to: a value with a '/'
// or ending in .yaml is a path relative to the config's folder; a bare name is looked up in
// configs/regimes/. Empty if there is no such file.
std::string find_regime_preset(const std::string& preset, const std::string& config_file);

}  // namespace breachsim::models
