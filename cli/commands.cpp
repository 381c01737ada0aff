// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/progress.hpp"
#include "models/run/merge.hpp"
#if BREACHSIM_WITH_MPI
#include <mpi.h>

#include "models/run/mpi_farm.hpp"
#endif
#include "models/run/output.hpp"
#include "models/run/resource_estimate.hpp"
#include "models/run/run.hpp"
#include "models/run/run_control.hpp"
#include "models/run/run_file.hpp"
#include "models/run/summary.hpp"
#include "sim/byte_count.hpp"
#include "sim/memory_limit.hpp"
#include "sim/result_file.hpp"
#include "sim/runner.hpp"

namespace breachsim::cli {

namespace fs = std::filesystem;

namespace {

std::string default_config() { return (models::shipped_configs() / "default.yaml").string(); }

// SIGINT and SIGTERM ask the run to stop: tasks in flight finish and are kept. A second
// signal gets the default action (the handler resets itself).
std::atomic<bool> stop_requested{false};
std::atomic<int> stop_signal{0};
extern "C" void request_stop(int signal) {
  stop_signal = signal;
  stop_requested = true;
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// "X needs about B of memory, more than the L this process may use, set by SOURCE. Run it
// with ADVICE, or --ignore-memory-limit to try anyway".
std::string over_limit(const std::string& what, const std::string& bytes, const sim::MemoryLimit& limit,
                       const std::string& advice) {
  return what + " needs " + bytes + ", more than the " + sim::format_bytes(static_cast<double>(limit.bytes)) +
         " this process may use, set by " + limit.source + ". " + advice + ", or --ignore-memory-limit to try anyway";
}

// Reading a YAML file takes about a hundred times its size (yaml-cpp's nodes): a config
// that cannot be read in memory is refused before it is read, not ended by std::bad_alloc.
void check_config_size(const std::string& config, bool insist, const std::string& command) {
  std::error_code ec;
  if (insist || !fs::is_regular_file(config, ec)) return;
  const auto size = fs::file_size(config, ec);
  const sim::MemoryLimit limit = sim::memory_limit();
  const double bytes = models::config_reading_bytes(ec ? 0 : size);
  if (limit.bytes > 0 && bytes > static_cast<double>(limit.bytes))
    throw UsageError(over_limit(config + ": reading this " + sim::format_bytes(static_cast<double>(size)) + " file",
                                "about " + sim::format_bytes(bytes) + " of memory", limit, "Shorten it"),
                     command);
}

// The estimate of a loaded config, refused when it cannot fit.
models::ResourceEstimate check_resources(const models::Sweep& sweep, const std::string& config, int threads,
                                         bool insist, const std::string& command) {
  const models::ResourceEstimate estimate =
      models::estimate_resources(sweep, threads > 0 ? threads : sim::default_concurrency());
  const sim::MemoryLimit limit = sim::memory_limit();
  if (!insist && limit.bytes > 0 && estimate.peak_bytes > static_cast<double>(limit.bytes))
    throw UsageError(over_limit(config + ": the run", estimate.memory(" of memory"), limit, "Run it with " + estimate.advice()),
                     command);
  return estimate;
}

}  // namespace

int validate_command(const ValidateOptions& o) {
  if (o.reference) {
    std::cout << models::config_reference_markdown();
    return 0;
  }
  check_config_size(o.config, o.ignore_memory_limit, "validate");
  const models::Sweep sweep = models::load_sweep(o.config, o.overrides);
  const models::Scenario& s = sweep.points.front().scenario;
  const models::ResourceEstimate estimate =
      check_resources(sweep, o.config, o.threads, o.ignore_memory_limit, "validate");
  std::cout << o.config << ": OK (scenario '" << s.scenario.name << "', " << s.trusts.size() << (s.trusts.size() == 1 ? " trust, " : " trusts, ")
            << s.scenario.months << " months, " << s.monte_carlo.replications << " replications)\n"
            << "estimate: peak memory " << estimate.memory() << ", " << estimate.work() << "\n";
  if (sweep.paths.empty()) return 0;
  std::cout << "sweep over ";
  for (std::size_t i = 0; i < sweep.paths.size(); ++i) std::cout << (i ? ", " : "") << sweep.paths[i];
  std::cout << ": " << sweep.points.size() << (sweep.points.size() == 1 ? " point\n" : " points\n");
  for (std::size_t k = 0; k < sweep.points.size(); ++k)
    std::cout << "  " << k << ": " << sweep.points[k].name << (k == sweep.baseline ? "  (baseline)" : "") << "\n";
  return 0;
}

namespace {

models::Metric metric_named(const std::string& name) {
  if (const auto m = models::metric_by_name(name)) return *m;
  throw UsageError("no metric named '" + name + "' (the catalogue is /metrics)");
}

// --resume: the file an interrupted run left, checked against this run and reopened.
sim::ResultFile reopen_output(const std::string& out, const models::PlannedRun& run, models::RunStart& start) {
  const std::string existing = models::resumable_file(out);
  if (existing.empty())
    throw UsageError("--resume: there is neither " + out + " nor " + sim::ResultFile::partial_path(out) + " to complete");
  const models::SavedRun saved = models::read_saved_run(existing);
  const std::string mismatch = models::resume_mismatch(saved, run);
  if (!mismatch.empty())
    throw UsageError("--resume: " + existing +
                     " was written by a different file format, config, seed, number of replications or shard (" + mismatch +
                     "); run with the same config and options, or start again with --force");
  start = models::resume_from(saved, run);
  auto f = sim::ResultFile::resume(out);
  f.start_streaming();
  return f;
}

// The output file's directory, created when missing (a run's and a merge's alike).
void make_output_directory(const std::string& out) {
  const fs::path parent = fs::path(out).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::exists(parent, ec) && !fs::create_directories(parent, ec) && ec)
    throw sim::OutputError("cannot write the output file " + out + ": cannot create its directory " +
                           parent.string() + ": " + ec.message());
}

// Opened before the run: an existing file (without --force) or an unwritable place is
// reported at once, not after an hour of simulation. A resumed run's `start` becomes what
// the file holds.
sim::ResultFile open_output(const RunOptions& o, const models::PlannedRun& run, models::RunStart& start) {
  make_output_directory(o.out);
  try {
    if (o.resume) return reopen_output(o.out, run, start);
    auto f = sim::ResultFile::create(o.out, o.force);
    models::write_layout(f, run.spec, start.extent);
    f.start_streaming();
    return f;
  } catch (const UsageError&) {
    throw;
  } catch (const sim::OutputExists&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw sim::OutputError("cannot write the output file " + o.out + ": " + e.what());
  }
}

// The tasks of the first `extent` replications: finished, this process's (all of them, or a
// shard's, or --task's one), and this process's finished.
struct TaskCounts {
  std::size_t done = 0, mine = 0, mine_done = 0;
};
TaskCounts count_tasks(const models::RunSpec& spec, const models::NationalRuns& runs, std::size_t extent) {
  TaskCounts count;
  for (std::size_t p = 0; p < spec.points.size(); ++p)
    for (std::size_t r = 0; r < extent; ++r) {
      const bool done = r < runs.replications && runs.finished(p, r);
      count.done += done ? 1 : 0;
      if (!spec.selected(p, r)) continue;
      ++count.mine;
      count.mine_done += done ? 1 : 0;
    }
  return count;
}

// "breachsim: CONFIG: 2 trusts x 24 months x 40 replications on 8 threads" on stderr.
// and "breachsim: estimate: peak memory about ...".
void announce_run(const RunOptions& o, const models::PlannedRun& run, const models::RunStart& start,
                  const models::ResourceEstimate& estimate) {
  if (o.quiet) return;
  const models::ScenarioSetup& setup = *run.setups.front();
  const std::size_t P = run.spec.points.size();
  const TaskCounts count = count_tasks(run.spec, start.prior, start.extent);
  const std::size_t already = count.done, mine = count.mine, todo = count.mine - count.mine_done;
  std::cerr << "breachsim: " << o.config << ": " << setup.trusts() << " trusts x " << setup.months() << " months x "
            << (run.target.adaptive ? std::to_string(start.extent) + "+" : std::to_string(start.extent))
            << " replications" << (P > 1 ? " x " + std::to_string(P) + " points" : "") << " on " << run.spec.threads
            << " threads";
  if (run.spec.shard)
    std::cerr << ", shard " << run.spec.shard->text() << ": " << mine << " of the " << P * start.extent << " tasks";
  if (already > 0) std::cerr << " (resuming: " << already << " tasks already done)";
  // The work of the tasks this process runs (a shard's, the rest of a resumed run), not the whole
  // run's; the replication calculator's later batches are unknown until it decides.
  const models::ResourceEstimate work = run.target.adaptive ? estimate : estimate.share(todo, P * start.extent);
  std::cerr << "\nbreachsim: estimate: peak memory " << estimate.memory() << ", " << work.work() << "\n";
}

// What a signal does to a run, said at once: the tasks in flight can take minutes to finish.
std::string stop_notice(const std::string& out) {
  const char* name = stop_signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)";
  return std::string("breachsim: ") + name + ": finishing the tasks in flight, then saving the finished ones in " +
         out + "; a second signal stops at once (--resume completes the run either way)";
}

// Whose lines a log's are: the shard, and the batch job running it, if any.
std::string progress_label(const models::PlannedRun& run) {
  std::string label = run.spec.shard ? "shard " + run.spec.shard->text() : std::string();
  const char* job = std::getenv("SLURM_JOB_ID");
  const char* array = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  std::string slurm = array && task ? std::string(array) + "_" + task : job ? std::string(job) : std::string();
  if (!slurm.empty()) label += (label.empty() ? "" : " ") + std::string("(SLURM job ") + slurm + ")";
  return label;
}

// The batches under one progress display, and the calculator's reason for another batch.
models::RunTotals run_with_progress(sim::ResultFile& file, const RunOptions& o, const models::PlannedRun& run,
                                    models::RunStart start) {
  sim::TaskProgress work;
  Progress progress(progress_style(o.quiet), work, stop_requested, [&o] { return stop_notice(o.out); },
                    progress_label(run));
  models::BatchObserver observer;
  observer.progress = &work;
  observer.batch_started = [&](std::size_t tasks, std::uint64_t months) { progress.batch_started(tasks, months); };
  observer.task_done = [&](std::uint64_t) { progress.task_done(); };
  observer.batch_finished = [&] { progress.batch_finished(); };
  observer.growing = [&](std::size_t from, std::size_t to) {
    if (!o.quiet)
      std::cerr << "breachsim: " << run.target.metric_name << " not yet within +/-" << run.target.half_width
                << " at every point: running replications " << from << " to " << to - 1 << "\n";
  };
  return models::run_batches(file, run, std::move(start.prior), start.extent, stop_requested, observer);
}

// The exit code, after the summary (or, when stopped by a signal, how to complete the run).
int report_run(const RunOptions& o, const models::PlannedRun& run, const models::RunTotals& total) {
  const std::size_t P = run.spec.points.size();
  std::size_t replications_run = 0;
  for (std::size_t r = 0; r < total.runs.replications; ++r) replications_run += total.runs.finished(0, r) ? 1 : 0;
  if (stop_requested) {
    // Of the tasks this process was given: a shard's, or the one of --task.
    const TaskCounts count = count_tasks(run.spec, total.runs, total.runs.replications);
    const bool all = count.mine == P * total.runs.replications;
    std::cerr << "breachsim: stopped by signal " << stop_signal << ": "
              << (all ? std::to_string(count.done) + " of " + std::to_string(P * run.spec.replications)
                      : std::to_string(count.mine_done) + " of the " + (run.spec.shard ? "shard's " : "") +
                            std::to_string(count.mine))
              << " tasks are in " << o.out
              << "; complete them with the same command and --resume\n";
    return 128 + stop_signal;
  }
  if (o.quiet) return 0;
  models::print_summary(std::cout, total.runs, models::run_title(*run.setups.front(), P, replications_run));
  const double events = static_cast<double>(total.events), seconds = total.seconds;
  std::fprintf(stdout,
               "%.3g million events in %.1f s (%.2f million events/s); HDF5 writing %.2f s (%.1f%% of the run); "
               "results in %s\n",
               events / 1e6, seconds, seconds > 0 ? events / 1e6 / seconds : 0.0, total.write_seconds,
               seconds > 0 ? 100.0 * total.write_seconds / seconds : 0.0, o.out.c_str());
  return 0;
}

}  // namespace

namespace {

// What every process of a run plans alike, from the options: the config read and checked
// against the memory, the output's name, the tasks (--task, --shard) and their rerun command.
models::PlannedRun plan_from_options(RunOptions& o, const std::string& command_line, models::ResourceEstimate& estimate) {
  if (o.config.empty()) o.config = default_config();
  check_config_size(o.config, o.ignore_memory_limit, "run");
  const models::Sweep sweep = models::load_sweep(o.config, o.overrides);
  const models::Scenario& first = sweep.points.front().scenario;
  estimate = check_resources(sweep, o.config, o.threads, o.ignore_memory_limit, "run");
  std::optional<models::Shard> shard;
  if (!o.shard.empty()) {
    std::string error;
    shard = models::parse_shard(o.shard, error);  // checked by the command line already
  }
  if (o.out.empty()) {
    o.out = first.output.file.empty() ? "results/" + first.scenario.name + ".h5" : first.output.file;
    // Shards of one config would otherwise all write the one file.
    if (shard) o.out = models::shard_file_name(o.out, *shard);
  }
  models::PlannedRun run =
      models::plan_run(sweep, metric_named(first.monte_carlo.target_metric), o.threads, command_line);
  if (o.task) {
    const std::string out_of_range = models::select_task(run, o.task->first, o.task->second);
    if (!out_of_range.empty()) throw UsageError("--task: no " + out_of_range, "run");
  }
  if (shard) {
    const std::string cannot = models::select_shard(run, *shard);
    if (!cannot.empty()) throw UsageError("--shard " + shard->text() + ": " + cannot, "run");
  }
  run.spec.rerun_command = [arguments = o.arguments, out = o.out, one_task = o.task.has_value()](
                               std::size_t point, std::size_t replication) {
    return rerun_command(arguments, out, one_task, point, replication);
  };
  return run;
}

}  // namespace

#if BREACHSIM_WITH_MPI
int serve_rank(const CommandLine& cl, const std::string& command_line) {
  if (cl.command != Command::run) {  // only runs are shared among ranks; rank 0 does the rest alone
    models::mpi::serve(nullptr, "not a run");
    return 0;
  }
  // Rank 0 alone answers SIGINT and SIGTERM (it stops handing out tasks, and the tasks in
  // flight finish here), as long as mpirun lets the job live that long.
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_IGN);
  RunOptions o = cl.run;
  models::ResourceEstimate estimate;
  try {
    const models::PlannedRun run = plan_from_options(o, command_line, estimate);
    models::mpi::serve(&run);
  } catch (const std::exception& e) {
    // Rank 0 plans the same run and says what is wrong; this rank waits to be released.
    models::mpi::serve(nullptr, e.what());
  }
  return 0;
}
#endif

int run_command(RunOptions o, const std::string& command_line) {
  models::ResourceEstimate estimate;
  models::PlannedRun run = plan_from_options(o, command_line, estimate);
#if BREACHSIM_WITH_MPI
  static models::mpi::Farm farm;
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (ranks > 1) run.spec.farm = &farm;
#endif
  models::RunStart start = models::fresh_start(run);
  auto file = open_output(o, run, start);
  announce_run(o, run, start, estimate);
  install_stop_handlers();
  const bool replace_summary = start.replace_summary;
  models::RunTotals total;
  try {
    total = run_with_progress(file, o, run, std::move(start));
  } catch (const std::bad_alloc&) {
    // The tasks written so far are marked finished in the partial file; nothing is lost.
    std::cerr << "breachsim: out of memory during the run: the finished tasks are in "
              << sim::ResultFile::partial_path(o.out)
              << "; the same command with fewer --threads and --resume completes the run\n";
    throw;
  }
  models::finish_run(file, total, replace_summary);
  return report_run(o, run, total);
}

int summary_command(const SummaryOptions& o) {
  // A name that is not a file is a slip on the command line, not a damaged result.
  std::error_code ec;
  if (fs::is_directory(o.file, ec)) throw UsageError(o.file + ": is a directory, not a result file", "summary");
  if (!fs::exists(o.file, ec)) throw UsageError(o.file + ": no such file", "summary");
  const models::SavedRun saved = models::read_saved_run(o.file);
  if (!o.metric.empty()) metric_named(o.metric);
  models::print_summary(std::cout, saved.runs, saved.title, o.metric);
  return 0;
}

}  // namespace breachsim::cli

namespace breachsim::cli {

int merge_command(const MergeOptions& o, const std::string& command_line) {
  std::vector<models::ShardFile> shards;
  std::error_code ec;
  for (const std::string& path : o.shards) {
    if (fs::is_directory(path, ec)) throw UsageError(path + ": is a directory, not a shard's file", "merge");
    if (!fs::exists(path, ec)) throw UsageError(path + ": no such file", "merge");
    if (fs::equivalent(path, o.out, ec))
      throw UsageError(path + " is both a shard and the output: give the merged file another name", "merge");
    try {
      shards.push_back(models::read_shard_file(path));
    } catch (const sim::OutputDamaged& e) {
      throw sim::OutputDamaged(std::string(e.what()) + "; run that shard again (its command with --force)");
    }
  }
  const std::vector<std::string> problems = models::shard_problems(shards);
  if (!problems.empty()) {
    std::string text = "these files are not the complete shards of one run:";
    for (const std::string& p : problems) text += "\n  " + p;
    throw UsageError(text, "merge");
  }
  make_output_directory(o.out);
  models::MergeTotals totals;
  try {
    totals = models::merge_shards(shards, o.out, o.force, command_line);
  } catch (const sim::OutputExists& e) {
    // A partial left by a merge that failed is no run to --resume.
    if (!o.force && fs::exists(o.out, ec)) throw;
    throw sim::OutputExists(sim::ResultFile::partial_path(o.out) +
                            " is left from an interrupted run or merge; merge again with --force to replace it");
  }
  if (o.quiet) return 0;
  models::print_summary(std::cout, totals.saved.runs, totals.saved.title);
  const double megabytes = static_cast<double>(totals.values_copied) * 8 / 1e6;
  const double stored = totals.values_copied > 0
                            ? 100.0 * static_cast<double>(totals.values_copied - totals.values_recoded) /
                                  static_cast<double>(totals.values_copied)
                            : 0.0;
  std::fprintf(stdout,
               "merged %zu shards, %zu tasks, %.1f MB of outcomes (%.0f%% copied as stored, the rest value by value) "
               "in %.1f s (%.1f MB/s); results in %s\n",
               shards.size(), totals.tasks, megabytes, stored, totals.seconds,
               totals.seconds > 0 ? megabytes / totals.seconds : 0.0, o.out.c_str());
  return 0;
}

}  // namespace breachsim::cli
