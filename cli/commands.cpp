// SPDX-License-Identifier: MIT
#include "cli/commands.hpp"

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
#include "sim/result_file.hpp"
#include "sim/runner.hpp"

namespace breachsim::cli {

namespace fs = std::filesystem;

namespace {

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

// A progress bar with ETA on stderr while replications run, only when stderr is a terminal.
class Progress {
 public:
  Progress(std::size_t total, bool enabled) : total_(total), enabled_(enabled && isatty(STDERR_FILENO)) {
    if (enabled_) ticker_ = std::thread([this] { loop(); });
  }
  ~Progress() { finish(); }
  void advance() { done_.fetch_add(1, std::memory_order_relaxed); }
  void finish() {
    if (!ticker_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    ticker_.join();
    std::fprintf(stderr, "\r%*s\r", 72, "");
  }

 private:
  void loop() {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      const std::size_t done = done_.load(std::memory_order_relaxed);
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const int width = 30;
      const int filled = static_cast<int>(width * done / total_);
      std::string bar(static_cast<std::size_t>(filled), '=');
      bar.resize(width, ' ');
      if (done > 0 && done < total_) {
        const double eta = elapsed * static_cast<double>(total_ - done) / static_cast<double>(done);
        std::fprintf(stderr, "\r[%s] %zu/%zu replications, %.0fs elapsed, ETA %.0fs ", bar.c_str(), done, total_, elapsed, eta);
      } else {
        std::fprintf(stderr, "\r[%s] %zu/%zu replications, %.0fs elapsed ", bar.c_str(), done, total_, elapsed);
      }
      std::fflush(stderr);
    }
  }

  std::size_t total_;
  bool enabled_;
  std::atomic<std::size_t> done_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace

void print_usage() {
  std::cout << "breachsim " << build_info::version << " - hospital trusts under performance penalties\n\n"
            << "usage:\n"
            << "  breachsim run [CONFIG] [--replications N] [--seed S] [--threads T] [--out FILE] [--force] [--quiet]\n"
            << "  breachsim validate CONFIG         check a config without running it\n"
            << "  breachsim validate --reference    print the reference of every config key (Markdown)\n"
            << "  breachsim --version\n\n"
            << "run with no CONFIG runs configs/default.yaml. An existing output file is never\n"
            << "overwritten without --force. Exit codes: 0 success, 2 bad usage or config, 1 runtime error.\n";
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
  if (args.size() != 1 || args[0].rfind("--", 0) == 0) throw UsageError("validate expects one CONFIG file");
  const models::Scenario s = models::load_scenario(args[0]);
  std::cout << args[0] << ": OK (scenario '" << s.scenario.name << "', " << s.trusts.size() << " trusts, "
            << s.scenario.months << " months, " << s.monte_carlo.replications << " replications)\n";
  return 0;
}

int run_command(const std::vector<std::string>& args, const std::string& command_line) {
  std::string config, out;
  int replications = 0, threads = 0;
  bool seed_given = false, force = false, quiet = false;
  std::uint64_t seed = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--replications") replications = parse_number<int>(a, value(), 1, 10000000);
    else if (a == "--seed") seed = parse_number<std::uint64_t>(a, value(), 0, (std::uint64_t{1} << 63) - 1), seed_given = true;
    else if (a == "--threads") threads = parse_number<int>(a, value(), 1, 4096);
    else if (a == "--out") out = value();
    else if (a == "--force") force = true;
    else if (a == "--quiet") quiet = true;
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option '" + a + "' for run");
    else if (config.empty()) config = a;
    else throw UsageError("run takes one CONFIG (got '" + config + "' and '" + a + "')");
  }
  if (config.empty()) config = default_config();

  models::Scenario scenario = models::load_scenario(config);
  if (replications > 0) scenario.monte_carlo.replications = replications;
  if (seed_given) scenario.monte_carlo.seed = seed;
  if (out.empty()) out = scenario.output.file;
  if (out.empty()) out = "results/" + scenario.scenario.name + ".h5";
  // Opened before the run: an existing file (without --force) or an unwritable place is
  // reported at once, not after an hour of simulation.
  auto file = [&] {
    try {
      const fs::path parent = fs::path(out).parent_path();
      if (!parent.empty() && !fs::exists(parent)) fs::create_directories(parent);
      return sim::ResultFile::create(out, force);
    } catch (const sim::OutputExists&) {
      throw;
    } catch (const std::exception& e) {
      throw UsageError("cannot write the output file " + out + ": " + e.what());
    }
  }();

  const int used_threads = threads > 0 ? threads : sim::default_concurrency();
  const models::ScenarioSetup setup(scenario);
  const int n = scenario.monte_carlo.replications;
  if (!quiet)
    std::cerr << "breachsim: " << config << ": " << setup.trusts() << " trusts x " << setup.months() << " months x " << n
              << " replications on " << used_threads << " threads\n";

  const auto start = std::chrono::steady_clock::now();
  models::RunOutcome run;
  {
    Progress progress(static_cast<std::size_t>(n), !quiet);
    run = models::run_replications(setup, scenario.monte_carlo.seed, n, used_threads, [&] { progress.advance(); });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  models::write_results(file, setup, run, {command_line, scenario.monte_carlo.seed, used_threads});
  if (!quiet) {
    models::print_summary(std::cout, setup, run);
    std::fprintf(stdout, "%.3g million events in %.1f s (%.2f million events/s); results in %s\n",
                 static_cast<double>(run.events()) / 1e6, seconds, static_cast<double>(run.events()) / 1e6 / seconds,
                 out.c_str());
  }
  return 0;
}

}  // namespace breachsim::cli
