// SPDX-License-Identifier: MIT
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/live_levers.hpp"

// The runs behind `breachsim serve`'s page: each request's scenario is run by a child
// `breachsim run` (so a run that overstays its time limit can be killed, and one that fails
// takes nothing else down), against a baseline run once per scenario point and replication
// count, and the plots are drawn by scripts/breachsim_live.py. Everything goes in one folder.
namespace breachsim::cli::live {

// A run that failed (HTTP 500), or that could not be made now (HTTP 503: it overstayed the time
// limit, too many runs are waiting, or the server is stopping): this sentence is shown.
class RunFailed : public std::runtime_error {
 public:
  RunFailed(const std::string& message, bool unavailable) : std::runtime_error(message), unavailable_(unavailable) {}
  bool unavailable() const { return unavailable_; }

 private:
  bool unavailable_;
};

struct RunnerSettings {
  std::filesystem::path program;  // this executable, run as `program run ...`
  std::filesystem::path script;   // scripts/breachsim_live.py
  std::string python;             // the interpreter with h5py, pandas and matplotlib
  std::chrono::seconds time_limit{120};  // for each child process
  int max_replications = 40;
  int queue = 8;  // runs that may wait for their turn; more are refused (503)
};

class Runner {
 public:
  // `folder` must exist and be private to this runner; it is the only place written.
  Runner(std::filesystem::path folder, RunnerSettings settings, const std::vector<LiveScenario>& scenarios);

  // The HTML fragment of the comparison `levers` asks for: remembered, or made now. One run
  // at a time (each uses every core); up to settings.queue other callers wait here, in turn,
  // and beyond them RunFailed (unavailable) says to come back later.
  std::string results(const Levers& levers);

  // Kills the child running now and fails every later call: the server is stopping.
  void stop();

 private:
  struct Job;
  std::filesystem::path baseline_file(const Job& job);
  std::string make_results(const Levers& levers);
  void run_child(const std::vector<std::string>& words, const std::filesystem::path& log, const std::string& what);

  std::filesystem::path folder_;
  RunnerSettings settings_;
  std::map<std::string, models::Sweep> sweeps_;  // by scenario name, read once

  std::mutex run_mutex_;  // one run at a time
  std::atomic<int> in_line_{0};  // callers running or waiting to
  std::map<std::string, std::filesystem::path> baselines_;  // scenario, point, replications -> file
  std::size_t next_folder_ = 0;

  std::mutex cache_mutex_;
  std::map<std::string, std::string> cache_;  // Levers::key() -> fragment
  std::deque<std::string> cache_order_;       // oldest first

  std::atomic<bool> stopping_{false};
  std::atomic<pid_t> child_{0};
};

}  // namespace breachsim::cli::live
