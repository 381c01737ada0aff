// SPDX-License-Identifier: MIT
#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <filesystem>
#include <cstdint>
#include <iostream>
#include <regex>

#include "breachsim/version.hpp"
#include "models/run/output.hpp"
#include "models/run/shard.hpp"
#include "sim/config.hpp"
#include "sim/invariant.hpp"

namespace breachsim::cli {

namespace {

// A whole number in [min, max], checked on the text so that the message can say what was
// expected ("--threads: expects a whole number from 1 to 4096 (got 'x')").
template <class T>
CLI::Validator whole_number(T min, T max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        T value{};
        const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
        if (r.ec == std::errc() && r.ptr == text.data() + text.size() && value >= min && value <= max) return "";
        return "expects a whole number from " + std::to_string(min) + " to " + std::to_string(max) + " (got '" + text +
               "')";
      },
      "");
}

// The value of an option that takes text: CLI11 would take `--out ''` as an empty name (the
// default file then written silently) and `--out --force` as a file named --force.
CLI::Validator text_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty()) return "needs a value, not an empty one";
        if (text[0] == '-') return "needs a value, not the option '" + text + "'";
        return "";
      },
      "");
}

// --task P:R, two whole numbers. The range is checked once the config is read (select_task).
CLI::Validator task_text() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        static const std::regex form(R"(^[0-9]{1,9}:[0-9]{1,9}$)");
        if (std::regex_match(text, form)) return "";
        return "expects POINT:REPLICATION, two whole numbers such as 0:17 (got '" + text + "')";
      },
      "");
}

// --shard K/N (models::parse_shard says what is wrong).
CLI::Validator shard_text() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::string error;
        return models::parse_shard(text, error) ? "" : error;
      },
      "");
}

std::pair<std::size_t, std::size_t> task_index(const std::string& text) {
  const std::size_t colon = text.find(':');
  return {std::stoul(text.substr(0, colon)), std::stoul(text.substr(colon + 1))};
}

// Runs the estimate says cannot fit are refused before they start; this runs them anyway.
void add_memory_flag(CLI::App& command, bool& flag) {
  command.add_flag("--ignore-memory-limit", flag,
                   "Run even when the estimated peak memory is above\n"
                   "the memory this process may use (the machine's,\n"
                   "a job's or a ulimit)");
}

// --set, and --replications and --seed as its shorthands, in their order among the --set
// options (a later one wins), so that the config stored in the file records them.
void add_config_changes(CLI::App& command, std::vector<std::string>& overrides) {
  command.add_option_function<std::string>(
         "--set", [&overrides](const std::string& v) { overrides.push_back(v); },
         "Replace one key of the config before it is read\n"
         "(repeatable). The value is YAML; list items are\n"
         "written trusts[2]: --set schemes.ed_4h.rate_gbp=200")
      ->type_name("PATH=VALUE")
      ->check(text_value())
      ->trigger_on_parse();
  command.add_option_function<std::string>(
         "--replications", [&overrides](const std::string& v) { overrides.push_back("monte_carlo.replications=" + v); },
         "Replications at each sweep point, 1 to 10000000\n(sets monte_carlo.replications)")
      ->type_name("N")
      ->check(whole_number<int>(1, 10000000))
      ->trigger_on_parse();
  command.add_option_function<std::string>(
         "--seed", [&overrides](const std::string& v) { overrides.push_back("monte_carlo.seed=" + v); },
         "The master random seed, 0 to 2^63-1\n(sets monte_carlo.seed)")
      ->type_name("S")
      ->check(whole_number<std::uint64_t>(0, (std::uint64_t{1} << 63) - 1))
      ->trigger_on_parse();
}

void add_run(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario, write its outcomes to an HDF5 file");
  run->add_option("CONFIG", o.config, "The scenario (YAML); default: the shipped\nconfigs/default.yaml")->type_name("");
  add_config_changes(*run, o.overrides);
  run->add_option("--threads", o.threads,
                  "Worker threads, 1 to 4096; default: every core.\n"
                  "The outcomes are the same whatever the number")
      ->type_name("T")
      ->check(whole_number<int>(1, 4096));
  run->add_option("--out", o.out,
                  "The result file; default: the config's output.file,\nelse results/<scenario name>.h5")
      ->type_name("FILE")
      ->check(text_value());
  run->add_flag("--force", o.force, "Replace the output file if it exists (without it,\nnever)");
  run->add_flag("--resume", o.resume,
                "Complete the file an interrupted run left (FILE or\n"
                "FILE.partial): only the tasks it lacks are run. Give\n"
                "the config and options of the run that wrote it");
  run->add_flag("--quiet", o.quiet, "No progress and no summary tables: errors only, and\nwhat a signal does");
  add_memory_flag(*run, o.ignore_memory_limit);
  run->add_option_function<std::string>(
         "--task", [&o](const std::string& v) { o.task = task_index(v); },
         "Run one task alone: sweep point P, replication R\n"
         "(from 0, as validate lists the points), as the\n"
         "report of a broken invariant says")
      ->type_name("P:R")
      ->check(task_text());
  run->add_option("--shard", o.shard,
                  "Run shard K of N of the tasks (from 1), into its own\n"
                  "file (default: the output's name with .shard-K-of-N);\n"
                  "'breachsim merge' puts the N files together as one\n"
                  "process would have written (docs/clusters.md)")
      ->type_name("K/N")
      ->check(shard_text());
  run->footer(
      "The summary tables go to stdout, progress to stderr (a bar on a terminal,\n"
      "lines in a log). Ctrl-C (SIGINT) or SIGTERM lets the tasks in flight finish\n"
      "and keeps every finished task in the file; the same command with --resume\n"
      "completes it. Exit codes: README.md, \"Exit codes\".");
}

void add_validate(CLI::App& app, ValidateOptions& o) {
  CLI::App* validate = app.add_subcommand("validate", "Check a config without running it; list its sweeps");
  validate->add_option("CONFIG", o.config, "The scenario (YAML) to check")->type_name("");
  add_config_changes(*validate, o.overrides);
  validate->add_option("--threads", o.threads, "Worker threads the estimate is for, as in run;\ndefault: every core")
      ->type_name("T")
      ->check(whole_number<int>(1, 4096));
  add_memory_flag(*validate, o.ignore_memory_limit);
  validate->add_flag("--reference", o.reference,
                     "Print the reference of every config key (Markdown)\ninstead of checking a config");
  validate->footer(
      "Every problem of the config is listed (exit 2). A valid config's estimated\n"
      "peak memory, events and time are printed; one that cannot fit in the memory\n"
      "this process may use is refused (exit 2). Exit codes: README.md,\n\"Exit codes\".");
}

void add_summary(CLI::App& app, SummaryOptions& o) {
  CLI::App* summary = app.add_subcommand("summary", "Print the summary tables of a run's result file");
  summary->add_option("FILE", o.file, "A result file, or the FILE.partial a killed run left")
      ->type_name("")
      ->required();
  summary
      ->add_option("--metric", o.metric,
                   "One metric's summary (a name from the file's\n/metrics) instead of the tables")
      ->type_name("M")
      ->check(text_value());
  summary->footer("Exit codes: README.md, \"Exit codes\".");
}

void add_merge(CLI::App& app, MergeOptions& o) {
  CLI::App* merge = app.add_subcommand("merge", "Put the files of a run split with --shard together");
  merge->add_option("OUT", o.out, "The merged result file")->type_name("")->check(text_value());
  merge->add_option("SHARDS", o.shards, "The files of every shard, K of N for each K, in any\norder")->type_name("");
  merge->add_flag("--force", o.force, "Replace OUT if it exists (without it, never)");
  merge->add_flag("--quiet", o.quiet, "No summary tables: errors only");
  merge->footer(
      "The shards must be of one run (config, seed, replications, program) and\n"
      "complete; merge says what is wrong otherwise (exit 2). Its outcomes are\n"
      "those of the same run in one process. Exit codes: README.md, \"Exit codes\".");
}

void add_report(CLI::App& app, ReportOptions& o) {
  CLI::App* report = app.add_subcommand("report", "Write a result file's report: one HTML page with plots");
  report->add_option("FILE", o.file, "A result file (or the FILE.partial a killed run left)")
      ->type_name("")
      ->required();
  report->add_option("--out", o.out, "The page to write (default: FILE with .html for .h5)")
      ->type_name("R.html")
      ->check(text_value());
  report->add_flag("--force", o.force, "Replace the page if it exists (without it, never)");
  report->footer(
      "The page is self-contained (plots inline, nothing fetched from the network):\n"
      "open it in any browser, or mail it. It needs Python 3 with h5py, pandas and\n"
      "matplotlib (scripts/setup.sh installs them; BREACHSIM_PYTHON names another\n"
      "interpreter). Exit codes: README.md, \"Exit codes\".");
}

void add_serve(CLI::App& app, ServeOptions& o) {
  CLI::App* serve = app.add_subcommand("serve", "Serve a live page for seminars: change levers, see the plots");
  serve->add_option("--port", o.port, "TCP port (default 8080; 0: any free port)")
      ->type_name("P")
      ->check(whole_number<int>(0, 65535));
  serve->add_option("--bind", o.bind, "Address to listen on (default 127.0.0.1: this\nmachine only)")
      ->type_name("ADDR")
      ->check(text_value());
  serve->add_option("--time-limit", o.time_limit_seconds, "Seconds a run may take before it is stopped\n(default 120)")
      ->type_name("S")
      ->check(whole_number<int>(1, 86400));
  serve->add_option("--max-replications", o.max_replications,
                    "Most replications a run may ask for (default 40;\nfewer for scenarios with many trusts)")
      ->type_name("N")
      ->check(whole_number<int>(2, 10000));
  serve->add_option("--queue", o.queue, "Runs that may wait for their turn behind the one\nrunning (default 8; more get 503)")
      ->type_name("N")
      ->check(whole_number<int>(1, 1000));
  serve->footer(
      "The page runs the one-trust teaching scenario or a story (configs/stories/)\n"
      "with the levers changed against its baseline, on the same patients, and\n"
      "shows the plots. Runs are one at a time; files go in one temporary folder,\n"
      "removed when the server stops (Ctrl-C). README.md, \"A live page for seminars\".");
}

// "unknown option '--thread' for run; did you mean '--threads'?", and the like for a command
// or a second file. Unknown arguments are left over (allow_extras) rather than refused by
// CLI11, whose message would not say what was meant.
void reject_extras(const CLI::App& app, const std::string& positional, const std::string& first) {
  const std::vector<std::string> extras = app.remaining();
  if (extras.empty()) return;
  const std::string& bad = extras.front();
  const std::string command = app.get_parent() ? app.get_name() : "";
  std::vector<std::string> known;
  if (bad[0] == '-') {
    for (const CLI::Option* option : app.get_options()) {
      for (const std::string& n : option->get_lnames()) known.push_back("--" + n);
      for (const std::string& n : option->get_snames()) known.push_back("-" + n);
    }
    const std::string name = bad.substr(0, bad.find('='));
    // A one-letter option is within an edit of every other: no guess is worth making.
    const std::string guess = name.size() > 2 ? sim::config::closest_match(name, known) : "";
    throw UsageError("unknown option '" + name + "'" + (command.empty() ? "" : " for " + command) +
                         (guess.empty() ? "" : "; did you mean '" + guess + "'?"),
                     command);
  }
  if (command.empty()) {
    for (const CLI::App* sub : app.get_subcommands({})) known.push_back(sub->get_name());
    const std::string guess = sim::config::closest_match(bad, known);
    throw UsageError("unknown command '" + bad + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
  }
  if (positional.empty()) throw UsageError(command + " takes no arguments, only options (got '" + bad + "')", command);
  throw UsageError(command + " takes one " + positional + " (got '" + first + "' and '" + bad + "')", command);
}

// CLI11's words for a missing or unwanted value, in breachsim's.
std::string usage_message(const CLI::ParseError& e) {
  const std::string what = e.what();
  static const std::regex missing(R"(^(\S+): 1 required \S+ missing$)");
  static const std::regex flag_value(R"(^(\S+) was given a disallowed flag override$)");
  std::smatch m;
  if (std::regex_match(what, m, missing)) return m[1].str() + " needs a value";
  if (std::regex_match(what, m, flag_value)) return "--" + m[1].str() + " takes no value";
  return what;
}

// Options given after the command belong to it; its help is the one to point to.
std::string command_of(const CLI::App& app) {
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  return parsed.empty() ? "" : parsed.front()->get_name();
}

// Rules across options, checked once they are all read.
void check_run(const RunOptions& o) {
  if (o.resume && o.force)
    throw UsageError("--resume completes an existing file and --force replaces it: give one", "run");
  if (o.resume && o.task)
    throw UsageError("--task reruns one task into a new file and --resume completes an existing one: give one", "run");
  if (o.task && !o.shard.empty())
    throw UsageError("--task runs one task and --shard a share of them: give one", "run");
}

void check_validate(const ValidateOptions& o) {
  if (o.reference && (!o.config.empty() || !o.overrides.empty() || o.threads > 0 || o.ignore_memory_limit))
    throw UsageError("--reference prints the reference of every key and checks no config: give it alone", "validate");
  if (!o.reference && o.config.empty()) throw UsageError("validate expects a CONFIG file (or --reference)", "validate");
}

// `help` alone is the program's help; `help COMMAND` that command's. (App::help would show
// the help of the command given, `help` itself.)
void print_help(const CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return;
  }
  try {
    std::cout << app.get_subcommand(topic)->help(app.get_name());
  } catch (const CLI::OptionNotFound&) {
    throw UsageError("no command named '" + topic + "'");
  }
}

}  // namespace

std::string version_text() {
  return std::string("breachsim ") + build_info::version + " (" + build_info::git_commit + ", " +
         build_info::build_type + (sim::invariants_checked ? ", invariants checked" : "") + ", " +
         build_info::compiler + ")\n" + models::library_versions();
}

CommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine cl;
  CLI::App app(
      std::string("breachsim ") + build_info::version + ": NHS hospital trusts under performance penalties, simulated",
      "breachsim");
  app.get_formatter()->column_width(24);  // with the descriptions' line breaks, 80 columns
  app.set_help_flag("-h,--help", "Print this help and exit");
  // A repeated option takes its last value, as it always has; flags take none (--force=0 would
  // otherwise mean "no --force").
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->disable_flag_override();
  app.set_version_flag("--version", version_text, "Print the version, git commit and library versions");
  app.allow_extras();
  app.require_subcommand(0, 1);
  app.footer("'breachsim COMMAND --help' lists a command's options.\nExit codes: README.md, \"Exit codes\".");
  add_run(app, cl.run);
  add_validate(app, cl.validate);
  add_summary(app, cl.summary);
  add_merge(app, cl.merge);
  add_report(app, cl.report);
  add_serve(app, cl.serve);
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "This help, or a command's (help run)");
  help->add_option("COMMAND", help_topic, "The command whose options to list");
  for (CLI::App* sub : app.get_subcommands({})) sub->allow_extras();
  if (argc <= 1) {  // a bare `breachsim`: how to use it, as an error
    std::cerr << app.help();
    cl.exit_code = 2;
    return cl;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, -h or --version
    app.exit(e);
    return cl;
  } catch (const CLI::ParseError& e) {
    throw UsageError(usage_message(e), command_of(app));
  }
  reject_extras(app, "", "");
  const std::string command = command_of(app);
  if (command == "help") {
    print_help(app, help_topic);
  } else if (command == "run") {
    reject_extras(*app.get_subcommand(command), "CONFIG", cl.run.config);
    check_run(cl.run);
    cl.run.arguments.assign(argv, argv + argc);
    cl.command = Command::run;
  } else if (command == "validate") {
    reject_extras(*app.get_subcommand(command), "CONFIG", cl.validate.config);
    check_validate(cl.validate);
    cl.command = Command::validate;
  } else if (command == "summary") {
    reject_extras(*app.get_subcommand(command), "FILE", cl.summary.file);
    cl.command = Command::summary;
  } else if (command == "merge") {
    reject_extras(*app.get_subcommand(command), "OUT", cl.merge.out);
    if (cl.merge.shards.empty())
      throw UsageError("merge expects the merged file and the files of every shard: breachsim merge OUT SHARD...",
                       "merge");
    cl.command = Command::merge;
  } else if (command == "report") {
    reject_extras(*app.get_subcommand(command), "FILE", cl.report.file);
    cl.command = Command::report;
  } else if (command == "serve") {
    reject_extras(*app.get_subcommand(command), "", "");
    cl.command = Command::serve;
  } else {
    throw UsageError("no command given: run, validate, summary, merge, report or serve");
  }
  return cl;
}

}  // namespace breachsim::cli

namespace breachsim::cli {

namespace {

// A word as a POSIX shell reads it back: as it is when it has nothing the shell would
// interpret, else in single quotes (a quote inside as '\'').
std::string shell_word(const std::string& word) {
  static const std::regex plain(R"(^[A-Za-z0-9_@%+=:,./-]+$)");
  if (std::regex_match(word, plain)) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// results/default.h5 -> results/default.task-1-17.h5
std::string task_output(const std::string& out, std::size_t point, std::size_t replication) {
  const std::filesystem::path path(out);
  const std::string tag = ".task-" + std::to_string(point) + "-" + std::to_string(replication);
  return (path.parent_path() / (path.stem().string() + tag + path.extension().string())).string();
}

}  // namespace

std::string rerun_command(const std::vector<std::string>& arguments, const std::string& out, bool one_task,
                          std::size_t point, std::size_t replication) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& a = arguments[i];
    if (a == "--force" || a == "--resume" || a.rfind("--out=", 0) == 0 || a.rfind("--task=", 0) == 0 ||
        a.rfind("--shard=", 0) == 0)
      continue;
    if (a == "--out" || a == "--task" || a == "--shard") {
      ++i;  // and its value
      continue;
    }
    kept.push_back(a);
  }
  kept.insert(kept.end(), {"--task", std::to_string(point) + ":" + std::to_string(replication), "--out",
                           one_task ? out : task_output(out, point, replication), "--force"});
  std::string command;
  for (const std::string& word : kept) command += (command.empty() ? "" : " ") + shell_word(word);
  return command;
}

}  // namespace breachsim::cli
