// SPDX-License-Identifier: MIT
#include "models/scenario.hpp"

#include <algorithm>
#include <set>

namespace breachsim::models {

namespace cfg = sim::config;

namespace {

void check_ed(const EdParams& ed, const std::string& path, cfg::Diagnostics& d) {
  auto all_zero = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; });
  };
  if (all_zero(ed.arrivals_by_hour)) d.error_at(path + ".arrivals_by_hour", "must not all be zero");
  if (all_zero(ed.arrivals_by_weekday)) d.error_at(path + ".arrivals_by_weekday", "must not all be zero");
  if (all_zero(ed.arrivals_by_month)) d.error_at(path + ".arrivals_by_month", "must not all be zero");
  for (double c : ed.clinicians_by_hour) {
    if (c != static_cast<double>(static_cast<long long>(c))) {
      d.error_at(path + ".clinicians_by_hour", "must be whole numbers of clinicians");
      break;
    }
  }
  if (ed.cubicles != static_cast<double>(static_cast<long long>(ed.cubicles)))
    d.error_at(path + ".cubicles", "must be a whole number of patients");
  if (all_zero(ed.clinicians_by_hour))
    d.error_at(path + ".clinicians_by_hour", "no clinician is ever on duty, so no patient would ever be treated");
}

void check_beds(const BedParams& beds, const std::string& path, cfg::Diagnostics& d) {
  if (beds.general_acute_beds != static_cast<double>(static_cast<long long>(beds.general_acute_beds)))
    d.error_at(path + ".general_acute_beds", "must be a whole number of beds");
}

bool whole(double v) { return v == static_cast<double>(static_cast<long long>(v)); }

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

}  // namespace

Scenario load_scenario(const std::string& path) {
  const YAML::Node root = cfg::load_yaml_file(path);
  cfg::Diagnostics d(path);
  Scenario s;
  s.source_file = path;

  cfg::Reader top(d, root, "");
  if (!root.IsMap()) d.throw_if_errors();

  int version = 0;
  if (const YAML::Node* n = top.take("schema_version")) {
    long long v = 0;
    if (!n->IsScalar() || !YAML::convert<long long>::decode(*n, v)) {
      d.error(n->Mark(), "schema_version", "expected a whole number");
    } else if (v > schema_version) {
      d.error(n->Mark(), "schema_version",
              "this file is for schema " + std::to_string(v) + "; this breachsim reads schema " +
                  std::to_string(schema_version) + " and older: upgrade breachsim");
    } else if (v < 1) {
      d.error(n->Mark(), "schema_version", "must be >= 1");
    } else {
      version = static_cast<int>(v);
    }
  } else {
    d.error(root.Mark(), "schema_version", "missing: add 'schema_version: " + std::to_string(schema_version) + "' at the top");
  }
  (void)version;

  top.section("scenario", s.scenario, "");
  top.section("monte_carlo", s.monte_carlo, "");
  top.section("defaults", s.defaults, "");
  top.section("output", s.output, "");
  top.section("incentive_fund", s.incentive_fund, "");

  if (const YAML::Node* list = top.take("commissioners")) {
    if (!list->IsSequence()) {
      d.error(list->Mark(), "commissioners", "expected a list of commissioners");
    } else {
      std::set<std::string> names;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string item_path = "commissioners[" + std::to_string(i) + "]";
        CommissionerParams c;
        cfg::Reader r(d, (*list)[i], item_path);
        c.describe(r);
        r.finish();
        if (!(*list)[i].IsMap()) continue;
        if (c.name.empty()) d.error((*list)[i].Mark(), item_path + ".name", "every commissioner needs a name");
        else if (!names.insert(c.name).second) d.error_at(item_path + ".name", "duplicate commissioner name '" + c.name + "'");
        s.commissioners.push_back(std::move(c));
      }
    }
  }

  if (const YAML::Node* map = top.take("schemes")) {
    if (!map->IsMap()) {
      d.error(map->Mark(), "schemes", "expected a map from scheme name to scheme");
    } else {
      for (const auto& entry : *map) {
        const std::string name = entry.first.as<std::string>();
        const std::string path = "schemes." + name;
        SchemeParams p;
        cfg::Reader r(d, entry.second, path);
        p.describe(r);
        r.finish();
        if (!entry.second.IsMap()) continue;
        check_scheme(p, path, d);
        s.schemes.emplace_back(name, p);
      }
    }
  }

  if (const YAML::Node* list = top.take("trusts")) {
    if (!list->IsSequence() || list->size() == 0) {
      d.error(list->Mark(), "trusts", "expected a non-empty list of trusts");
    } else {
      std::set<std::string> names;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string item_path = "trusts[" + std::to_string(i) + "]";
        const YAML::Node item = (*list)[i];
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
        check_elective(t.elective, item_path + ".elective", d);
        check_cancer(t.cancer, item_path + ".cancer", d);
        check_borrowing(t.finance.borrowing, item_path + ".finance.borrowing", d);
        s.trusts.push_back(std::move(t));
      }
    }
  } else {
    d.error(root.Mark(), "trusts", "missing: list at least one trust");
  }
  top.finish();

  if (s.scenario.name.empty() ||
      s.scenario.name.find_first_of("/\\ \t") != std::string::npos)
    d.error_at("scenario.name", "must be a non-empty name without spaces or slashes (it names the output file)");
  check_ed(s.defaults.ed, "defaults.ed", d);
  check_beds(s.defaults.beds, "defaults.beds", d);
  check_elective(s.defaults.elective, "defaults.elective", d);
  check_cancer(s.defaults.cancer, "defaults.cancer", d);
  check_borrowing(s.defaults.finance.borrowing, "defaults.finance.borrowing", d);
  check_incentive_fund(s.incentive_fund, "incentive_fund", d);
  for (std::size_t i = 0; i < s.trusts.size(); ++i) {
    const std::string& c = s.trusts[i].commissioner;
    if (c.empty()) continue;
    const bool known = std::any_of(s.commissioners.begin(), s.commissioners.end(),
                                   [&](const CommissionerParams& k) { return k.name == c; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& k : s.commissioners) names.push_back(k.name);
      const std::string guess = cfg::closest_match(c, names);
      d.error_at("trusts[" + std::to_string(i) + "].commissioner",
                 "no commissioner named '" + c + "' in `commissioners`" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
  }
  d.throw_if_errors();
  s.scenario.first_month.day = 1;
  return s;
}

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
  out << YAML::Key << "commissioners" << YAML::Value << YAML::BeginSeq;
  for (auto& c : s.commissioners) {
    out << YAML::BeginMap;
    c.describe(w);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "schemes" << YAML::Value << YAML::BeginMap;
  for (auto& [name, p] : s.schemes) w.section(name.c_str(), p, "");
  out << YAML::EndMap;
  out << YAML::Key << "trusts" << YAML::Value << YAML::BeginSeq;
  for (auto& t : s.trusts) {
    out << YAML::BeginMap;
    t.describe(w);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string config_reference_markdown() {
  std::string md =
      "# Configuration reference\n\n"
      "Generated by `breachsim validate --reference` from the declarations in models/; do not edit by hand\n"
      "(`tests` fail when this file and the code disagree; regenerate with\n"
      "`build/cli/breachsim validate --reference > configs/REFERENCE.md`).\n\n"
      "A scenario file is YAML with `schema_version: " + std::to_string(schema_version) + "` and the sections below.\n"
      "Keys left out take the default shown. Every trust in `trusts` starts from `defaults` and\n"
      "overrides any keys it names (a distribution is replaced whole). Unknown keys are errors.\n"
      "A source cites ../shared/DOMAIN.md; *assumption* marks a number chosen by us.\n\n"
      "Distributions are maps: `{distribution: constant, value: V}`, `{distribution: exponential, mean: M}`,\n"
      "`{distribution: lognormal, mean: M, sd: S}`, `{distribution: gamma, mean: M, sd: S}`,\n"
      "`{distribution: empirical, values: [...], weights: [...]}` (discrete) or\n"
      "`{distribution: histogram, edges: [...], weights: [...]}` (uniform within each bin); the unit is in the key.\n\n";
  auto section = [&md](const char* title, auto& value, const char* prefix) {
    cfg::Documenter doc(prefix);
    value.describe(doc);
    md += std::string("## ") + title + "\n\n" + doc.markdown_table() + "\n";
  };
  ScenarioSection scenario;
  MonteCarloSection mc;
  OutputSection output;
  Defaults defaults;
  TrustParams trust;
  section("scenario", scenario, "scenario.");
  section("monte_carlo", mc, "monte_carlo.");
  section("output", output, "output.");
  section("defaults", defaults, "defaults.");
  IncentiveFundParams fund;
  section("incentive_fund", fund, "incentive_fund.");
  CommissionerParams commissioner;
  md += "## commissioners\n\nA list (may be empty); each entry takes these keys.\n\n";
  {
    cfg::Documenter doc("commissioners[].");
    commissioner.describe(doc);
    md += doc.markdown_table() + "\n";
  }
  SchemeParams scheme;
  md += "## schemes\n\nA map from a scheme name of your choice to a fine scheme; every scheme in force is assessed on every trust each month. "
        "Fines are levied after each scheme's caps, then the overall caps of `finance`.\n\n";
  {
    cfg::Documenter doc("schemes.NAME.");
    scheme.describe(doc);
    md += doc.markdown_table() + "\n";
  }
  md += "## trusts\n\nA list; each entry takes these keys, and its `ed`, `beds`, `elective`, `staffing`, `cancer`, `finance` and `management` any key of the same section of `defaults`.\n\n";
  cfg::Documenter doc("trusts[].", "defaults");
  trust.describe(doc);
  md += doc.markdown_table();
  return md;
}

sim::Calendar make_calendar(const Scenario& s) {
  return sim::Calendar(s.scenario.first_month, s.scenario.warmup_months, s.scenario.months);
}

}  // namespace breachsim::models
