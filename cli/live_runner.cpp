// SPDX-License-Identifier: MIT
#include "cli/live_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace breachsim::cli::live {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t cache_entries = 64;  // fragments are 0.2 to 0.5 MB each
constexpr std::size_t log_tail_bytes = 2000;

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw RunFailed("cannot write " + file.string() + " (is the temporary folder's disk full?)", false);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a child said last, without the private folder's path (the page's reader never sees it).
std::string log_tail(const fs::path& log, const fs::path& folder) {
  std::string text = read_text(log);
  if (text.size() > log_tail_bytes) text = "..." + text.substr(text.size() - log_tail_bytes);
  const std::string prefix = folder.string() + "/";
  for (std::size_t at; (at = text.find(prefix)) != std::string::npos;) text.erase(at, prefix.size());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

class SpawnActions {
 public:
  explicit SpawnActions(const fs::path& log) {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
    posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions_, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions_, 1, 2);
    // A process group of its own: Ctrl-C in the teacher's terminal reaches the server, which
    // kills the child, rather than the child directly.
    // The server ignores SIGPIPE; the child gets the default back.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes_, &defaults);
    posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attributes_, 0);
  }
  ~SpawnActions() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attributes() const { return &attributes_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

}  // namespace

// One request's runs: the point of the scenario, with and without the levers.
struct Runner::Job {
  const models::Scenario* point = nullptr;
  std::string baseline_key;
  models::Scenario baseline, changed;
};

Runner::Runner(fs::path folder, RunnerSettings settings, const std::vector<LiveScenario>& scenarios)
    : folder_(std::move(folder)), settings_(std::move(settings)) {
  for (const LiveScenario& s : scenarios) sweeps_.emplace(s.name, models::load_sweep(s.file.string()));
}

void Runner::stop() {
  stopping_ = true;
  if (const pid_t pid = child_.load(); pid > 0) ::kill(pid, SIGKILL);
}

// Runs `words` with stdout and stderr into `log`, until it exits, overstays the time limit
// (killed: RunFailed, timed out) or the server stops (killed: RunFailed).
void Runner::run_child(const std::vector<std::string>& words, const fs::path& log, const std::string& what) {
  if (stopping_) throw RunFailed("the server is stopping", true);
  std::vector<char*> argv;
  for (const std::string& w : words) argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  const SpawnActions spawn(log);
  pid_t pid = 0;
  if (const int error = ::posix_spawn(&pid, argv[0], spawn.actions(), spawn.attributes(), argv.data(), environ))
    throw RunFailed("cannot start " + words[0] + ": " + std::strerror(error), false);
  child_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + settings_.time_limit;
  int status = 0;
  bool killed = false;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw RunFailed(std::string("lost the child process: ") + std::strerror(errno), false);
    if (!killed && (stopping_ || std::chrono::steady_clock::now() > deadline)) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(killed ? 1 : 20));
  }
  child_ = 0;
  if (killed && stopping_) throw RunFailed("the server is stopping", true);
  if (killed)
    throw RunFailed(what + " took longer than the " + std::to_string(settings_.time_limit.count()) +
                        " s limit (breachsim serve --time-limit): ask for fewer replications",
                    true);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const std::string said = log_tail(log, folder_);
  // Exit 2 from `run` is a config it refused: the levers made something it cannot run.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && words.size() > 1 && words[1] == "run")
    throw LeverError("the simulator refused these levers: " + said);
  throw RunFailed(what + " failed (" +
                      (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                         : "signal " + std::to_string(WTERMSIG(status))) +
                      "): " + said,
                  false);
}

fs::path Runner::baseline_file(const Job& job) {
  if (const auto it = baselines_.find(job.baseline_key); it != baselines_.end()) return it->second;
  const fs::path dir = folder_ / ("baseline-" + std::to_string(baselines_.size()));
  fs::create_directory(dir);
  write_text(dir / "scenario.yaml", models::resolved_yaml(job.baseline));
  run_child({settings_.program.string(), "run", (dir / "scenario.yaml").string(), "--out",
             (dir / "results.h5").string(), "--quiet", "--force"},
            dir / "run.log", "the baseline run");
  return baselines_[job.baseline_key] = dir / "results.h5";
}

std::string Runner::make_results(const Levers& levers) {
  const models::Sweep& sweep = sweeps_.at(levers.scenario);
  std::size_t p = sweep.baseline;
  for (std::size_t i = 0; i < sweep.points.size(); ++i)
    if (sweep.points[i].name == levers.point) p = i;
  Job job;
  Levers unchanged;
  unchanged.scenario = levers.scenario;
  unchanged.replications = levers.replications;
  job.changed = apply_levers(levers, sweep.points[p].scenario, settings_.max_replications);
  job.baseline = apply_levers(unchanged, sweep.points[p].scenario, settings_.max_replications);
  job.baseline_key = levers.scenario + "\n" + std::to_string(p) + "\n" + std::to_string(job.baseline.monte_carlo.replications);
  const fs::path baseline = baseline_file(job);

  const fs::path dir = folder_ / ("request-" + std::to_string(next_folder_++));
  fs::create_directory(dir);
  fs::path changed = baseline;  // nothing changed: the baseline compared with itself, differences 0
  if (levers.changes_anything()) {
    write_text(dir / "scenario.yaml", models::resolved_yaml(job.changed));
    changed = dir / "results.h5";
    run_child({settings_.program.string(), "run", (dir / "scenario.yaml").string(), "--out", changed.string(), "--quiet", "--force"},
              dir / "run.log", "the run with the levers changed");
  }
  const std::string point = sweep.points.size() > 1 ? ", " + sweep.points[p].name : "";
  run_child({settings_.python, settings_.script.string(), baseline.string(), changed.string(), "--out",
             (dir / "fragment.html").string(), "--changes", levers.describe() + " (" + levers.scenario + point + ")"},
            dir / "plot.log", "drawing the plots");
  std::string fragment = read_text(dir / "fragment.html");
  fs::remove_all(dir);  // the fragment is remembered; the changed run's file is not needed again
  return fragment;
}

std::string Runner::results(const Levers& levers) {
  const std::string key = levers.key();
  {
    const std::lock_guard<std::mutex> lock(cache_mutex_);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  // In line: this caller and those before it; one of them runs, the others wait.
  struct InLine {
    std::atomic<int>& count;
    ~InLine() { --count; }
  } const in_line{in_line_};
  if (++in_line_ > settings_.queue + 1)
    throw RunFailed(std::to_string(settings_.queue) +
                        " runs are already waiting for their turn (breachsim serve --queue); try again in a few seconds",
                    true);
  const std::lock_guard<std::mutex> run(run_mutex_);
  {  // made while this caller waited its turn?
    const std::lock_guard<std::mutex> lock(cache_mutex_);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  std::string fragment = make_results(levers);
  const std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_[key] = fragment;
  cache_order_.push_back(key);
  if (cache_order_.size() > cache_entries) {
    cache_.erase(cache_order_.front());
    cache_order_.pop_front();
  }
  return fragment;
}

}  // namespace breachsim::cli::live
