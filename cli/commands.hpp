// SPDX-License-Identifier: MIT
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace breachsim::cli {

// Bad use of the command line: exit code 2, like a bad config.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

int run_command(const std::vector<std::string>& args, const std::string& command_line);
int validate_command(const std::vector<std::string>& args);
int summary_command(const std::vector<std::string>& args);
void print_usage();
void print_version();

}  // namespace breachsim::cli
