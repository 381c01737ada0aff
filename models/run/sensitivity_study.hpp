// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/config.hpp"
#include "sim/sensitivity.hpp"

// A config's `sensitivity` section: which assumptions are uncertain (any config path with a
// range), which outputs to explain, and the design (Morris screening or Sobol indices by
// Saltelli's design, sim/sensitivity.hpp) whose rows become the run's points. Outputs about
// fines (the multiplier, the extra deficit) need each row with and without fines: the row is
// then two points, paired by reference (Sweep::references).
namespace breachsim::models {

struct SensitivityFactorParams {
  std::string path;
  double low = 0.0, high = 1.0;
  std::string scale = "uniform";
  std::string group;
  bool integer = false;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    v.field("path", path, Doc{"", "Key path of the uncertain assumption, as in a sweep (required).", ""});
    v.field("low", low, Doc{"", "Lowest value it takes (required).", ""});
    v.field("high", high, Doc{"", "Highest value it takes (required; above low).", ""});
    v.field("scale", scale,
            Doc{"", "How values spread between low and high: uniform, or log_uniform (uniform in the order of magnitude; low > 0).",
                "", {}, {}, {"uniform", "log_uniform"}});
    v.field("group", group,
            Doc{"", "Factors with the same group move together and get one index (e.g. the winter mechanisms); empty: a group of its own.", ""});
    v.field("integer", integer,
            Doc{"", "Round each value to a whole number, for keys that must be whole (beds, sessions); the indices still see the design's continuous position.", ""});
  }
};

struct SensitivityParams {
  std::string method = "morris";
  int trajectories = 10;
  int levels = 4;
  int base_samples = 32;
  int bootstrap = 1000;
  std::uint64_t seed = 0;  // 0: monte_carlo.seed
  std::vector<std::string> outputs = {"multiplier", "cumulative_deficit"};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("method", method,
            Doc{"", "morris: elementary effects, to screen many factors for the few that matter, at trajectories x (groups + 1) rows; sobol: first-order and total indices by Saltelli's design, at base_samples x (groups + 2) rows.",
                "Morris 1991, Campolongo et al. 2007; Saltelli et al. 2010, Jansen 1999", {}, {}, {"morris", "sobol"}});
    v.field("trajectories", trajectories, Doc{"", "morris: trajectories (r).", "", Range::between(2, 10000)});
    v.field("levels", levels, Doc{"", "morris: grid levels (even; 4 is usual).", "", Range::between(2, 100)});
    v.field("base_samples", base_samples,
            Doc{"", "sobol: base samples N (a power of two keeps the Sobol sequence balanced).", "", Range::between(2, 1000000)});
    v.field("bootstrap", bootstrap, Doc{"", "Bootstrap resamples for each index's 95% interval.", "", Range::between(0, 100000)});
    v.field("seed", seed, Doc{"", "Seed of the design's draws (and its bootstrap); 0: monte_carlo.seed.", ""});
    v.field("outputs", outputs,
            Doc{"", "What to explain: any metric's whole-run national value (at the rows with fines when fines are paired), multiplier (the deficit multiplier of fines) or extra_deficit (the extra cumulative deficit of fines); either of the last two runs every row with and without fines.",
                ""});
  }
};

// A study read from the config, its design made.
struct SensitivityStudy {
  SensitivityParams params;
  std::vector<sim::sensitivity::Factor> factors;  // name: the key path
  std::vector<YAML::Mark> factor_marks;           // where each factor is in the file
  std::vector<bool> integer;                      // per factor: values rounded to whole numbers
  std::optional<sim::sensitivity::MorrisDesign> morris;
  std::optional<sim::sensitivity::SaltelliDesign> sobol;
  bool paired = false;  // rows run with and without fines

  const std::vector<std::vector<double>>& unit_points() const {
    return morris ? morris->unit_points : sobol->unit_points;
  }
  std::size_t rows() const { return unit_points().size(); }
  // Row `row` as factor values (whole numbers where the factor says so).
  std::vector<double> row_values(std::size_t row) const;
};

// The outputs a study may name besides the metrics.
inline constexpr const char* fines_outputs[] = {"multiplier", "extra_deficit"};

// Reads `sensitivity` from a config's root (absent: nullopt) and makes its design; problems
// go to `d` with their key paths. `default_seed`: monte_carlo.seed.
std::optional<SensitivityStudy> read_sensitivity(const YAML::Node& root, sim::config::Diagnostics& d,
                                                 std::uint64_t default_seed);

}  // namespace breachsim::models
