// SPDX-License-Identifier: MIT
#pragma once
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "models/run/sensitivity_study.hpp"
#include "models/run/summary.hpp"

// What a sensitivity study's run says: each output's value at every design row, from the
// finished replications of the row's points, and its indices per group (sim/sensitivity.hpp),
// ranked, with the intervals that say whether the ranking can be trusted. Built the same way
// from a run in memory and from a result file, like the rest of the summary.
namespace breachsim::models {

struct SensitivityOutput {
  std::string output;
  std::vector<double> rows;  // the output at each design row (mean over finished replications)
  std::optional<sim::sensitivity::MorrisResult> morris;
  std::optional<sim::sensitivity::SobolResult> sobol;
  std::string missing;  // why there are no indices (empty when there are)
};

// The output's value at every row: a metric's whole-run national value (at the row's point with
// fines, when rows are paired), the extra deficit of fines, or the multiplier, each the mean over
// the replications finished at the row's points.
std::vector<SensitivityOutput> sensitivity_outputs(const SensitivityStudy& study, const NationalRuns& runs);

// An output's ranking index (Morris mu*, Sobol ST; Sobol's S beside it) for every group from the
// first `size` trajectories or base rows of the design, smallest size first, the whole design
// last; empty for an output without indices.
struct SensitivityConvergence {
  std::size_t size = 0;
  std::vector<std::string> groups;
  std::vector<double> index;
  std::vector<double> first_order;  // Sobol only
};
std::vector<SensitivityConvergence> sensitivity_convergence(const SensitivityOutput& output);

// Group indices in the order the table ranks them: by mu* (Morris) or total index (Sobol),
// largest first.
std::vector<std::size_t> ranked_groups(const SensitivityOutput& output);

// The printed section: per output, the ranked table with intervals, and a warning where an
// interval overlaps the next group's, so that the two cannot be ranked.
void print_sensitivity(std::ostream& out, const SensitivityStudy& study, const std::vector<SensitivityOutput>& outputs,
                       std::size_t replications);

}  // namespace breachsim::models
