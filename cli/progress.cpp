// SPDX-License-Identifier: MIT
#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace breachsim::cli {

namespace {

constexpr auto tick_interval = std::chrono::milliseconds(250);
// A log hears at least this often that a long run is alive, between tenths of the work.
constexpr auto line_interval = std::chrono::seconds(60);

// The terminal's width, asked each time the bar is drawn so that it follows a resize.
std::size_t terminal_columns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long n = std::strtol(columns, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 80;
}

// "4.2 s", "45 s", "12 min 05 s", "3 h 20 min".
std::string duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (seconds < 9.95)
    std::snprintf(buf, sizeof buf, "%.1f s", std::max(0.0, seconds));
  else if (s < 60)
    std::snprintf(buf, sizeof buf, "%ld s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, s % 3600 / 60);
  return buf;
}

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  char buf[256];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(buf, sizeof buf, pattern, args);
  va_end(args);
  return buf;
}

}  // namespace

ProgressStyle progress_style(bool quiet) {
  if (quiet) return ProgressStyle::silent;
  return isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
}

// The batch's progress at one moment: the share of its months simulated (tasks in flight
// included), and what the display says beside it.
struct Progress::Snapshot {
  double fraction = 0.0;
  std::size_t tasks_done = 0, tasks = 0;
  std::uint64_t months_done = 0, months = 0;
  double events_per_second = 0.0, elapsed = 0.0;

  bool eta_known() const { return fraction > 0.0 && fraction < 1.0; }
  double eta() const { return elapsed * (1.0 - fraction) / fraction; }
};

Progress::Progress(ProgressStyle style, const sim::TaskProgress& work, const std::atomic<bool>& stop,
                   std::function<std::string()> stop_notice, std::string label)
    : style_(style), work_(work), stop_(stop), stop_notice_(std::move(stop_notice)), label_(std::move(label)) {
  ticker_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  ticker_.join();
}

void Progress::batch_started(std::size_t tasks, std::uint64_t months) {
  std::lock_guard<std::mutex> lock(mutex_);
  in_batch_ = tasks > 0;
  tasks_ = tasks;
  months_ = months;
  tasks_done_ = 0;
  months_before_ = work_.steps.load(std::memory_order_relaxed);
  events_before_ = work_.events.load(std::memory_order_relaxed);
  batch_start_ = last_line_ = Clock::now();
  last_tenth_ = 0;
}

void Progress::batch_finished() {
  std::lock_guard<std::mutex> lock(mutex_);
  // A stop the ticker has not seen yet (the tasks in flight ended within a tick of it) is
  // still said: the file is about to be saved.
  if (stop_.load() && !acknowledged_) acknowledge_stop();
  if (in_batch_ && !acknowledged_) {
    if (style_ == ProgressStyle::bar) clear_bar();
    if (style_ == ProgressStyle::lines) print_line(snapshot());
  }
  in_batch_ = false;
}

Progress::Snapshot Progress::snapshot() const {
  Snapshot s;
  s.tasks = tasks_;
  s.tasks_done = std::min(tasks_done_.load(), tasks_);
  s.months = months_;
  s.months_done = std::min(work_.steps.load(std::memory_order_relaxed) - months_before_, months_);
  s.fraction = months_ > 0 ? static_cast<double>(s.months_done) / static_cast<double>(months_) : 1.0;
  s.elapsed = std::chrono::duration<double>(Clock::now() - batch_start_).count();
  const auto events = work_.events.load(std::memory_order_relaxed) - events_before_;
  s.events_per_second = s.elapsed > 0 ? static_cast<double>(events) / s.elapsed : 0.0;
  return s;
}

void Progress::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, tick_interval, [this] { return quit_; })) {
    if (acknowledged_) continue;
    if (stop_.load())
      acknowledge_stop();
    else if (in_batch_)
      tick();
  }
}

// Stopping can take as long as the longest task in flight: say so at once, and stop drawing
// a bar that would only seem stuck.
void Progress::acknowledge_stop() {
  clear_bar();
  std::fprintf(stderr, "%s\n", stop_notice_().c_str());
  std::fflush(stderr);
  acknowledged_ = true;
}

void Progress::tick() {
  const Snapshot s = snapshot();
  if (style_ == ProgressStyle::bar) {
    draw_bar(s);
  } else if (style_ == ProgressStyle::lines) {
    // Tenths 1 to 9 here; the whole batch's line comes from batch_finished, so a tick that
    // finds every month simulated (the last tasks still being saved) prints nothing: it
    // would be a second 100% line.
    if (s.months_done >= s.months) return;
    const int tenth = std::min(9, static_cast<int>(s.fraction * 10.0));
    if (tenth > last_tenth_ || Clock::now() - last_line_ >= line_interval) {
      last_tenth_ = std::max(last_tenth_, tenth);
      print_line(s);
    }
  }
}

// "breachsim:  40% (1 of 2 tasks finished, 21 of 52 months simulated), 8.1 million events/s,
// 20 s elapsed, ETA 30 s", after the label if there is one ("breachsim: shard 2/8:  40% ...").
void Progress::print_line(const Snapshot& s) {
  std::string line = format(
      "breachsim: %s%3d%% (%zu of %zu tasks finished, %llu of %llu months simulated), "
      "%.1f million events/s, %s elapsed",
      label_.empty() ? "" : (label_ + ": ").c_str(), static_cast<int>(s.fraction * 100.0), s.tasks_done, s.tasks, static_cast<unsigned long long>(s.months_done),
      static_cast<unsigned long long>(s.months), s.events_per_second / 1e6, duration(s.elapsed).c_str());
  if (s.eta_known()) line += ", ETA " + duration(s.eta());
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  last_line_ = Clock::now();
}

// "[=========>          ]  45% 0/2 tasks, 12/26 months, 8.1 M events/s, ETA 1 min 05 s", with
// the details that do not fit the terminal dropped (last first) and the bar shortened, so the
// line never reaches the last column (where a terminal would wrap it).
void Progress::draw_bar(const Snapshot& s) {
  const std::size_t columns = terminal_columns() - 1;
  const std::string percent = format("%3d%%", static_cast<int>(s.fraction * 100.0));
  const std::string eta = s.eta_known() ? ", ETA " + duration(s.eta()) : "";
  const std::string tasks = format(" %zu/%zu tasks", s.tasks_done, s.tasks);
  const std::string texts[] = {
      percent + tasks +
          format(", %llu/%llu months, %.1f M events/s", static_cast<unsigned long long>(s.months_done),
                 static_cast<unsigned long long>(s.months), s.events_per_second / 1e6) +
          eta,
      percent + tasks + eta, percent + eta, percent};
  constexpr std::size_t min_bar = 10, max_bar = 30;
  std::string line = percent.substr(0, columns);
  for (const std::string& text : texts) {
    if (text.size() + min_bar + 3 > columns) continue;
    const std::size_t width = std::min(max_bar, columns - text.size() - 3);
    const auto filled = static_cast<std::size_t>(s.fraction * static_cast<double>(width));
    std::string bar(filled, '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    line = "[" + bar + "] " + text;
    break;
  }
  const std::size_t previous = std::min(drawn_, columns);
  drawn_ = line.size();
  if (previous > line.size()) line.append(previous - line.size(), ' ');  // over the longer line before
  std::fprintf(stderr, "\r%s", line.c_str());
  std::fflush(stderr);
}

void Progress::clear_bar() {
  if (drawn_ == 0) return;
  std::fprintf(stderr, "\r%s\r", std::string(drawn_, ' ').c_str());
  std::fflush(stderr);
  drawn_ = 0;
}

}  // namespace breachsim::cli
