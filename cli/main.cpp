// SPDX-License-Identifier: MIT
// breachsim: the command line. Library code throws typed errors; this is the only place
// that turns them into messages and exit codes (README.md, "Exit codes").
#include <filesystem>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "sim/config.hpp"
#include "sim/result_file.hpp"
#if BREACHSIM_WITH_MPI
#include <cstdio>

#include "models/run/mpi_farm.hpp"
#endif

namespace {

#if BREACHSIM_WITH_MPI
// Rank 0 releases the other ranks on every way out of main, a failure included.
struct ReleaseRanks {
  ~ReleaseRanks() { breachsim::models::mpi::release_workers(); }
};
#endif

}  // namespace

int main(int argc, char** argv) {
  using namespace breachsim;
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
#if BREACHSIM_WITH_MPI
  const models::mpi::World world = models::mpi::world(argc, argv);
  if (world.rank > 0) {
    // Rank 0 alone speaks: the others' messages would repeat its own, once per rank.
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) return 1;
    try {
      return cli::serve_rank(cli::parse_command_line(argc, argv), command_line);
    } catch (...) {
      models::mpi::serve(nullptr, "this rank could not read the command line");
      return 0;
    }
  }
  const ReleaseRanks release;
#endif
  try {
    const cli::CommandLine cl = cli::parse_command_line(argc, argv);
    switch (cl.command) {
      case cli::Command::none:
        return cl.exit_code;
      case cli::Command::run:
        return cli::run_command(cl.run, command_line);
      case cli::Command::validate:
        return cli::validate_command(cl.validate);
      case cli::Command::summary:
        return cli::summary_command(cl.summary);
      case cli::Command::merge:
        return cli::merge_command(cl.merge, command_line);
      case cli::Command::report:
        return cli::report_command(cl.report);
      case cli::Command::serve:
        return cli::serve_command(cl.serve);
    }
    return 1;
  } catch (const cli::UsageError& e) {
    const std::string help = e.command().empty() ? "breachsim --help" : "breachsim " + e.command() + " --help";
    std::cerr << "breachsim: " << e.what() << "\n(try '" << help << "')\n";
    return 2;
  } catch (const sim::config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const sim::OutputExists& e) {
    std::cerr << "breachsim: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "breachsim: ran out of memory; 'breachsim validate CONFIG --threads T' estimates what a run needs "
                 "(fewer threads, trusts or replications need less)\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "breachsim: " << e.path1().string() << ": " << e.code().message() << "\n";
    return 1;
  } catch (const std::logic_error& e) {
    // A broken promise inside the program (an index out of range, ...), not the user's doing.
    std::cerr << "breachsim: internal error, please report it with the command line and config: " << e.what()
              << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "breachsim: error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "breachsim: internal error, please report it with the command line and config: an exception of "
                 "unknown type\n";
    return 1;
  }
}
