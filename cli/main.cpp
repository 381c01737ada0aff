// SPDX-License-Identifier: MIT
// breachsim: the command line. Library code throws typed errors; this is the only place
// that turns them into messages and exit codes (0 success, 2 bad usage or config, 1 runtime).
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "sim/config.hpp"
#include "sim/result_file.hpp"

int main(int argc, char** argv) {
  using namespace breachsim;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      cli::print_usage();
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      cli::print_version();
      return 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "run") return cli::run_command(args, command_line);
    if (command == "validate") return cli::validate_command(args);
    if (command == "summary") return cli::summary_command(args);
    throw cli::UsageError("unknown command '" + command + "'");
  } catch (const cli::UsageError& e) {
    std::cerr << "breachsim: " << e.what() << "\n(try 'breachsim --help')\n";
    return 2;
  } catch (const sim::config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const sim::OutputExists& e) {
    std::cerr << "breachsim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "breachsim: error: " << e.what() << "\n";
    return 1;
  }
}
