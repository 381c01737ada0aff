// SPDX-License-Identifier: MIT
#include "models/run/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "breachsim/version.hpp"
#include "models/run/metrics.hpp"
#include "models/run/sensitivity_study.hpp"
#include "sim/utf8.hpp"

namespace breachsim::models {

namespace cfg = sim::config;

namespace {

bool all_zero(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; });
}

// A relative month profile is scaled to a mean of 1, which an all-zero one does not have.
// Without a cast to an integer, which for 1e99, infinity or NaN would be undefined behaviour
// (the fuzzer's UBSan build found 1e99 in clinicians_by_hour).
bool whole(double v) { return std::isfinite(v) && v == std::trunc(v); }

void check_relative_profile(const std::vector<double>& v, const std::string& path, cfg::Diagnostics& d) {
  if (all_zero(v)) d.error_at(path, "must not all be zero (it is scaled to a mean of 1)");
}

void check_ed(const EdParams& ed, const std::string& path, cfg::Diagnostics& d) {
  if (all_zero(ed.arrivals_by_hour)) d.error_at(path + ".arrivals_by_hour", "must not all be zero");
  if (all_zero(ed.arrivals_by_weekday)) d.error_at(path + ".arrivals_by_weekday", "must not all be zero");
  if (all_zero(ed.arrivals_by_month)) d.error_at(path + ".arrivals_by_month", "must not all be zero");
  check_relative_profile(ed.admission_share_by_month, path + ".admission_share_by_month", d);
  check_relative_profile(ed.treatment_minutes_by_month, path + ".treatment_minutes_by_month", d);
  for (double c : ed.clinicians_by_hour) {
    if (!whole(c)) {
      d.error_at(path + ".clinicians_by_hour", "must be whole numbers of clinicians");
      break;
    }
  }
  if (!whole(ed.cubicles))
    d.error_at(path + ".cubicles", "must be a whole number of patients");
  if (all_zero(ed.clinicians_by_hour))
    d.error_at(path + ".clinicians_by_hour", "no clinician is ever on duty, so no patient would ever be treated");
}

void check_beds(const BedParams& beds, const std::string& path, cfg::Diagnostics& d) {
  if (!whole(beds.general_acute_beds))
    d.error_at(path + ".general_acute_beds", "must be a whole number of beds");
  if (!(beds.discharge_window_opens_hour < beds.discharge_window_closes_hour))
    d.error_at(path + ".discharge_window_closes_hour",
               "must be later than discharge_window_opens_hour (got " + cfg::format_number(beds.discharge_window_closes_hour) +
                   " against " + cfg::format_number(beds.discharge_window_opens_hour) + "); 0 and 24 discharge at any hour");
  else if (beds.discharge_window_opens_hour + beds.held_discharge_spread_hours > beds.discharge_window_closes_hour)
    d.error_at(path + ".held_discharge_spread_hours",
               "must end inside the discharge window: opening " + cfg::format_number(beds.discharge_window_opens_hour) +
                   " + " + cfg::format_number(beds.held_discharge_spread_hours) + " hours is after its closing at " +
                   cfg::format_number(beds.discharge_window_closes_hour));
  check_relative_profile(beds.emergency_stay_by_month, path + ".emergency_stay_by_month", d);
  check_relative_profile(beds.delayed_transfer_share_by_month, path + ".delayed_transfer_share_by_month", d);
}

void check_staffing(const StaffingParams& staffing, const std::string& path, cfg::Diagnostics& d) {
  check_relative_profile(staffing.sickness_by_month, path + ".sickness_by_month", d);
}

void check_elective(const ElectiveParams& e, const std::string& path, cfg::Diagnostics& d) {
  for (const char* key : {"patients_per_theatre_session", "patients_per_clinic_session", "initial_list"}) {
    const double v = std::string(key) == "initial_list" ? e.initial_list
                     : std::string(key) == "patients_per_clinic_session" ? e.patients_per_clinic_session
                                                                         : e.patients_per_theatre_session;
    if (!whole(v)) d.error_at(path + "." + key, "must be a whole number");
  }
  if (e.initial_list >= 2147483648.0) d.error_at(path + ".initial_list", "must be below 2^31");
  if (std::all_of(e.priority_shares.begin(), e.priority_shares.end(), [](double x) { return x == 0.0; }))
    d.error_at(path + ".priority_shares", "must not all be zero");
  if (std::all_of(e.referrals_by_weekday.begin(), e.referrals_by_weekday.end(), [](double x) { return x == 0.0; }))
    d.error_at(path + ".referrals_by_weekday", "must not all be zero");
}

// Reads a `schemes` map into `schemes`: a name already there is updated key by key (a regime
// laying keys over its preset's), a new one starts from the defaults.
void read_schemes(const YAML::Node& map, const std::string& path, cfg::Diagnostics& d,
                  std::vector<std::pair<std::string, SchemeParams>>& schemes) {
  if (!map.IsMap()) {
    d.error(map.Mark(), path, "expected a map from scheme name to scheme");
    return;
  }
  for (const auto& entry : map) {
    const std::string name = entry.first.as<std::string>();
    const std::string at = path + "." + name;
    auto it = std::find_if(schemes.begin(), schemes.end(), [&](const auto& s) { return s.first == name; });
    SchemeParams p = it == schemes.end() ? SchemeParams{} : it->second;
    cfg::Reader r(d, entry.second, at);
    p.describe(r);
    r.finish();
    if (!entry.second.IsMap()) continue;
    if (name.find('/') != std::string::npos) d.error(entry.first.Mark(), at, "a scheme name cannot hold '/'");
    check_scheme(p, at, d);
    if (it == schemes.end()) schemes.emplace_back(name, p);
    else it->second = p;
  }
}

// What a preset file says about itself (configs/regimes/*.yaml); the run does not use it.
struct RegimeInfo {
  std::string title, summary, sources;
  template <class V>
  void describe(V& v) {
    v.field("title", title, cfg::Doc{"", "One line naming the regime.", ""});
    v.field("summary", summary, cfg::Doc{"", "What the regime did, in a few sentences.", ""});
    v.field("sources", sources, cfg::Doc{"", "Where its numbers come from (docs/sources.md sections and the documents they cite).", ""});
  }
};

const cfg::Doc regime_preset_doc{"",
                                 "A preset in configs/regimes/ by name (contract_2015_16), or a path to a preset file "
                                 "relative to this config. Keys given beside it are laid over the preset's.",
                                 ""};
const cfg::Doc regime_name_doc{"", "Names the regime in reports and its schemes (\"<name>/<scheme>\"); unique.",
                               "default: the preset's name"};
const cfg::Doc regime_from_doc{"date", "The regime's schemes, fund and regulator act only from this date...", "default: always"};
const cfg::Doc regime_to_doc{"date", "...and before this one (after from): months, quarters and decisions starting in [from, to).",
                             "default: always"};

// Reads the preset file at `file` into `r`; its problems are reported against that file.
void read_regime_preset(const std::string& file, cfg::Diagnostics& d, Regime& r) {
  cfg::Diagnostics pd(file);
  try {
    const YAML::Node root = cfg::load_yaml_file(file);
    if (!root.IsMap()) {
      pd.error(root.Mark(), "", "expected a map with schemes, incentive_fund and regulator");
    } else {
      cfg::Reader top(pd, root, "");
      top.take("schema_version");
      RegimeInfo info;
      top.section("regime", info, "");
      if (const YAML::Node* schemes = top.take("schemes")) read_schemes(*schemes, "schemes", pd, r.schemes);
      top.section("incentive_fund", r.incentive_fund, "");
      top.section("regulator", r.regulator, "");
      top.finish();
    }
  } catch (const cfg::ConfigError& e) {
    for (const auto& issue : e.issues()) d.report(issue);
    return;
  }
  for (const auto& issue : pd.issues()) d.report(issue);
}

void read_regimes(const YAML::Node& list, cfg::Diagnostics& d, Scenario& s) {
  if (!list.IsSequence()) {
    d.error(list.Mark(), "regimes", "expected a list of regimes, each {preset, from, to}");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "regimes[" + std::to_string(i) + "]";
    const YAML::Node item = list[i];
    cfg::Reader r(d, item, at);
    Regime regime;
    const YAML::Node* preset = r.take("preset");
    if (preset) {
      if (!preset->IsScalar() || preset->Scalar().empty()) {
        d.error(preset->Mark(), at + ".preset", "expected a preset name or a path, got " + cfg::describe_node(*preset));
      } else {
        regime.preset = preset->Scalar();
        const std::string file = find_regime_preset(regime.preset, d.file());
        if (file.empty()) {
          const std::vector<std::string> known = regime_presets();
          std::string list_text;
          for (const auto& k : known) list_text += (list_text.empty() ? "" : ", ") + k;
          const std::string guess = cfg::closest_match(regime.preset, known);
          d.error(preset->Mark(), at + ".preset",
                  "no regime preset '" + regime.preset + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                      " (presets: " + list_text + "; or a path to a .yaml file)");
        } else {
          read_regime_preset(file, d, regime);
          regime.name = std::filesystem::path(file).stem().string();
        }
      }
    }
    r.field("name", regime.name, regime_name_doc);
    r.field("from", regime.from, regime_from_doc);
    r.field("to", regime.to, regime_to_doc);
    if (const YAML::Node* schemes = r.take("schemes")) read_schemes(*schemes, at + ".schemes", d, regime.schemes);
    r.section("incentive_fund", regime.incentive_fund, "");
    r.section("regulator", regime.regulator, "");
    r.finish();
    if (!item.IsMap()) continue;
    d.remember(at, item.Mark());
    if (regime.name.empty() && !preset)
      d.error(item.Mark(), at + ".name", "a regime needs a name (or a preset, whose name it takes)");
    else if (regime.name.find_first_of("/ ") != std::string::npos)
      d.error_at(at + ".name", "must not hold '/' or spaces (it prefixes the regime's scheme names)");
    for (std::size_t j = 0; j < s.regimes.size(); ++j)
      if (s.regimes[j].name == regime.name)
        d.error(item.Mark(), at + ".name",
                "'" + regime.name + "' already names regimes[" + std::to_string(j) + "]: give one of them a `name` of its own");
    if (!(regime.from < regime.to))
      d.error_at(at + ".to", "must be after from (" + sim::format_date(regime.from) + "), or the regime is never in force");
    check_incentive_fund(regime.incentive_fund, at + ".incentive_fund", d);
    check_regulator(regime.regulator, at + ".regulator", d);
    s.regimes.push_back(std::move(regime));
  }
}

// At most one incentive fund, league table and consequence of each kind may act at a time:
// two funds settling one quarter, or two tables ranking it, would have no meaning.
void check_regime_overlaps(const Scenario& s, cfg::Diagnostics& d) {
  struct Window {
    std::string path;
    sim::Date from, to;
  };
  std::map<std::string, std::vector<Window>> kinds;
  const auto add = [&](const std::string& kind, bool enabled, const std::string& path, const sim::Date& from,
                       const sim::Date& to) {
    if (enabled && from < to) kinds[kind].push_back(Window{path, from, to});
  };
  const auto add_all = [&](const std::string& at, const IncentiveFundParams& f, const RegulatorParams& g) {
    add("an incentive fund", f.enabled, at + "incentive_fund", f.from, f.to);
    add("a league table", g.league_table.enabled, at + "regulator.league_table", g.league_table.from, g.league_table.to);
    add("a turnaround policy", g.turnaround.enabled, at + "regulator.turnaround", g.turnaround.from, g.turnaround.to);
    add("a management replacement policy", g.management_replacement.enabled, at + "regulator.management_replacement",
        g.management_replacement.from, g.management_replacement.to);
    add("a recruitment penalty", g.recruitment_penalty.enabled, at + "regulator.recruitment_penalty",
        g.recruitment_penalty.from, g.recruitment_penalty.to);
    add("a capital freedom", g.capital_freedom.enabled, at + "regulator.capital_freedom", g.capital_freedom.from,
        g.capital_freedom.to);
    add("a capital rewards scheme", g.capital_rewards.enabled, at + "regulator.capital_rewards", g.capital_rewards.from,
        g.capital_rewards.to);
  };
  add_all("", s.incentive_fund, s.regulator);
  for (std::size_t i = 0; i < s.regimes.size(); ++i) {
    const Regime r = in_window(s.regimes[i]);
    add_all("regimes[" + std::to_string(i) + "].", r.incentive_fund, r.regulator);
  }
  for (const auto& [kind, windows] : kinds)
    for (std::size_t j = 1; j < windows.size(); ++j)
      for (std::size_t i = 0; i < j; ++i)
        if (windows[i].from < windows[j].to && windows[j].from < windows[i].to)
          d.error_at(windows[j].path,
                     "in force " + sim::format_date(windows[j].from) + " to " + sim::format_date(windows[j].to) +
                         ", overlapping " + windows[i].path + " (" + sim::format_date(windows[i].from) + " to " +
                         sim::format_date(windows[i].to) + "): only " + kind +
                         " can act at a time; narrow the regimes' from/to");
}

// A regime preset (configs/regimes/) given where a scenario was expected: named for what it
// is, with how to use it, rather than buried under missing keys.
bool is_regime_preset(const YAML::Node& root, cfg::Diagnostics& d) {
  const YAML::Node preset = root["regime"];
  if (!preset.IsDefined()) return false;
  d.error(preset.Mark(), "regime",
          "this file is a regime preset, not a scenario: use it from a scenario, as in regimes: [{preset: " +
              std::filesystem::path(d.file()).stem().string() + "}]");
  return true;
}

// schema_version must be there and no newer than this breachsim reads.
void read_schema_version(cfg::Reader& top, const YAML::Node& root, cfg::Diagnostics& d) {
  const YAML::Node* n = top.take("schema_version");
  if (!n) {
    d.error(root.Mark(), "schema_version", "missing: add 'schema_version: " + std::to_string(schema_version) + "' at the top");
    return;
  }
  long long v = 0;
  if (!n->IsScalar() || !YAML::convert<long long>::decode(*n, v)) {
    d.error(n->Mark(), "schema_version", "expected a whole number");
  } else if (v > schema_version) {
    d.error(n->Mark(), "schema_version",
            "this file is for schema " + std::to_string(v) + "; this breachsim reads schema " +
                std::to_string(schema_version) + " and older: upgrade breachsim");
  } else if (v < 1) {
    d.error(n->Mark(), "schema_version", "must be >= 1");
  }
}

void read_commissioners(const YAML::Node& list, cfg::Diagnostics& d, Scenario& s) {
  if (!list.IsSequence()) {
    d.error(list.Mark(), "commissioners", "expected a list of commissioners");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = "commissioners[" + std::to_string(i) + "]";
    CommissionerParams c;
    cfg::Reader r(d, list[i], item_path);
    c.describe(r);
    r.finish();
    if (!list[i].IsMap()) continue;
    if (c.name.empty()) d.error(list[i].Mark(), item_path + ".name", "every commissioner needs a name");
    else if (!names.insert(c.name).second) d.error_at(item_path + ".name", "duplicate commissioner name '" + c.name + "'");
    s.commissioners.push_back(std::move(c));
  }
}

// The footprints' own shape; whom they name is checked once trusts and commissioners are read
// (check_footprints).
void read_footprints(const YAML::Node& list, cfg::Diagnostics& d, Scenario& s) {
  if (!list.IsSequence()) {
    d.error(list.Mark(), "footprints", "expected a list of footprints");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = "footprints[" + std::to_string(i) + "]";
    FootprintParams f;
    cfg::Reader r(d, list[i], item_path);
    f.describe(r);
    r.finish();
    if (!list[i].IsMap()) continue;
    d.remember(item_path, list[i].Mark());
    if (f.name.empty()) d.error(list[i].Mark(), item_path + ".name", "every footprint needs a name");
    else if (!names.insert(f.name).second) d.error_at(item_path + ".name", "duplicate footprint name '" + f.name + "'");
    // A plan of commissioners alone would be no trust's plan: a footprint groups trusts.
    if (f.trusts.empty())
      d.error(list[i].Mark(), item_path + ".trusts", "a footprint needs at least one trust (list their names in `trusts`)");
    s.footprints.push_back(std::move(f));
  }
}

// Every trust starts from s.defaults, so `defaults` must have been read first.
void read_trusts(const YAML::Node& list, cfg::Diagnostics& d, Scenario& s) {
  if (!list.IsSequence() || list.size() == 0) {
    d.error(list.Mark(), "trusts", "expected a non-empty list of trusts");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = "trusts[" + std::to_string(i) + "]";
    const YAML::Node item = list[i];
    TrustParams t;
    static_cast<Defaults&>(t) = s.defaults;  // each trust starts from the defaults
    cfg::Reader r(d, item, item_path);
    t.describe(r);
    r.finish();
    if (!item.IsMap()) continue;
    if (t.name.empty()) {
      d.error(item.Mark(), item_path + ".name", "every trust needs a name");
    } else if (!names.insert(t.name).second) {
      d.error_at(item_path + ".name", "duplicate trust name '" + t.name + "'");
    }
    check_ed(t.ed, item_path + ".ed", d);
    check_beds(t.beds, item_path + ".beds", d);
    check_staffing(t.staffing, item_path + ".staffing", d);
    check_elective(t.elective, item_path + ".elective", d);
    check_cancer(t.cancer, item_path + ".cancer", d);
    check_borrowing(t.finance.borrowing, item_path + ".finance.borrowing", d);
    s.trusts.push_back(std::move(t));
  }
}

// The replication calculator's metric must exist, and its cap must allow the first batch.
void check_monte_carlo(const MonteCarloSection& mc, cfg::Diagnostics& d) {
  const std::string& target = mc.target_metric;
  if (!metric_by_name(target)) {
    std::vector<std::string> names;
    for (const MetricInfo& m : metric_catalogue) names.emplace_back(m.name);
    const std::string guess = cfg::closest_match(target, names);
    d.error_at("monte_carlo.target_metric",
               "no metric named '" + target + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
  }
  if (mc.target_half_width > 0.0 && mc.max_replications < mc.replications)
    d.error_at("monte_carlo.max_replications", "must be at least monte_carlo.replications");
}

// A trust's commissioner, when it names one, must be listed in `commissioners`.
void check_trust_commissioners(const Scenario& s, cfg::Diagnostics& d) {
  for (std::size_t i = 0; i < s.trusts.size(); ++i) {
    const std::string& c = s.trusts[i].commissioner;
    if (c.empty()) continue;
    const bool known = std::any_of(s.commissioners.begin(), s.commissioners.end(),
                                   [&](const CommissionerParams& k) { return k.name == c; });
    if (known) continue;
    std::vector<std::string> names;
    for (const auto& k : s.commissioners) names.push_back(k.name);
    const std::string guess = cfg::closest_match(c, names);
    d.error_at("trusts[" + std::to_string(i) + "].commissioner",
               "no commissioner named '" + c + "' in `commissioners`" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
  }
}

namespace footprint_checks {

// `kind` ("trust", "commissioner") named `name` at `path` must be one of `known`, in no other
// footprint (`owner`: member name -> the footprint path that listed it first).
bool check_member(const std::string& kind, const std::string& name, const std::string& path,
                  const std::vector<std::string>& known, std::map<std::string, std::string>& owner,
                  cfg::Diagnostics& d) {
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    const std::string guess = cfg::closest_match(name, known);
    d.error_at(path, "no " + kind + " named '" + name + "' in `" + kind + "s`" +
                         (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    return false;
  }
  const auto [it, fresh] = owner.emplace(name, path);
  if (!fresh) {
    d.error_at(path, kind + " '" + name + "' is already in a footprint at " + it->second +
                         ": a " + kind + " belongs to at most one footprint");
    return false;
  }
  return true;
}

}  // namespace footprint_checks

// Footprints name trusts and commissioners that exist, each in one footprint at most, and
// commissioners with an allocation: without one a commissioner has no balance to add.
void check_footprints(const Scenario& s, cfg::Diagnostics& d) {
  std::vector<std::string> trusts, commissioners;
  for (const auto& t : s.trusts) trusts.push_back(t.name);
  for (const auto& c : s.commissioners) commissioners.push_back(c.name);
  std::map<std::string, std::string> trust_owner, commissioner_owner;
  for (std::size_t i = 0; i < s.footprints.size(); ++i) {
    const FootprintParams& f = s.footprints[i];
    const std::string path = "footprints[" + std::to_string(i) + "]";
    for (std::size_t k = 0; k < f.trusts.size(); ++k)
      footprint_checks::check_member("trust", f.trusts[k], path + ".trusts[" + std::to_string(k) + "]", trusts,
                                     trust_owner, d);
    for (std::size_t k = 0; k < f.commissioners.size(); ++k) {
      const std::string item = path + ".commissioners[" + std::to_string(k) + "]";
      if (!footprint_checks::check_member("commissioner", f.commissioners[k], item, commissioners,
                                          commissioner_owner, d))
        continue;
      const auto c = std::find(commissioners.begin(), commissioners.end(), f.commissioners[k]) - commissioners.begin();
      if (!(s.commissioners[static_cast<std::size_t>(c)].allocation_gbp_per_year > 0.0))
        d.error_at(item, "commissioner '" + f.commissioners[k] +
                             "' has no allocation (allocation_gbp_per_year 0: unlimited), so no balance to add to "
                             "the footprint's: give it an allocation or leave it out");
    }
  }
}

// The checks across sections, once the whole scenario is read.
void check_scenario(const Scenario& s, cfg::Diagnostics& d) {
  if (s.scenario.name.empty() ||
      s.scenario.name.find_first_of("/\\ \t") != std::string::npos)
    d.error_at("scenario.name", "must be a non-empty name without spaces or slashes (it names the output file)");
  check_ed(s.defaults.ed, "defaults.ed", d);
  check_beds(s.defaults.beds, "defaults.beds", d);
  check_staffing(s.defaults.staffing, "defaults.staffing", d);
  check_elective(s.defaults.elective, "defaults.elective", d);
  check_cancer(s.defaults.cancer, "defaults.cancer", d);
  check_borrowing(s.defaults.finance.borrowing, "defaults.finance.borrowing", d);
  check_incentive_fund(s.incentive_fund, "incentive_fund", d);
  check_regulator(s.regulator, "regulator", d);
  check_regime_overlaps(s, d);
  check_monte_carlo(s.monte_carlo, d);
  check_trust_commissioners(s, d);
  check_footprints(s, d);
}

// Reads one scenario from `root` (a map), recording every problem in `d`.
void read_scenario(const YAML::Node& root, cfg::Diagnostics& d, Scenario& s) {
  if (is_regime_preset(root, d)) return;
  cfg::Reader top(d, root, "");
  read_schema_version(top, root, d);
  top.section("scenario", s.scenario, "");
  if (const YAML::Node* n = top.take("monte_carlo")) {
    cfg::Reader r(d, *n, "monte_carlo");
    s.monte_carlo.describe(r);
    r.take("baseline_point");  // read by load_sweep, which knows the points' names
    r.take("reference_path");  // read by load_sweep, which knows the swept paths
    r.finish();
  }
  top.take("sweep");  // read by load_sweep; claimed so that a misspelt `swep` gets its suggestion
  top.take("sensitivity");  // read by load_sweep, which makes its design's points
  top.section("defaults", s.defaults, "");
  top.section("output", s.output, "");
  top.section("incentive_fund", s.incentive_fund, "");
  top.section("regulator", s.regulator, "");
  if (const YAML::Node* list = top.take("commissioners")) read_commissioners(*list, d, s);
  if (const YAML::Node* map = top.take("schemes")) read_schemes(*map, "schemes", d, s.schemes);
  if (const YAML::Node* list = top.take("regimes")) read_regimes(*list, d, s);
  if (const YAML::Node* list = top.take("footprints")) read_footprints(*list, d, s);
  if (const YAML::Node* list = top.take("trusts")) read_trusts(*list, d, s);
  else d.error(root.Mark(), "trusts", "missing: list at least one trust");
  top.finish();
  check_scenario(s, d);
  s.scenario.first_month.day = 1;
}

// ---------------------------------------------------------------------------------------
// Sweeps and --set overrides. The tree read from the file is changed in place: each --set
// once, then each point's swept values in turn. The tree shares the swept value nodes of the
// file's `sweep` list, so a problem in a value keeps its place in the file.

// The keys read here rather than by a struct's describe(); documented with the rest.
const cfg::Doc sweep_path_doc{"",
                              "Key path to vary: map keys separated by dots, list items as trusts[2] "
                              "(schemes.ed_4h.rate_gbp, trusts[0].beds.general_acute_beds, defaults.ed). "
                              "Missing maps on the way are created. Not sweep, nor anything under scenario, "
                              "monte_carlo, output or footprints: every point has the same calendar, replications, "
                              "output and footprints.",
                              ""};
const cfg::Doc sweep_values_doc{"",
                                "The values to try, each read as if written at the path (a number, a word, a list or a "
                                "whole map); an invalid value is reported at its place in this list.",
                                ""};
const cfg::Doc sweep_labels_doc{"",
                                "Optional short names of the values, one per value, all different; a point's name "
                                "joins its labels (or path=value) with \", \".",
                                ""};
const cfg::Doc reference_path_doc{"",
                                  "A swept path (sweep[].path) that pairs the points: each point is compared with the "
                                  "point that has the same value of every other swept path and this path's first value "
                                  "(its reference point). With defaults.finance.fined swept over [false, true], every "
                                  "point with fines is compared with the same point without them, so a sweep of beds "
                                  "times fines gives the deficit multiplier of fines at every bed count. Default: every "
                                  "point is compared with the baseline point.",
                                  ""};
const cfg::Doc baseline_point_doc{"",
                                  "Name of the sweep point that paired comparisons are made against, e.g. \"fines off, "
                                  "low demand\" (see `breachsim validate`). Default: the first point.",
                                  ""};

bool unsweepable(const cfg::KeyPath& path, std::string& why) {
  const std::string& top = path.front().key;
  if (top == "sweep")
    why = "a sweep cannot vary itself";
  else if (top == "scenario" || top == "monte_carlo" || top == "output")
    why = "every point must have the same calendar, replications and output";
  else if (top == "footprints")
    why = "every point must have the same footprints (the result file has one footprint dimension)";
  return !why.empty();
}

struct SweepEntry {
  std::size_t index = 0;  // in the file's `sweep` list
  cfg::KeyPath path;
  std::string path_text;  // canonical
  YAML::Mark path_mark = YAML::Mark::null_mark();
  std::vector<YAML::Node> values;
  std::vector<std::string> texts;   // each value as YAML text
  std::vector<std::string> labels;  // empty: names say path=value
  std::string where;                // the config key it came from; empty: sweep[index]
  std::vector<YAML::Mark> value_marks;  // where each value is in the file; empty: each value's own

  std::string at() const { return where.empty() ? "sweep[" + std::to_string(index) + "]" : where; }
  YAML::Mark value_mark(std::size_t j) const { return value_marks.empty() ? values[j].Mark() : value_marks[j]; }
  std::string name(std::size_t value) const { return labels.empty() ? path_text + "=" + texts[value] : labels[value]; }
};

// An entry's `path`: a key path that may be swept and overlaps no earlier entry's.
void read_sweep_path(const YAML::Node& path, const std::vector<SweepEntry>& entries, cfg::Diagnostics& d,
                     SweepEntry& e) {
  const std::string at = e.at();
  if (!path.IsScalar()) {
    d.error(path.Mark(), at + ".path", "expected a key path like schemes.ed_4h.rate_gbp, got " + cfg::describe_node(path));
    return;
  }
  e.path_mark = path.Mark();
  std::string why;
  const bool parsed = cfg::parse_key_path(path.Scalar(), e.path, why);
  e.path_text = cfg::to_string(e.path);
  if (!parsed) {
    d.error(e.path_mark, at + ".path", why);
  } else if (unsweepable(e.path, why)) {
    d.error(e.path_mark, at + ".path", e.path_text + " cannot be swept: " + why);
  } else {
    for (const auto& other : entries) {
      if (e.path == other.path)
        d.error(e.path_mark, at + ".path", "duplicate of " + other.at() + ".path: sweep each path once");
      else if (cfg::starts_with(e.path, other.path) || cfg::starts_with(other.path, e.path))
        d.error(e.path_mark, at + ".path",
                e.path_text + " overlaps " + other.at() + ".path (" + other.path_text + "): one would overwrite the other");
    }
  }
}

void read_sweep_values(const YAML::Node& values, cfg::Diagnostics& d, SweepEntry& e) {
  const std::string at = e.at();
  if (!values.IsSequence()) {
    d.error(values.Mark(), at + ".values", "expected a list of values, got " + cfg::describe_node(values));
  } else if (values.size() == 0) {
    d.error(values.Mark(), at + ".values", "is empty: list at least one value to try");
  } else {
    for (std::size_t j = 0; j < values.size(); ++j) {
      e.values.push_back(values[j]);
      e.texts.push_back(cfg::yaml_text(e.values.back()));
    }
  }
}

void read_sweep_labels(const YAML::Node& labels, cfg::Diagnostics& d, SweepEntry& e) {
  const std::string at = e.at();
  if (!labels.IsSequence()) {
    d.error(labels.Mark(), at + ".labels",
            "expected a list of short names, one per value, got " + cfg::describe_node(labels));
    return;
  }
  if (!e.values.empty() && labels.size() != e.values.size())
    d.error(labels.Mark(), at + ".labels",
            "has " + std::to_string(labels.size()) + (labels.size() == 1 ? " label" : " labels") + " for " +
                std::to_string(e.values.size()) + " values");
  for (std::size_t j = 0; j < labels.size(); ++j) {
    const YAML::Node label = labels[j];
    if (!label.IsScalar() || label.Scalar().empty())
      d.error(label.Mark(), at + ".labels[" + std::to_string(j) + "]", "expected a short name, got " + cfg::describe_node(label));
    else
      e.labels.push_back(label.Scalar());
  }
}

// Point names must tell the points apart (a baseline is chosen by name): the entry's labels,
// or without them its values, must all differ.
void check_distinct_names(const YAML::Node* values, const YAML::Node* labels, cfg::Diagnostics& d, const SweepEntry& e) {
  const std::vector<std::string>& names = labels ? e.labels : e.texts;
  const std::string what = labels ? "labels" : "values";
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto first = std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(j), names[j]);
    if (first == names.begin() + static_cast<std::ptrdiff_t>(j)) continue;
    const std::string other = what + "[" + std::to_string(first - names.begin()) + "]";
    const YAML::Node& node = labels ? (*labels)[j] : (*values)[j];
    d.error(node.Mark(), e.at() + "." + what + "[" + std::to_string(j) + "]",
            labels ? "the same label as " + other + ": every point needs a name of its own"
                   : "the same value as " + other + ": every point needs a name of its own (labels can tell them apart)");
  }
}

// Entry i of the `sweep` list, added to `entries` when well formed, its path then set to its
// first value in `root`.
void read_sweep_entry(YAML::Node& root, const YAML::Node& item, std::size_t i, cfg::Diagnostics& d,
                      std::vector<SweepEntry>& entries) {
  const std::size_t problems = d.issues().size();
  SweepEntry e;
  e.index = i;
  const std::string at = e.at();
  cfg::Reader r(d, item, at);
  if (!item.IsMap()) return;
  const YAML::Node* path = r.take("path");
  const YAML::Node* values = r.take("values");
  const YAML::Node* labels = r.take("labels");
  r.finish();
  if (!item["path"].IsDefined()) d.error(item.Mark(), at + ".path", "missing: name the key path to vary");
  if (!item["values"].IsDefined()) d.error(item.Mark(), at + ".values", "missing: list the values to try");
  if (path) read_sweep_path(*path, entries, d, e);
  if (values) read_sweep_values(*values, d, e);
  if (labels) read_sweep_labels(*labels, d, e);
  if (d.issues().size() != problems) return;
  check_distinct_names(values, labels, d, e);
  if (d.issues().size() != problems) return;
  const std::string blocked = cfg::set_path(root, e.path, e.values.front());
  if (!blocked.empty()) {
    d.error(e.path_mark, at + ".path", blocked);
    return;
  }
  entries.push_back(std::move(e));
}

// The well-formed entries of `sweep`, each path already set to its first value (which creates
// any missing maps on the way once and for all). Problems go to `d`.
std::vector<SweepEntry> read_sweep(YAML::Node& root, cfg::Diagnostics& d) {
  const YAML::Node list = std::as_const(root)["sweep"];
  if (!list.IsDefined() || list.IsNull()) return {};  // an empty `sweep:` is reported by read_scenario
  if (!list.IsSequence()) {
    d.error(list.Mark(), "sweep", "expected a list of {path, values} entries, got " + cfg::describe_node(list));
    return {};
  }
  std::vector<SweepEntry> entries;
  for (std::size_t i = 0; i < list.size(); ++i) read_sweep_entry(root, list[i], i, d, entries);
  return entries;
}

std::vector<std::string> trust_names(const Scenario& s) {
  std::vector<std::string> names;
  for (const auto& t : s.trusts) names.push_back(t.name);
  return names;
}

// Names may hold commas (a point's name does), so each is quoted: ['A', 'B'].
std::string quoted(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return "[" + s + "]";
}

// Each --set replaces its node before anything is read; what it put there is reported as
// coming from the --set, wherever in the tree a problem surfaces.
struct SetOverride {
  std::string path;
  cfg::Origin origin;
};

// One --set dotted.path=value applied to `root`, or its problem reported.
void apply_override(YAML::Node& root, const std::string& option, cfg::Diagnostics& d, std::vector<SetOverride>& sets) {
  const std::string origin = "--set " + option;
  const auto fail = [&](const std::string& at, const std::string& message) {
    d.report(cfg::Issue{origin, 0, 0, at, message});
  };
  const std::size_t equals = option.find('=');
  if (equals == std::string::npos) return fail("", "expected --set dotted.path=value");
  const std::string text = option.substr(0, equals);
  const std::size_t first = text.find_first_not_of(" \t"), last = text.find_last_not_of(" \t");
  cfg::KeyPath key_path;
  std::string why;
  if (!cfg::parse_key_path(first == std::string::npos ? "" : text.substr(first, last - first + 1), key_path, why))
    return fail("", why);
  const std::string canonical = cfg::to_string(key_path);
  if (key_path.front().key == "sweep") return fail(canonical, "cannot be set with --set: edit the sweep in the file");
  const std::string value_text = option.substr(equals + 1);
  if (sim::invalid_utf8_at(value_text) != std::string::npos)
    return fail(canonical, "the value is not UTF-8 text (check the terminal's encoding)");
  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::Exception& e) {
    return fail(canonical, "the value is not valid YAML: " + e.msg);
  }
  const std::string blocked = cfg::set_path(root, key_path, value);
  if (!blocked.empty()) return fail(canonical, blocked);
  const cfg::Origin from{origin, YAML::Mark::null_mark(), ""};
  sets.push_back(SetOverride{canonical, from});
  d.overridden(canonical, from, from);
}

// The number of points, the product of the entries' value counts. Beyond the limit only
// point 0 is read, to report the rest of the file's problems.
std::size_t sweep_point_count(const YAML::Node& root, const std::vector<SweepEntry>& entries, cfg::Diagnostics& d) {
  double product = 1.0;  // in floating point, so that no sweep can overflow it
  std::string sizes;
  for (const auto& e : entries) {
    product *= static_cast<double>(e.values.size());
    sizes += (sizes.empty() ? "" : " x ") + std::to_string(e.values.size());
  }
  if (product <= static_cast<double>(max_sweep_points)) return static_cast<std::size_t>(product);
  if (entries.size() > 1 && product < 1e15) sizes += " = " + std::to_string(static_cast<unsigned long long>(product));
  d.error(root["sweep"].Mark(), "sweep",
          "has " + sizes + " points, more than the " + std::to_string(max_sweep_points) + " allowed");
  return 1;
}

// The value of each entry at point p, by index: the first entry varies slowest.
std::vector<std::size_t> point_values(const std::vector<SweepEntry>& entries, std::size_t p) {
  std::vector<std::size_t> which(entries.size());
  std::size_t rest = p;
  for (std::size_t i = entries.size(); i-- > 0;) {
    which[i] = rest % entries[i].values.size();
    rest /= entries[i].values.size();
  }
  return which;
}

// A point read as a scenario of its own: `root` with each entry's chosen value set, its
// problems in `point_d` reported against the --set or the swept value that caused them.
SweepPoint read_point(YAML::Node& root, const std::string& path, const std::vector<SetOverride>& sets,
                      const std::vector<SweepEntry>& entries, const std::vector<std::size_t>& which,
                      cfg::Diagnostics& point_d) {
  for (const auto& set : sets) point_d.overridden(set.path, set.origin, set.origin);
  SweepPoint point;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const SweepEntry& e = entries[i];
    const std::size_t j = which[i];
    cfg::set_path(root, e.path, e.values[j]);  // cannot fail: read_sweep set it once already
    point_d.overridden(e.path_text, cfg::Origin{path, e.value_mark(j), e.at() + ".values[" + std::to_string(j) + "]"},
                       cfg::Origin{path, e.path_mark, e.at() + ".path"});
    point.name += (i ? ", " : "") + e.name(j);
    point.values.push_back(e.texts[j]);
  }
  if (entries.empty()) point.name = "baseline";
  point.scenario.source_file = path;
  read_scenario(root, point_d, point.scenario);
  return point;
}

// A problem found in the points, once however many points share it.
struct Seen {
  cfg::Issue issue;
  std::size_t first_point;
  std::size_t points;
};

// Every point, read or not: its name and its value of each entry; which were read.
struct PointsRead {
  std::vector<std::string> names;
  std::vector<std::vector<std::size_t>> chosen;  // [point][entry]: index of the value
  std::vector<std::size_t> read_point;           // the index in `names` of each of sweep.points
};

// Problems once each, with how many points have them.
void report_point_problems(std::vector<Seen>& seen, std::size_t count, const std::vector<std::string>& names,
                           cfg::Diagnostics& d) {
  for (auto& s : seen) {
    // A problem outside the swept values that only some points have (a cross-field check
    // tripped by a swept value): say which.
    if (s.points < count && s.issue.path.rfind("sweep[", 0) != 0)
      s.issue.message += " (at sweep point '" + names[s.first_point] + "'" +
                         (s.points == 2  ? " and 1 other"
                          : s.points > 2 ? " and " + std::to_string(s.points - 1) + " others"
                                         : "") +
                         ")";
    d.report(std::move(s.issue));
  }
}

// Reads the first `count` points into sweep.points (those without problems); the problems
// go to `d`.
// `rows`: each point's value of every entry (a sensitivity design's rows); empty: the cartesian
// product of the entries' values, its first `count` points.
PointsRead read_points(YAML::Node& root, const std::string& path, const std::vector<SetOverride>& sets,
                       const std::vector<SweepEntry>& entries, std::size_t count,
                       const std::vector<std::vector<std::size_t>>& rows, cfg::Diagnostics& d, Sweep& sweep) {
  PointsRead read;
  if (!rows.empty()) count = rows.size();
  read.names.resize(count);
  read.chosen.resize(count);
  std::vector<Seen> seen;
  std::unordered_map<std::string, std::size_t> seen_at;
  for (std::size_t p = 0; p < count; ++p) {
    read.chosen[p] = rows.empty() ? point_values(entries, p) : rows[p];
    cfg::Diagnostics point_d(path);
    SweepPoint point = read_point(root, path, sets, entries, read.chosen[p], point_d);
    read.names[p] = point.name;
    for (const auto& issue : point_d.issues()) {
      const auto [it, added] = seen_at.emplace(issue.to_string(), seen.size());
      if (added) seen.push_back(Seen{issue, p, 0});
      ++seen[it->second].points;
    }
    if (point_d.ok()) {
      sweep.points.push_back(std::move(point));
      read.read_point.push_back(p);
    }
  }
  report_point_problems(seen, count, read.names, d);
  return read;
}

// The outputs are arrays over (point, trust): every point must have point 0's trusts. A
// difference is blamed on the swept values of `trusts` that differ from point 0's, once each.
void check_same_trusts(const Sweep& sweep, const std::vector<SweepEntry>& entries, const PointsRead& read,
                       cfg::Diagnostics& d) {
  if (sweep.points.empty()) return;
  const char* section = "trusts";
  const SweepPoint& reference = sweep.points.front();
  const std::vector<std::string> expected = trust_names(reference.scenario);
  std::set<std::pair<std::size_t, std::size_t>> blamed;
  for (std::size_t k = 1; k < sweep.points.size(); ++k) {
    const std::vector<std::string> got = trust_names(sweep.points[k].scenario);
    if (got == expected) continue;
    const auto& which = read.chosen[read.read_point[k]];
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::size_t j = which[i];
      if (entries[i].path.front().key != section || j == read.chosen[read.read_point.front()][i] ||
          !blamed.emplace(i, j).second)
        continue;
      d.error(entries[i].values[j].Mark(), entries[i].at() + ".values[" + std::to_string(j) + "]",
              std::string(section) + ": point '" + sweep.points[k].name + "' has " + quoted(got) + " but point '" +
                  reference.name + "' has " + quoted(expected) +
                  "; every point must have the same trusts (count and names), so that the outputs have one shape");
    }
  }
}

// monte_carlo.baseline_point, by name among the points' `names`.
void read_baseline_point(const YAML::Node& root, const std::vector<std::string>& names, cfg::Diagnostics& d,
                         Sweep& sweep) {
  const YAML::Node monte_carlo = root["monte_carlo"];
  const bool has_map = monte_carlo.IsDefined() && monte_carlo.IsMap();
  const YAML::Node baseline = has_map ? monte_carlo["baseline_point"] : YAML::Node();
  if (!has_map || !baseline.IsDefined() || baseline.IsNull()) return;
  if (!baseline.IsScalar()) {
    d.error(baseline.Mark(), "monte_carlo.baseline_point",
            "expected the name of a sweep point, got " + cfg::describe_node(baseline));
  } else if (const auto found = std::find(names.begin(), names.end(), baseline.Scalar()); found != names.end()) {
    sweep.baseline = static_cast<std::size_t>(found - names.begin());
  } else {
    std::string message = "no sweep point is named '" + baseline.Scalar() + "'";
    const std::string guess = cfg::closest_match(baseline.Scalar(), names);
    if (!guess.empty())
      message += "; did you mean '" + guess + "'?";
    else if (names.size() <= 10)
      message += "; the points are " + quoted(names);
    else
      message += " (breachsim validate lists the points)";
    d.error(baseline.Mark(), "monte_carlo.baseline_point", message);
  }
}

// The point with the same values as `chosen` but `entry` at its first value: the index of
// that combination (the first entry varying slowest), as point_values counts them.
std::size_t paired_point(const std::vector<SweepEntry>& entries, std::vector<std::size_t> chosen, std::size_t entry) {
  chosen[entry] = 0;
  std::size_t index = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) index = index * entries[i].values.size() + chosen[i];
  return index;
}

// monte_carlo.reference_path: a swept path whose first value makes each point's reference.
// Without it (or with errors) every point's reference is the baseline.
void read_reference_path(const YAML::Node& root, const std::vector<SweepEntry>& entries, const PointsRead& read,
                         cfg::Diagnostics& d, Sweep& sweep) {
  sweep.references.assign(read.names.size(), sweep.baseline);
  const YAML::Node monte_carlo = root["monte_carlo"];
  const YAML::Node node = monte_carlo.IsDefined() && monte_carlo.IsMap() ? monte_carlo["reference_path"] : YAML::Node();
  if (!node.IsDefined() || node.IsNull()) return;
  const char* at = "monte_carlo.reference_path";
  cfg::KeyPath key_path;
  std::string why;
  if (!node.IsScalar()) return d.error(node.Mark(), at, "expected a swept path, got " + cfg::describe_node(node));
  if (!cfg::parse_key_path(node.Scalar(), key_path, why)) return d.error(node.Mark(), at, why);
  const std::string canonical = cfg::to_string(key_path);
  std::vector<std::string> swept;
  for (const SweepEntry& e : entries) swept.push_back(e.path_text);
  const auto found = std::find(swept.begin(), swept.end(), canonical);
  if (found == swept.end())
    return d.error(node.Mark(), at,
                   "'" + canonical + "' is not swept" +
                       (swept.empty() ? " (the config has no sweep)" : "; the swept paths are " + quoted(swept)));
  const auto entry = static_cast<std::size_t>(found - swept.begin());
  if (read.read_point.size() != read.names.size()) return;  // some points have problems, reported already
  for (std::size_t p = 0; p < read.names.size(); ++p) sweep.references[p] = paired_point(entries, read.chosen[p], entry);
}

// monte_carlo.seed as the file gives it (the design's default seed), before the scenario is read.
std::uint64_t config_seed(const YAML::Node& root) {
  std::uint64_t value = MonteCarloSection{}.seed;
  const YAML::Node monte_carlo = root["monte_carlo"];
  if (!monte_carlo.IsDefined() || !monte_carlo.IsMap()) return value;
  const YAML::Node seed = monte_carlo["seed"];
  if (seed.IsDefined() && seed.IsScalar()) YAML::convert<std::uint64_t>::decode(seed, value);
  return value;
}

// One sweep entry per factor of a study, its values the design's rows in order (and, for
// outputs about fines, defaults.finance.fined without and with), and each point's choice of
// them in `rows`: row i is point i, or points 2i (no fines) and 2i + 1 (fines).
std::vector<SweepEntry> study_entries(YAML::Node& root, const SensitivityStudy& study, cfg::Diagnostics& d,
                                      std::vector<std::vector<std::size_t>>& rows) {
  std::vector<SweepEntry> entries;
  for (std::size_t i = 0; i < study.factors.size(); ++i) {
    SweepEntry e;
    e.index = i;
    e.where = "sensitivity.factors[" + std::to_string(i) + "]";
    std::string why;
    cfg::parse_key_path(study.factors[i].name, e.path, why);  // checked by read_sensitivity
    e.path_text = study.factors[i].name;
    e.path_mark = study.factor_marks[i];
    if (unsweepable(e.path, why)) d.error(e.path_mark, e.at() + ".path", why);
    for (const SweepEntry& other : entries)
      if (e.path_text.rfind(other.path_text + ".", 0) == 0 || other.path_text.rfind(e.path_text + ".", 0) == 0)
        d.error(e.path_mark, e.at() + ".path", "overlaps " + other.at() + ".path " + other.path_text);
    entries.push_back(std::move(e));
  }
  for (std::size_t row = 0; row < study.rows(); ++row) {
    const std::vector<double> values = study.row_values(row);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      // A node of no place in the file (built, not parsed): a problem with it is placed at its
      // factor (Diagnostics), as a --set's is at the option.
      entries[i].values.emplace_back(values[i]);
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", values[i]);
      entries[i].texts.emplace_back(text);
      entries[i].value_marks.push_back(entries[i].path_mark);
    }
  }
  if (study.paired) {
    SweepEntry fined;
    fined.index = entries.size();
    fined.where = "sensitivity.outputs";
    std::string why;
    cfg::parse_key_path("defaults.finance.fined", fined.path, why);
    fined.path_text = "defaults.finance.fined";
    fined.values = {YAML::Load("false"), YAML::Load("true")};
    fined.texts = {"false", "true"};
    fined.labels = {"no fines", "fines"};
    for (const SweepEntry& e : entries)
      if (e.path_text == "defaults.finance.fined" || fined.path_text.rfind(e.path_text + ".", 0) == 0)
        d.error(e.path_mark, e.at() + ".path",
                "the study runs every row without and with fines (its outputs are about fines), so it cannot vary " +
                    e.path_text);
    entries.push_back(std::move(fined));
  }
  for (const SweepEntry& e : entries)
    if (const std::string blocked = cfg::set_path(root, e.path, e.values.front()); !blocked.empty())
      d.error(e.path_mark, e.at() + ".path", blocked);
  for (std::size_t row = 0; row < study.rows(); ++row)
    for (std::size_t f = 0; f < (study.paired ? 2u : 1u); ++f) {
      rows.emplace_back(study.factors.size(), row);
      if (study.paired) rows.back().push_back(f);
    }
  return entries;
}

// A study's points are named by their row (and fines), and those with fines are compared with
// the same row without them.
void name_study_points(const SensitivityStudy& study, PointsRead& read, Sweep& sweep) {
  const std::size_t per_row = study.paired ? 2 : 1;
  for (std::size_t p = 0; p < read.names.size(); ++p)
    read.names[p] = "row " + std::to_string(p / per_row) +
                    (study.paired ? (p % 2 ? ", fines" : ", no fines") : std::string());
  for (std::size_t k = 0; k < sweep.points.size(); ++k) sweep.points[k].name = read.names[read.read_point[k]];
  sweep.references.resize(read.names.size());
  for (std::size_t p = 0; p < read.names.size(); ++p) sweep.references[p] = study.paired ? p - p % 2 : p;
}

}  // namespace

Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root = cfg::load_yaml_file(path);
  cfg::Diagnostics d(path);
  if (!root.IsMap()) {
    d.error(root.Mark(), "", "expected a map of keys, got " + cfg::describe_node(root));
    d.throw_if_errors();
  }
  std::vector<SetOverride> sets;
  for (const std::string& option : overrides) apply_override(root, option, d, sets);

  std::vector<SweepEntry> entries = read_sweep(root, d);
  std::optional<SensitivityStudy> study = read_sensitivity(std::as_const(root), d, config_seed(std::as_const(root)));
  Sweep sweep;
  {
    YAML::Emitter text;
    text << root;
    sweep.config_text = std::string(text.c_str()) + "\n";
  }
  std::vector<std::vector<std::size_t>> rows;
  if (study && !entries.empty())
    d.error(root["sensitivity"].Mark(), "sensitivity",
            "a config has a sweep or a sensitivity study, not both: the study's design makes the points");
  else if (study)
    entries = study_entries(root, *study, d, rows);
  for (const auto& e : entries) sweep.paths.push_back(e.path_text);
  const std::size_t count = rows.empty() ? sweep_point_count(std::as_const(root), entries, d) : rows.size();
  PointsRead read = read_points(root, path, sets, entries, count, rows, d, sweep);
  check_same_trusts(sweep, entries, read, d);
  for (const SweepPoint& point : sweep.points)
    for (const std::string& name : run_scheme_names(point.scenario))
      if (std::find(sweep.schemes.begin(), sweep.schemes.end(), name) == sweep.schemes.end())
        sweep.schemes.push_back(name);
  if (study) {
    name_study_points(*study, read, sweep);
    sweep.study = std::move(study);
  }
  read_baseline_point(std::as_const(root), read.names, d, sweep);
  if (!sweep.study) read_reference_path(std::as_const(root), entries, read, d, sweep);
  // Past this, every point was read: sweep.points[p] is point p of `names`.
  d.throw_if_errors();
  return sweep;
}

Scenario load_scenario(const std::string& path) { return std::move(load_sweep(path).points.front().scenario); }

std::string resolved_yaml(const Scenario& scenario) {
  Scenario s = scenario;  // describe() walks mutable structs; the copy keeps the caller's const
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "schema_version" << YAML::Value << schema_version;
  cfg::Writer w(out);
  w.section("scenario", s.scenario, "");
  w.section("monte_carlo", s.monte_carlo, "");
  w.section("output", s.output, "");
  w.section("defaults", s.defaults, "");
  w.section("incentive_fund", s.incentive_fund, "");
  w.section("regulator", s.regulator, "");
  out << YAML::Key << "commissioners" << YAML::Value << YAML::BeginSeq;
  for (auto& c : s.commissioners) {
    out << YAML::BeginMap;
    c.describe(w);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "footprints" << YAML::Value << YAML::BeginSeq;
  for (auto& f : s.footprints) {
    out << YAML::BeginMap;
    f.describe(w);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "schemes" << YAML::Value << YAML::BeginMap;
  for (auto& [name, p] : s.schemes) w.section(name.c_str(), p, "");
  out << YAML::EndMap;
  // Written out whole, so the file does not depend on the presets as they are later.
  out << YAML::Key << "regimes" << YAML::Value << YAML::BeginSeq;
  for (auto& r : s.regimes) {
    out << YAML::BeginMap;
    w.field("name", r.name, regime_name_doc);
    w.field("from", r.from, regime_from_doc);
    w.field("to", r.to, regime_to_doc);
    out << YAML::Key << "schemes" << YAML::Value << YAML::BeginMap;
    for (auto& [name, p] : r.schemes) w.section(name.c_str(), p, "");
    out << YAML::EndMap;
    w.section("incentive_fund", r.incentive_fund, "");
    w.section("regulator", r.regulator, "");
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "trusts" << YAML::Value << YAML::BeginSeq;
  for (auto& t : s.trusts) {
    out << YAML::BeginMap;
    t.describe(w);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

namespace {

std::string reference_intro() {
  return "# Configuration reference\n\n"
         "Generated by `breachsim validate --reference` from the declarations in models/; do not edit by hand\n"
         "(`tests` fail when this file and the code disagree; regenerate with\n"
         "`build/cli/breachsim validate --reference > configs/REFERENCE.md`).\n\n"
         "A scenario file is YAML with `schema_version: " + std::to_string(schema_version) + "` and the sections below.\n"
         "Keys left out take the default shown. Every trust in `trusts` starts from `defaults` and\n"
         "overrides any keys it names (a distribution is replaced whole). Unknown keys are errors.\n"
         "A source cites docs/sources.md; *assumption* marks a number chosen by us.\n\n"
         "Distributions are maps: `{distribution: constant, value: V}`, `{distribution: exponential, mean: M}`,\n"
         "`{distribution: lognormal, mean: M, sd: S}`, `{distribution: gamma, mean: M, sd: S}`,\n"
         "`{distribution: empirical, values: [...], weights: [...]}` (discrete) or\n"
         "`{distribution: histogram, edges: [...], weights: [...]}` (uniform within each bin); the unit is in the key.\n\n";
}

// The table of every key a struct's describe() declares, each key prefixed.
template <class T>
std::string key_table(const char* prefix) {
  T value;
  cfg::Documenter doc(prefix);
  value.describe(doc);
  return doc.markdown_table();
}

template <class T>
std::string reference_section(const char* title, const char* prefix) {
  return std::string("## ") + title + "\n\n" + key_table<T>(prefix) + "\n";
}

// monte_carlo has one key read by load_sweep rather than by its describe().
std::string monte_carlo_reference() {
  MonteCarloSection mc;
  cfg::Documenter doc("monte_carlo.");
  mc.describe(doc);
  doc.add("baseline_point", "text", "(the first point)", baseline_point_doc);
  doc.add("reference_path", "text", "(none)", reference_path_doc);
  return "## monte_carlo\n\n" + doc.markdown_table() + "\n";
}

std::string regimes_reference() {
  std::string md =
      "## regimes\n\nA list (optional) of named policy regimes, each in force over a window of dates, on top of the "
      "scenario's own `schemes`, `incentive_fund` and `regulator`. A regime is a preset from configs/regimes/ "
      "(see configs/regimes/README.md) with any of its keys overridden beside it; its `schemes`, `incentive_fund` "
      "and `regulator` take the keys of the top-level sections of those names, and every date inside them is "
      "narrowed to the regime's window. At most one incentive fund, league table and consequence of each kind "
      "may act at any time. Schemes of a regime are reported as `<name>/<scheme>`.\n\n"
      "```yaml\n"
      "regimes:\n"
      "  - {preset: contract_2015_16, to: 2016-04-01}\n"
      "  - {preset: fund_2016_17, from: 2016-04-01}\n"
      "```\n\n";
  cfg::Documenter doc("regimes[].");
  doc.add("preset", "text", "(none)", regime_preset_doc);
  Regime r;
  doc.field("name", r.name, regime_name_doc);
  doc.field("from", r.from, regime_from_doc);
  doc.field("to", r.to, regime_to_doc);
  doc.add("schemes", "map", "(the preset's)", cfg::Doc{"", "Schemes laid over (or added to) the preset's, keyed by name.", ""});
  doc.add("incentive_fund", "map", "(the preset's)", cfg::Doc{"", "Keys of the incentive fund laid over the preset's.", ""});
  doc.add("regulator", "map", "(the preset's)", cfg::Doc{"", "Keys of the regulator laid over the preset's.", ""});
  return md + doc.markdown_table() + "\n";
}

// The sweep's keys are read by read_sweep, not by a describe().
std::string sweep_reference() {
  std::string md =
      "## sweep\n\n"
      "A list (optional) of the parameters to vary. The points of a sweep are the cartesian product of its\n"
      "entries, the first entry varying slowest: each point is the whole config with every swept path set\n"
      "to one of its values (after any `--set`), and is read and checked as a scenario of its own. The points\n"
      "must keep the same trusts (count and names); they may differ in their schemes (a sweep over `regimes`),\n"
      "and the outputs then have a place for every scheme of any point (zero where a point lacks it). At most " +
      std::to_string(max_sweep_points) +
      " points.\n"
      "Without a sweep there is one point, named `baseline`.\n\n"
      "```yaml\n"
      "sweep:\n"
      "  - {path: schemes.ed_4h.rate_gbp, values: [0, 120, 200], labels: [no fine, fine 120, fine 200]}\n"
      "  - {path: defaults.ed.arrivals_per_year, values: [100000, 120000]}\n"
      "monte_carlo: {baseline_point: \"no fine, defaults.ed.arrivals_per_year=100000\"}\n"
      "```\n\n";
  cfg::Documenter doc("sweep[].");
  doc.add("path", "text", "(required)", sweep_path_doc);
  doc.add("values", "list", "(required)", sweep_values_doc);
  doc.add("labels", "list of text", "(none)", sweep_labels_doc);
  return md + doc.markdown_table();
}

}  // namespace

std::string sensitivity_reference() {
  return "## sensitivity\n\nA global sensitivity study (optional; not with a `sweep`): which uncertain assumptions decide the "
         "outputs, and how much. Its design (Morris trajectories or Saltelli's Sobol design, made from `seed`) gives the "
         "rows, each a point of the run with every factor set to the row's value; when an output is about fines "
         "(`multiplier`, `extra_deficit`) each row runs twice, without and with fines (`defaults.finance.fined`), "
         "paired on the same patients. The points stream, resume, shard, merge and run under MPI like a sweep's; "
         "`run` and `summary` print each output's groups ranked by mu* (Morris) or the total index (Sobol) with 95% "
         "bootstrap intervals, and `/summary/sensitivity` holds them (results/FORMAT.md).\n\n"
         "```yaml\n"
         "sensitivity:\n"
         "  method: morris\n"
         "  trajectories: 10\n"
         "  factors:\n"
         "    - {path: defaults.management.cost_control.agency_factor, low: 0.2, high: 0.8}\n"
         "    - {path: defaults.finance.costs.cip_target_share, low: 0.02, high: 0.06, group: plans}\n"
         "  outputs: [multiplier, cumulative_deficit]\n"
         "```\n\n" +
         key_table<SensitivityParams>("sensitivity.") + "\n" + key_table<SensitivityFactorParams>("sensitivity.factors[].") +
         "\n";
}

std::string config_reference_markdown() {
  std::string md = reference_intro();
  md += reference_section<ScenarioSection>("scenario", "scenario.");
  md += monte_carlo_reference();
  md += reference_section<OutputSection>("output", "output.");
  md += reference_section<Defaults>("defaults", "defaults.");
  md += reference_section<IncentiveFundParams>("incentive_fund", "incentive_fund.");
  md += reference_section<RegulatorParams>("regulator", "regulator.");
  md += "## commissioners\n\nA list (may be empty); each entry takes these keys.\n\n" +
        key_table<CommissionerParams>("commissioners[].") + "\n";
  md += "## footprints\n\nA list (may be empty) of footprints (docs/sources.md §5): groups of trusts and their commissioners "
        "whose financial plan must balance in aggregate. For each financial year the run reports the footprint's outturn (its "
        "trusts' surplus plus its commissioners' allocation less spending) against its plan (its trusts' control totals plus "
        "its commissioners' `planned_surplus_gbp_per_year`, pro rata for a partial year), and how often it was delivered "
        "(`/summary/footprints`). Trusts and commissioners outside every footprint are allowed. Not sweepable: every point "
        "has the same footprints.\n\n" +
        key_table<FootprintParams>("footprints[].") + "\n";
  md += "## schemes\n\nA map from a scheme name of your choice to a fine scheme; every scheme in force is assessed on every trust each month. "
        "Fines are levied after each scheme's caps, then the overall caps of `finance`.\n\n" +
        key_table<SchemeParams>("schemes.NAME.") + "\n";
  md += regimes_reference();
  TrustParams trust;
  cfg::Documenter doc("trusts[].", "defaults");
  trust.describe(doc);
  md += "## trusts\n\nA list; each entry takes these keys, and its `ed`, `beds`, `elective`, `staffing`, `cancer`, `finance` and `management` any key of the same section of `defaults`.\n\n" +
        doc.markdown_table() + "\n";
  md += sweep_reference();
  md += sensitivity_reference();
  return md;
}

std::filesystem::path shipped_configs() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = (exe.parent_path() / build_info::configs_from_bindir).lexically_normal();
    if (fs::is_directory(installed, ec)) return installed;
  }
  return fs::path(build_info::source_dir) / "configs";
}

namespace {

void narrow(sim::Date& from, sim::Date& to, const Regime& r) {
  from = std::max(from, r.from);
  to = std::min(to, r.to);
  if (to < from) to = from;
}

std::filesystem::path presets_folder() { return shipped_configs() / "regimes"; }

}  // namespace

std::vector<std::string> run_scheme_names(const Scenario& s) {
  std::vector<std::string> names;
  for (const auto& scheme : s.schemes) names.push_back(scheme.first);
  for (const Regime& r : s.regimes)
    for (const auto& scheme : r.schemes) names.push_back(r.name + "/" + scheme.first);
  return names;
}

Regime in_window(const Regime& r) {
  Regime out = r;
  for (auto& [name, p] : out.schemes) narrow(p.from, p.to, r);
  narrow(out.incentive_fund.from, out.incentive_fund.to, r);
  RegulatorParams& g = out.regulator;
  narrow(g.agency.from, g.agency.to, r);
  narrow(g.league_table.from, g.league_table.to, r);
  narrow(g.turnaround.from, g.turnaround.to, r);
  narrow(g.management_replacement.from, g.management_replacement.to, r);
  narrow(g.recruitment_penalty.from, g.recruitment_penalty.to, r);
  narrow(g.capital_freedom.from, g.capital_freedom.to, r);
  narrow(g.capital_rewards.from, g.capital_rewards.to, r);
  return out;
}

std::vector<std::string> regime_presets() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(presets_folder(), ec))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string find_regime_preset(const std::string& preset, const std::string& config_file) {
  namespace fs = std::filesystem;
  const bool is_path = preset.find('/') != std::string::npos ||
                       (preset.size() > 5 && preset.compare(preset.size() - 5, 5, ".yaml") == 0);
  const fs::path file = is_path ? fs::path(config_file).parent_path() / preset : presets_folder() / (preset + ".yaml");
  std::error_code ec;
  return fs::is_regular_file(file, ec) ? file.string() : std::string();
}

sim::Calendar make_calendar(const Scenario& s) {
  return sim::Calendar(s.scenario.first_month, s.scenario.warmup_months, s.scenario.months);
}

namespace {

bool is_sanction_key(const cfg::KeyPath& p) {
  const auto key = [&](std::size_t i, const char* k) { return i < p.size() && !p[i].is_index() && p[i].key == k; };
  const auto item = [&](std::size_t i) { return i < p.size() && p[i].is_index(); };
  if (key(0, "schemes") || (key(0, "regimes") && item(1) && key(2, "schemes"))) return true;
  const std::size_t finance = key(0, "defaults") ? 1 : key(0, "trusts") && item(1) ? 2 : 0;
  if (finance == 0 || !key(finance, "finance") || p.size() != finance + 2) return false;
  return key(finance + 1, "fined") || key(finance + 1, "fines_cap_share_of_contract_month") ||
         key(finance + 1, "fines_cap_share_of_contract_year");
}

// The leaves under `path` where `a` and `b` differ, descending into maps and into lists of
// the same length; a key or item only one side has differs as a whole.
void differing_keys(const YAML::Node& a, const YAML::Node& b, cfg::KeyPath& path, std::vector<cfg::KeyPath>& out) {
  if (a.IsDefined() && b.IsDefined() && a.IsMap() && b.IsMap()) {
    std::vector<std::string> keys;
    for (const auto& kv : a) keys.push_back(kv.first.Scalar());
    for (const auto& kv : b)
      if (!a[kv.first.Scalar()]) keys.push_back(kv.first.Scalar());
    for (const std::string& k : keys) {
      path.push_back(cfg::PathStep{k});
      differing_keys(a[k], b[k], path, out);
      path.pop_back();
    }
  } else if (a.IsDefined() && b.IsDefined() && a.IsSequence() && b.IsSequence() && a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      path.push_back(cfg::PathStep{"", i});
      differing_keys(a[i], b[i], path, out);
      path.pop_back();
    }
  } else if (!a.IsDefined() || !b.IsDefined() || cfg::yaml_text(a) != cfg::yaml_text(b)) {
    out.push_back(path);
  }
}

}  // namespace

bool is_sanction_key(const std::string& path) {
  cfg::KeyPath p;
  std::string why;
  return cfg::parse_key_path(path, p, why) && is_sanction_key(p);
}

std::vector<std::string> non_sanction_differences(const std::vector<std::string>& paths,
                                                  const std::vector<std::string>& values,
                                                  const std::vector<std::string>& baseline_values) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < paths.size(); ++k) {
    if (values.at(k) == baseline_values.at(k)) continue;
    cfg::KeyPath path;
    std::string why;
    std::vector<cfg::KeyPath> leaves;
    // A path or value that does not parse cannot be shown to be a sanction: it differs as a whole.
    bool read = cfg::parse_key_path(paths[k], path, why);
    try {
      if (read) differing_keys(YAML::Load(values[k]), YAML::Load(baseline_values[k]), path, leaves);
    } catch (const YAML::Exception&) {
      read = false;
    }
    if (!read) {
      out.push_back(paths[k]);
      continue;
    }
    for (const cfg::KeyPath& leaf : leaves)
      if (!is_sanction_key(leaf)) out.push_back(cfg::to_string(leaf));
  }
  return out;
}

}  // namespace breachsim::models
