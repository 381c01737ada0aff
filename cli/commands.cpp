// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "breachsim/version.hpp"
#include "models/output.hpp"
#include "models/run.hpp"
#include "models/run_file.hpp"
#include "models/summary.hpp"
#include "sim/result_file.hpp"
#include "sim/runner.hpp"
#include "sim/sha256.hpp"

namespace breachsim::cli {

namespace fs = std::filesystem;

namespace {

// The value after option args[i], which it steps over.
const std::string& option_value(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw UsageError(args[i] + " needs a value");
  return args[++i];
}

template <class T>
T parse_number(const std::string& option, const std::string& text, T min, T max) {
  T value{};
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || value < min || value > max)
    throw UsageError(option + " expects a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                     " (got '" + text + "')");
  return value;
}

std::string default_config() {
  const fs::path installed = fs::path(build_info::source_dir) / "configs" / "default.yaml";
  if (fs::exists(installed)) return installed.string();
  return "configs/default.yaml";
}

// Progress on stderr: on a terminal a bar redrawn four times a second (tasks done, events per
// second, ETA); otherwise, for logs and batch jobs, one line at each tenth of the tasks.
class Progress {
 public:
  Progress(std::size_t total, bool enabled)
      : total_(total), enabled_(enabled && total > 0), tty_(enabled_ && isatty(STDERR_FILENO)), start_(Clock::now()) {
    if (tty_) ticker_ = std::thread([this] { loop(); });
  }
  ~Progress() { finish(); }
  // Called by the writer thread after each task.
  void advance(std::uint64_t events) {
    const std::size_t done = ++done_;
    events_ += events;
    if (!enabled_ || tty_) return;
    const std::size_t tenth = done * 10 / total_;
    if (tenth > last_tenth_) {
      last_tenth_ = tenth;
      std::fprintf(stderr, "breachsim: %3zu%% (%zu of %zu tasks), %s\n", done * 100 / total_, done, total_,
                   rates(done).c_str());
      std::fflush(stderr);
    }
  }
  void finish() {
    if (!ticker_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    ticker_.join();
    std::fprintf(stderr, "\r%*s\r", 100, "");
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::string rates(std::size_t done) const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    char buf[128];
    const double rate = elapsed > 0 ? static_cast<double>(events_.load()) / elapsed / 1e6 : 0.0;
    if (done > 0 && done < total_)
      std::snprintf(buf, sizeof buf, "%.1f million events/s, %.0f s elapsed, ETA %.0f s", rate, elapsed,
                    elapsed * static_cast<double>(total_ - done) / static_cast<double>(done));
    else
      std::snprintf(buf, sizeof buf, "%.1f million events/s, %.0f s elapsed", rate, elapsed);
    return buf;
  }
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      const std::size_t done = done_.load();
      const int width = 24;
      std::string bar(static_cast<std::size_t>(width * done / total_), '=');
      bar.resize(width, ' ');
      std::fprintf(stderr, "\r[%s] %zu/%zu tasks, %s ", bar.c_str(), done, total_, rates(done).c_str());
      std::fflush(stderr);
    }
  }

  std::size_t total_;
  bool enabled_, tty_;
  Clock::time_point start_;
  std::atomic<std::size_t> done_{0};
  std::atomic<std::uint64_t> events_{0};
  std::size_t last_tenth_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

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

}  // namespace

void print_usage() {
  std::cout << "breachsim " << build_info::version << " - hospital trusts under performance penalties\n\n"
            << "usage:\n"
            << "  breachsim run [CONFIG] [--replications N] [--seed S] [--threads T] [--out FILE]\n"
            << "                [--set dotted.path=value ...] [--resume | --force] [--quiet]\n"
            << "  breachsim summary FILE [--metric M]  print the summary tables of a finished run\n"
            << "  breachsim validate CONFIG [--set dotted.path=value ...]\n"
            << "                                    check a config without running it; list its sweep points\n"
            << "  breachsim validate --reference    print the reference of every config key (Markdown)\n"
            << "  breachsim --version\n\n"
            << "run with no CONFIG runs configs/default.yaml. --set replaces one key of the config (the value\n"
            << "is YAML: --set schemes.ed_4h.rate_gbp=200, --set 'trusts[0].ed.clinicians_by_hour=[...]').\n"
            << "An existing output file is never overwritten without --force. Ctrl-C (SIGINT) or SIGTERM\n"
            << "finishes the tasks in flight and leaves them in the file; --resume completes it.\n"
            << "Exit codes: 0 success, 2 bad usage or config, 1 runtime error, 128+signal when stopped.\n";
}

void print_version() {
  std::cout << "breachsim " << build_info::version << " (" << build_info::git_commit << ", " << build_info::build_type
            << ", " << build_info::compiler << ")\n"
            << models::library_versions() << "\n";
}

int validate_command(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "--reference") {
    std::cout << models::config_reference_markdown();
    return 0;
  }
  std::string config;
  std::vector<std::string> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--set") overrides.push_back(option_value(args, i));
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option '" + a + "' for validate");
    else if (config.empty()) config = a;
    else throw UsageError("validate takes one CONFIG (got '" + config + "' and '" + a + "')");
  }
  if (config.empty()) throw UsageError("validate expects one CONFIG file");
  const models::Sweep sweep = models::load_sweep(config, overrides);
  const models::Scenario& s = sweep.points.front().scenario;
  std::cout << config << ": OK (scenario '" << s.scenario.name << "', " << s.trusts.size() << " trusts, "
            << s.scenario.months << " months, " << s.monte_carlo.replications << " replications)\n";
  if (sweep.paths.empty()) return 0;
  std::cout << "sweep over ";
  for (std::size_t i = 0; i < sweep.paths.size(); ++i) std::cout << (i ? ", " : "") << sweep.paths[i];
  std::cout << ": " << sweep.points.size() << (sweep.points.size() == 1 ? " point\n" : " points\n");
  for (std::size_t k = 0; k < sweep.points.size(); ++k)
    std::cout << "  " << k << ": " << sweep.points[k].name << (k == sweep.baseline ? "  (baseline)" : "") << "\n";
  return 0;
}

namespace {

// Whether every point's 95% interval of `metric` is within `half_width` of its mean.
bool precise_enough(const models::NationalRuns& runs, models::Metric metric, double half_width) {
  for (std::size_t p = 0; p < runs.points; ++p) {
    std::vector<double> v;
    for (std::size_t r = 0; r < runs.replications; ++r)
      if (runs.finished(p, r)) v.push_back(runs.value(p, r, metric));
    const auto ci = sim::mean_interval(v);
    if (v.size() < 2 || ci.high - ci.mean > half_width) return false;
  }
  return true;
}

models::Metric metric_named(const std::string& name) {
  if (const auto m = models::metric_by_name(name)) return *m;
  throw UsageError("no metric named '" + name + "' (the catalogue is /metrics)");
}

}  // namespace

int run_command(const std::vector<std::string>& args, const std::string& command_line) {
  std::string config, out;
  std::vector<std::string> overrides;
  int threads = 0;
  bool force = false, quiet = false, resume = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& { return option_value(args, i); };
    // --replications and --seed are shorthands for --set, so the stored config records them.
    if (a == "--set") overrides.push_back(value());
    else if (a == "--replications")
      overrides.push_back("monte_carlo.replications=" + std::to_string(parse_number<int>(a, value(), 1, 10000000)));
    else if (a == "--seed")
      overrides.push_back("monte_carlo.seed=" +
                          std::to_string(parse_number<std::uint64_t>(a, value(), 0, (std::uint64_t{1} << 63) - 1)));
    else if (a == "--threads") threads = parse_number<int>(a, value(), 1, 4096);
    else if (a == "--out") out = value();
    else if (a == "--force") force = true;
    else if (a == "--quiet") quiet = true;
    else if (a == "--resume") resume = true;
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option '" + a + "' for run");
    else if (config.empty()) config = a;
    else throw UsageError("run takes one CONFIG (got '" + config + "' and '" + a + "')");
  }
  if (config.empty()) config = default_config();
  if (resume && force) throw UsageError("--resume completes an existing file and --force replaces it: give one");

  const models::Sweep sweep = models::load_sweep(config, overrides);
  const models::Scenario& first = sweep.points.front().scenario;
  const models::MonteCarloSection& mc = first.monte_carlo;
  if (out.empty()) out = first.output.file;
  if (out.empty()) out = "results/" + first.scenario.name + ".h5";

  std::vector<std::unique_ptr<models::ScenarioSetup>> setups;
  models::RunSpec spec;
  for (const auto& point : sweep.points) {
    setups.push_back(std::make_unique<models::ScenarioSetup>(point.scenario, sweep.schemes));
    spec.points.push_back(setups.back().get());
    spec.table.names.push_back(point.name);
    spec.table.values.push_back(point.values);
  }
  spec.table.paths = sweep.paths;
  spec.table.baseline = sweep.baseline;
  // A point's resolved YAML spells out every trust, which would hide a sweep of `defaults`:
  // a sweep is stored as read, so that running /config repeats it.
  if (!sweep.paths.empty()) spec.table.config_text = sweep.config_text;
  const bool adaptive = mc.target_half_width > 0.0;
  spec.replications = static_cast<std::size_t>(adaptive ? mc.max_replications : mc.replications);
  spec.seed = mc.seed;
  spec.threads = threads > 0 ? threads : sim::default_concurrency();
  spec.command_line = command_line;
  spec.detail = first.output.detail == "national" ? models::Detail::national : models::Detail::trust;
  spec.flush_seconds = first.output.flush_seconds;
  const std::size_t P = spec.points.size(), T = setups.front()->trusts();
  const models::Metric target = metric_named(mc.target_metric);

  // Opened before the run: an existing file (without --force) or an unwritable place is
  // reported at once, not after an hour of simulation.
  // Files of national detail keep no trust series, so neither does the summary of their run.
  models::NationalRuns prior =
      models::empty_national_runs(P, spec.replications, spec.detail == models::Detail::trust ? T : 0,
                                  models::financial_years(first.scenario.first_month, setups.front()->months()));
  bool replace_summary = false;
  // Replications in the file: all of them, or with the calculator the first batch; it grows.
  std::size_t extent = adaptive ? std::min<std::size_t>(spec.replications, static_cast<std::size_t>(mc.replications))
                                : spec.replications;
  auto file = [&] {
    try {
      const fs::path parent = fs::path(out).parent_path();
      if (!parent.empty() && !fs::exists(parent)) fs::create_directories(parent);
      if (!resume) {
        auto f = sim::ResultFile::create(out, force);
        models::write_layout(f, spec, extent);
        f.start_streaming();
        return f;
      }
      const std::string partial = sim::ResultFile::partial_path(out);
      const std::string existing = fs::exists(partial) ? partial : out;
      if (!fs::exists(existing)) throw UsageError("--resume: there is neither " + out + " nor " + partial + " to complete");
      models::SavedRun saved = models::read_saved_run(existing);
      const std::string config_text = spec.table.config_text.empty() ? models::resolved_yaml(first) : spec.table.config_text;
      const std::size_t saved_extent = saved.runs.replications;
      if (saved.config_sha256 != sim::sha256_hex(config_text) || saved.seed != spec.seed || saved.runs.points != P ||
          (adaptive ? saved_extent > spec.replications : saved_extent != spec.replications))
        throw UsageError("--resume: " + existing + " was written by a different config, seed or number of replications; "
                         "run with the same config and options, or start again with --force");
      prior = models::with_replications(saved.runs, spec.replications);  // as long as the run may grow
      extent = saved_extent;
      replace_summary = saved.has_summary;
      auto f = sim::ResultFile::resume(out);
      f.start_streaming();
      return f;
    } catch (const UsageError&) {
      throw;
    } catch (const sim::OutputExists&) {
      throw;
    } catch (const std::exception& e) {
      throw UsageError("cannot write the output file " + out + ": " + e.what());
    }
  }();
  prior.point_names = spec.table.names;
  prior.trust_names.clear();
  for (const auto& t : first.trusts) prior.trust_names.push_back(t.name);
  prior.baseline = sweep.baseline;

  std::size_t already = 0;
  for (std::uint8_t d : prior.done) already += d;
  std::size_t last = extent;
  if (!quiet) {
    std::cerr << "breachsim: " << config << ": " << T << " trusts x " << setups.front()->months() << " months x "
              << (adaptive ? std::to_string(last) + "+" : std::to_string(last)) << " replications"
              << (P > 1 ? " x " + std::to_string(P) + " points" : "") << " on " << spec.threads << " threads";
    if (already > 0) std::cerr << " (resuming: " << already << " tasks already done)";
    std::cerr << "\n";
  }

  install_stop_handlers();
  models::StreamReport total;
  total.runs = std::move(prior);
  double write_seconds = 0.0, seconds = 0.0;
  std::uint64_t events = 0;
  for (std::size_t from = 0;;) {
    std::size_t todo = 0;
    for (std::size_t p = 0; p < P; ++p)
      for (std::size_t r = from; r < last; ++r) todo += total.runs.finished(p, r) ? 0 : 1;
    models::StreamReport batch;
    {
      Progress progress(todo, !quiet);
      batch = models::stream_tasks(file, spec, std::move(total.runs), from, last, stop_requested,
                                   [&](std::uint64_t e) { progress.advance(e); });
    }
    total.runs = std::move(batch.runs);
    write_seconds += batch.write_seconds;
    seconds += batch.seconds;
    events += batch.events;
    if (batch.stopped || !adaptive || last >= spec.replications || precise_enough(total.runs, target, mc.target_half_width))
      break;
    from = last;
    last = std::min(spec.replications, last + static_cast<std::size_t>(mc.replications));
    models::extend_replications(file, spec, last);
    if (!quiet)
      std::cerr << "breachsim: " << mc.target_metric << " not yet within +/-" << mc.target_half_width
                << " at every point: running replications " << from << " to " << last - 1 << "\n";
  }

  const auto t0 = std::chrono::steady_clock::now();
  file.finish_streaming();
  if (replace_summary) file.remove("/summary");
  file.set_attribute("/", "replications", static_cast<std::int64_t>(last));
  total.runs = models::with_replications(total.runs, last);
  models::write_summary(file, total.runs);
  file.commit();
  write_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::size_t finished = 0;
  for (std::uint8_t d : total.runs.done) finished += d;
  const std::size_t replications_run = [&] {
    std::size_t n = 0;
    for (std::size_t r = 0; r < total.runs.replications; ++r) n += total.runs.finished(0, r) ? 1 : 0;
    return n;
  }();
  if (stop_requested) {
    std::cerr << "breachsim: stopped by signal " << stop_signal << ": " << finished << " of " << P * spec.replications
              << " tasks are in " << out << "; complete them with the same command and --resume\n";
    return 128 + stop_signal;
  }
  if (!quiet) {
    models::print_summary(std::cout, total.runs, models::run_title(*setups.front(), P, replications_run));
    std::fprintf(stdout,
                 "%.3g million events in %.1f s (%.2f million events/s); HDF5 writing %.2f s (%.1f%% of the run); "
                 "results in %s\n",
                 static_cast<double>(events) / 1e6, seconds, seconds > 0 ? static_cast<double>(events) / 1e6 / seconds : 0.0,
                 write_seconds, seconds > 0 ? 100.0 * write_seconds / seconds : 0.0, out.c_str());
  }
  return 0;
}

int summary_command(const std::vector<std::string>& args) {
  std::string path, metric;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--metric") metric = option_value(args, i);
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option '" + a + "' for summary");
    else if (path.empty()) path = a;
    else throw UsageError("summary takes one FILE (got '" + path + "' and '" + a + "')");
  }
  if (path.empty()) throw UsageError("summary expects a result FILE");
  const models::SavedRun saved = models::read_saved_run(path);
  if (!metric.empty()) metric_named(metric);
  models::print_summary(std::cout, saved.runs, saved.title, metric);
  return 0;
}

}  // namespace breachsim::cli
