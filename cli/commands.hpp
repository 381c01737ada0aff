// SPDX-License-Identifier: MIT
#pragma once
#include <string>

#include "cli/command_line.hpp"

namespace breachsim::cli {

// Each returns the exit code; bad use throws UsageError, a bad config ConfigError.
int run_command(RunOptions options, const std::string& command_line);
int validate_command(const ValidateOptions& options);
int summary_command(const SummaryOptions& options);
int merge_command(const MergeOptions& options, const std::string& command_line);
// Hands the process to scripts/breachsim_report.py (an exec: its exit code is the command's).
int report_command(const ReportOptions& options);
// Serves the live page until SIGINT or SIGTERM (cli/serve.cpp).
int serve_command(const ServeOptions& options);
#if BREACHSIM_WITH_MPI
// MPI ranks other than 0: the tasks of the run rank 0 writes (models/run/mpi_farm.hpp).
int serve_rank(const CommandLine& cl, const std::string& command_line);
#endif

}  // namespace breachsim::cli
