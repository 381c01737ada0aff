// SPDX-License-Identifier: MIT
#include "models/run/sensitivity_study.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "models/run/metrics.hpp"

namespace breachsim::models {

namespace cfg = sim::config;
namespace gsa = sim::sensitivity;

namespace {

// `factors`: each a {path, low, high, scale, group}, read into a sim::sensitivity::Factor.
void read_factors(const YAML::Node& list, cfg::Diagnostics& d, SensitivityStudy& study) {
  if (!list.IsSequence() || list.size() == 0) {
    d.error(list.Mark(), "sensitivity.factors", "expected a list of {path, low, high} entries, at least one");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = "sensitivity.factors[" + std::to_string(i) + "]";
    SensitivityFactorParams f;
    cfg::Reader r(d, list[i], at);
    f.describe(r);
    r.finish();
    if (!list[i].IsMap()) continue;
    std::string why;
    cfg::KeyPath key_path;
    bool complete = true;
    for (const char* key : {"path", "low", "high"})
      if (!list[i][key].IsDefined()) {
        d.error(list[i].Mark(), at + "." + key, std::string("missing: every factor needs a path, low and high"));
        complete = false;
      }
    if (!complete) continue;
    if (!cfg::parse_key_path(f.path, key_path, why)) {
      d.error(list[i]["path"].Mark(), at + ".path", why);
      continue;
    }
    gsa::Factor factor{cfg::to_string(key_path),
                       f.scale == "log_uniform" ? gsa::Factor::Scale::log_uniform : gsa::Factor::Scale::uniform, f.low,
                       f.high, f.group};
    try {
      gsa::validate(factor);
    } catch (const std::invalid_argument& e) {
      d.error(list[i].Mark(), at, e.what());
      continue;
    }
    study.factors.push_back(std::move(factor));
    study.factor_marks.push_back(list[i].Mark());
    study.integer.push_back(f.integer);
  }
}

void check_outputs(const YAML::Node& section, cfg::Diagnostics& d, SensitivityStudy& study) {
  const YAML::Node node = section["outputs"];
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : section.Mark();
  if (study.params.outputs.empty()) d.error(mark, "sensitivity.outputs", "is empty: name at least one output");
  for (const std::string& name : study.params.outputs) {
    const bool fines = std::find(std::begin(fines_outputs), std::end(fines_outputs), name) != std::end(fines_outputs);
    study.paired = study.paired || fines;
    if (!fines && !metric_by_name(name))
      d.error(mark, "sensitivity.outputs",
              "'" + name + "' is neither a metric (the catalogue: breachsim validate --reference) nor multiplier or "
                           "extra_deficit");
  }
}

void make_design(const YAML::Node& section, cfg::Diagnostics& d, std::uint64_t seed, SensitivityStudy& study) {
  const SensitivityParams& p = study.params;
  try {
    if (p.method == "morris")
      study.morris = gsa::morris_design(study.factors, static_cast<std::size_t>(p.trajectories), p.levels, seed);
    else
      study.sobol = gsa::saltelli_design(study.factors, static_cast<std::size_t>(p.base_samples), seed);
  } catch (const std::invalid_argument& e) {
    d.error(section.Mark(), "sensitivity", e.what());
  }
}

}  // namespace

std::vector<double> SensitivityStudy::row_values(std::size_t row) const {
  std::vector<double> values = gsa::factor_values(factors, unit_points().at(row));
  for (std::size_t i = 0; i < values.size(); ++i)
    if (integer.at(i)) values[i] = std::round(values[i]);
  return values;
}

std::optional<SensitivityStudy> read_sensitivity(const YAML::Node& root, cfg::Diagnostics& d,
                                                 std::uint64_t default_seed) {
  const YAML::Node section = root["sensitivity"];
  if (!section.IsDefined() || section.IsNull()) return std::nullopt;
  SensitivityStudy study;
  cfg::Reader r(d, section, "sensitivity");
  study.params.describe(r);
  const YAML::Node* factors = r.take("factors");
  r.finish();
  if (!section.IsMap()) return std::nullopt;
  const std::size_t problems = d.issues().size();
  if (factors)
    read_factors(*factors, d, study);
  else
    d.error(section.Mark(), "sensitivity.factors", "missing: list the uncertain assumptions, each {path, low, high}");
  check_outputs(section, d, study);
  if (d.issues().size() != problems || study.factors.empty()) return std::nullopt;
  try {
    gsa::validate(study.factors);
  } catch (const std::invalid_argument& e) {
    d.error(factors->Mark(), "sensitivity.factors", e.what());
    return std::nullopt;
  }
  if (study.params.seed == 0) study.params.seed = default_seed;
  make_design(section, d, study.params.seed, study);
  if (!study.morris && !study.sobol) return std::nullopt;
  return study;
}

}  // namespace breachsim::models
