// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

// The command line's grammar: every command and option with its help text, read with CLI11.
// What the commands do is in commands.cpp.
namespace breachsim::cli {

// Bad use of the command line: exit code 2, like a bad config. `command` is the command whose
// help the message should point to (empty: the program's).
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message, std::string command = "")
      : std::runtime_error(message), command_(std::move(command)) {}
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

struct RunOptions {
  std::string config;                  // empty: the default scenario
  std::string out;                     // empty: the config's output.file, or results/<scenario name>.h5
  std::vector<std::string> overrides;  // every --set, --replications and --seed as a --set, in order
  int threads = 0;                     // 0: every core
  bool force = false, quiet = false, resume = false;
  bool ignore_memory_limit = false;    // run what the estimate says cannot fit
  std::optional<std::pair<std::size_t, std::size_t>> task;  // --task POINT:REPLICATION
  std::string shard;                   // --shard K/N as given (checked); empty: the whole run
  std::vector<std::string> arguments;  // argv as given, program name first, for rerun_command
};

struct ValidateOptions {
  std::string config;
  std::vector<std::string> overrides;
  int threads = 0;  // for the estimate; 0: every core
  bool reference = false, ignore_memory_limit = false;
};

struct SummaryOptions {
  std::string file, metric;
};

struct MergeOptions {
  std::string out;                  // the merged file
  std::vector<std::string> shards;  // the shards' files
  bool force = false, quiet = false;
};

struct ReportOptions {
  std::string file;  // a result file
  std::string out;   // empty: FILE with .html for .h5
  bool force = false;
};

struct ServeOptions {
  int port = 8080;                    // 0: any free port
  std::string bind = "127.0.0.1";     // loopback: only this machine's browsers
  int time_limit_seconds = 120;       // for each child run
  int max_replications = 40;
  int queue = 8;                      // runs that may wait for their turn behind the one running
};

enum class Command { none, run, validate, summary, merge, report, serve };

struct CommandLine {
  Command command = Command::none;  // none: the help or the version was printed; exit with exit_code
  int exit_code = 0;                // 2 when no command was given (the help then goes to stderr)
  RunOptions run;
  ValidateOptions validate;
  SummaryOptions summary;
  MergeOptions merge;
  ReportOptions report;
  ServeOptions serve;
};

// Reads argv. Prints the help (`--help`, `-h`, `help [COMMAND]`; with no arguments at all, on
// stderr) or the version and returns Command::none; throws UsageError naming the option at
// fault for anything it cannot read.
CommandLine parse_command_line(int argc, const char* const* argv);

// What --version prints.
std::string version_text();

// The command that reruns task (point, replication) of the run `arguments` started, alone,
// quoted for a POSIX shell: the same program, config and options (the same points and seed,
// so the same patients), with --task, into its own file (`out` with .task-P-R before the
// extension, or `out` itself when the run was already one task), --force to replace what a
// failed rerun left; --out, --force, --resume, --task and --shard as given are dropped.
std::string rerun_command(const std::vector<std::string>& arguments, const std::string& out, bool one_task,
                          std::size_t point, std::size_t replication);

}  // namespace breachsim::cli
