// SPDX-License-Identifier: MIT
#pragma once
#include <iosfwd>
#include <string>

#include "models/run.hpp"
#include "sim/result_file.hpp"

namespace breachsim::models {

inline constexpr std::int64_t result_format_version = 1;

// Provenance that only the caller knows.
struct RunProvenance {
  std::string command_line;
  std::uint64_t seed = 0;
  int threads = 0;
};

// Writes the whole run in the layout of results/FORMAT.md into `file` and commits it. The
// caller opens the file before running, so a bad output location fails before any work.
void write_results(sim::ResultFile& file, const ScenarioSetup& setup, const RunOutcome& run,
                   const RunProvenance& provenance);

// Median and 90% interval over replications of each metric's whole-run value, nationally
// and per trust for the 4-hour standard.
void print_summary(std::ostream& out, const ScenarioSetup& setup, const RunOutcome& run);

std::string library_versions();

}  // namespace breachsim::models
