// SPDX-License-Identifier: MIT
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "sim/task_progress.hpp"

namespace breachsim::cli {

enum class ProgressStyle {
  bar,     // a terminal: one line redrawn four times a second, fitted to the terminal's width
  lines,   // a log or a batch job: a plain line at each tenth of the work, and at least once a minute
  silent,  // --quiet
};
// The bar when stderr is a terminal, otherwise lines; silent when quiet.
ProgressStyle progress_style(bool quiet);

// A run's progress on stderr, from before its first batch to after its last. A ticker thread
// reads the months and events the running tasks have added to `work` (so a long task shows
// movement before it ends) and the tasks the writer has finished. Once `stop` is set (Ctrl-C)
// it draws no more and prints, whatever the style, what `stop_notice` says happens next.
class Progress {
 public:
  // `label` ("shard 2/8 (SLURM job 4711_2)") starts every line of a log, so that the lines of
  // many processes gathered in one place say whose they are; empty: none.
  Progress(ProgressStyle style, const sim::TaskProgress& work, const std::atomic<bool>& stop,
           std::function<std::string()> stop_notice, std::string label = "");
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Before each batch: its tasks and the months they simulate (BatchObserver::batch_started).
  void batch_started(std::size_t tasks, std::uint64_t months);
  // On the writer thread, after each task is written.
  void task_done() { ++tasks_done_; }
  // After each batch: the bar is cleared (what follows goes to a clean line); a log gets the
  // batch's last line.
  void batch_finished();

 private:
  using Clock = std::chrono::steady_clock;
  struct Snapshot;
  Snapshot snapshot() const;
  void loop();
  void tick();
  void draw_bar(const Snapshot& s);
  void print_line(const Snapshot& s);
  void clear_bar();
  void acknowledge_stop();

  const ProgressStyle style_;
  const sim::TaskProgress& work_;
  const std::atomic<bool>& stop_;
  const std::function<std::string()> stop_notice_;
  const std::string label_;
  std::atomic<std::size_t> tasks_done_{0};
  // Guarded by mutex_: the batch being shown and what has been drawn of it.
  std::mutex mutex_;
  std::condition_variable wake_;
  bool quit_ = false, in_batch_ = false, acknowledged_ = false;
  std::size_t tasks_ = 0;
  std::uint64_t months_ = 0, months_before_ = 0, events_before_ = 0;
  Clock::time_point batch_start_, last_line_;
  int last_tenth_ = 0;
  std::size_t drawn_ = 0;  // characters of the bar on screen
  std::thread ticker_;
};

}  // namespace breachsim::cli
