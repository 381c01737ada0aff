// SPDX-License-Identifier: MIT
#include "models/run/layout.hpp"
#include "models/run/run_file.hpp"

#include <tbb/concurrent_queue.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include "models/run/queue_growth.hpp"
#include "models/run/scenario.hpp"
#include "sim/runner.hpp"

namespace breachsim::models {

namespace {

// The points whose reference p is: RunSpec::compared, or worked out for a spec without it.
std::vector<std::size_t> compared_with(const RunSpec& spec, std::size_t p) {
  if (!spec.compared.empty()) return spec.compared.at(p);
  return compared_points(spec.table, spec.points.size()).at(p);
}

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Chunks span replications: a block of them per chunk of one metric (results/FORMAT.md).
constexpr int replication_dimension = 1;

// A task's finished outcome on its way from a worker to the writer; `last` ends the queue,
// `save_now` (no outcome) asks the writer to save the finished tasks at once.
struct Finished {
  std::size_t point = 0, replication = 0;
  ReplicationOutcome outcome;
  bool last = false;
  bool save_now = false;
};

// The queue's pages come from std::allocator rather than TBB's cache-aligned allocator, which
// frees and hands out pages again inside TBB's own uninstrumented allocator (tbbmalloc), unseen by
// ThreadSanitizer: a page the writer emptied and the stop watcher's try_push then got again was
// reported as a race on the reused memory (clean-clone CI on b97bd10, cli.progress_terminal, once
// in many runs). operator new is intercepted, so the reuse is seen. A few pages a run: no cost.
using FinishedQueue = tbb::concurrent_bounded_queue<Finished, std::allocator<Finished>>;

// Once `stop` is set, puts a save_now mark in the writer's queue, so that every task finished
// before the signal is in the file within moments, not at the next periodic flush: a second
// signal ends the process at once, and under mpirun the ranks are killed
// odls_base_sigkill_timeout seconds (1 by default) after the signal reaches them.
class StopWatcher {
 public:
  StopWatcher(const std::atomic<bool>& stop, FinishedQueue& queue)
      : thread_([this, &stop, &queue] { watch(stop, queue); }) {}
  StopWatcher(const StopWatcher&) = delete;
  StopWatcher& operator=(const StopWatcher&) = delete;
  ~StopWatcher() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void watch(const std::atomic<bool>& stop, FinishedQueue& queue) {
    // A signal handler can only set a flag, so the flag is polled; the writer's end wakes it.
    constexpr auto poll = std::chrono::milliseconds(50);
    Finished mark;
    mark.save_now = true;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, poll, [this] { return done_; })) {
      // try_push: never blocks on a full queue, whose writer may have ended.
      if (stop.load(std::memory_order_relaxed) && queue.try_push(mark)) return;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

// The task's months in the file's layouts: per metric a [trust][month] block (the outcome's
// own layout) and the national [month] series, which is left in `national` ([metric][month])
// for the summary.
void write_task(sim::ResultFile& file, const RunSpec& spec, std::size_t p, std::size_t r, const RunOutcome& one,
                std::vector<double>& national) {
  const std::uint64_t T = one.trusts, M = one.months;
  const std::vector<double>& values = one.runs[0].values;
  national.resize(metric_count * M);
  for (std::size_t mi = 0; mi < metric_count; ++mi) {
    const MetricInfo& m = metric_catalogue[mi];
    if (spec.detail == Detail::trust)
      file.write_slab(layout::trust_month(m.name), {p, r, 0, 0}, {1, 1, T, M}, values.data() + mi * T * M);
    double* series = national.data() + mi * M;
    for (std::size_t month = 0; month < M; ++month) series[month] = one.national_month(static_cast<Metric>(mi), 0, month);
    file.write_slab(layout::national_month(m.name), {p, r, 0}, {1, 1, M}, series);
  }
  // A reference point's task levies the sanctions of the points compared with it on its breaches.
  const std::vector<double>& levy = one.runs[0].first_round_levy;
  const std::vector<std::size_t> compared = compared_with(spec, p);
  if (!levy.empty() && compared.size() == spec.points.size()) {  // every point: one column
    file.write_slab(layout::first_round_levy, {0, r}, {levy.size(), 1}, levy.data());
  } else {
    for (std::size_t k = 0; k < levy.size(); ++k)
      file.write_slab(layout::first_round_levy, {compared[k], r}, {1, 1}, &levy[k]);
  }
  if (const std::uint64_t F = one.runs[0].footprint_outturn.size() / M; F > 0) {
    file.write_slab(layout::footprint_outturn, {p, r, 0, 0}, {1, 1, F, M}, one.runs[0].footprint_outturn.data());
    file.write_slab(layout::footprint_plan, {p, r, 0, 0}, {1, 1, F, M}, one.runs[0].footprint_plan.data());
  }
  if (spec.detail == Detail::trust) {
    const auto& schemes = spec.points[p]->finance.schemes;
    for (std::size_t s = 0; s < schemes.size(); ++s)
      file.write_slab(layout::scheme_fines(schemes[s].name), {p, r, 0, 0}, {1, 1, T, M},
                      one.runs[0].scheme_fines.data() + s * T * M);
  }
}

// The task's whole-run values into `runs`, from the national series write_task left.
void record(NationalRuns& runs, const RunSpec& spec, std::size_t p, std::size_t r, const RunOutcome& one,
            const std::vector<double>& national) {
  const std::size_t T = runs.trusts, M = one.months, Y = runs.years.size();
  std::vector<double> attendances(T), breaches(T), plan_met(T * Y), cip_share(T * Y);
  for (std::size_t t = 0; t < T; ++t) {
    attendances[t] = one.trust_run(Metric::ed_attendances, 0, t);
    breaches[t] = one.trust_run(Metric::ed_breaches_4h, 0, t);
    for (std::size_t y = 0; y < Y; ++y) {
      plan_met[t * Y + y] = one.trust_month(Metric::control_total_met, 0, t, runs.years.last_month[y]);
      cip_share[t * Y + y] = one.trust_month(Metric::cip_delivered_share, 0, t, runs.years.last_month[y]);
    }
  }
  runs.record(
      p, r, M, [&](std::size_t metric, std::size_t month) { return national[metric * M + month]; }, attendances.data(),
      breaches.data(), plan_met.data(), cip_share.data());
  std::vector<std::uint8_t> growing(runs.growth_slots());
  if (T > 0) {
    for (std::size_t t = 0; t < T; ++t)
      growing[t] = growing_queues([&](Metric m, std::size_t month) { return one.trust_month(m, 0, t, month); }, M);
  } else {
    growing[0] = growing_queues(
        [&](Metric m, std::size_t month) { return national[static_cast<std::size_t>(m) * M + month]; }, M);
  }
  runs.record_growth(p, r, growing.data());
  if (!one.runs[0].first_round_levy.empty())
    runs.record_first_round(r, compared_with(spec, p), one.runs[0].first_round_levy);
  if (runs.footprints() > 0)
    runs.record_footprints(p, r, M, one.runs[0].footprint_outturn.data(), one.runs[0].footprint_plan.data());
}

// Footprints are few and their series short: kept whatever output.detail says.
void create_footprint_arrays(sim::ResultFile& file, std::uint64_t P, std::uint64_t R, std::uint64_t F, std::uint64_t M) {
  if (F == 0) return;
  const std::pair<const char*, const char*> arrays[] = {
      {layout::footprint_outturn,
       "the footprint's outturn in the financial year to date: its trusts' surplus plus its commissioners' "
       "allocation to date less their spending; at a financial year's last month, the year's"},
      {layout::footprint_plan,
       "the footprint's plan in the financial year to date: its trusts' control totals plus its commissioners' "
       "planned surpluses, pro rata to the months of the year settled"}};
  for (const auto& [path, description] : arrays)
    file.create_array(path, {P, R, F, M}, sim::DType::float64,
                      {"GBP", description, {"point", "replication", "footprint", "month"}, {{"aggregation", "sum"}},
                       replication_dimension, true});
}

// The disk a result file needs, at least: each dataset's own metadata (object header,
// attributes, chunk index: 1.5 to 2 KB measured) and each task's values, compressed (shuffle
// and deflate gave 3 to 5 times on the shipped scenarios; 6 here, so that the estimate errs
// low: a run it refuses would not have fitted).
struct FileSize {
  std::uint64_t fixed = 0, per_task = 0;
};

FileSize estimated_size(const RunSpec& spec) {
  const ScenarioSetup& setup = *spec.points.front();
  const std::uint64_t T = setup.trusts(), M = setup.months(), F = setup.footprints(), S = setup.schemes();
  const bool trusts = spec.detail == Detail::trust;
  const std::uint64_t values = metric_count * M + (trusts ? (metric_count + S) * T * M : 0) + 2 * F * M +
                               spec.points.size();  // the baseline's first-round levy, one per point
  const std::uint64_t datasets = metric_count * (trusts ? 2 : 1) + (trusts ? S : 0) + (F > 0 ? 2 : 0) + 16;
  return {datasets * 1500, values * sizeof(double) / 6 + 1};
}

// Refuses, before the first of `tasks` runs, a disk without room for them and for the copy
// finish_streaming() makes of the whole file (`extent` replications), and with `layout`, for
// the new file's layout too.
void require_room(sim::ResultFile& file, const RunSpec& spec, std::size_t tasks, std::size_t extent, bool layout) {
  const FileSize size = estimated_size(spec);
  const std::uint64_t copy = size.fixed + spec.points.size() * extent * size.per_task;
  file.require_free_space((layout ? size.fixed : 0) + tasks * size.per_task + copy,
                          (layout ? "the new file, its " : "the ") + std::to_string(tasks) +
                              (layout ? " tasks" : " tasks left") + " and the final copy of the file");
}

}  // namespace

void write_layout(sim::ResultFile& file, const RunSpec& spec, std::size_t extent) {
  const ScenarioSetup& setup = *spec.points.front();
  const std::uint64_t P = spec.points.size(), R = extent, T = setup.trusts(), M = setup.months();
  std::size_t tasks = 0;
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t r = 0; r < R; ++r) tasks += spec.selected(p, r) ? 1 : 0;
  require_room(file, spec, tasks, extent, true);
  write_static(file, spec.points, spec.table,
               {spec.command_line, spec.seed, spec.threads, spec.shard ? spec.shard->text() : std::string()}, extent);
  for (const MetricInfo& m : metric_catalogue) {
    const sim::DType type = m.integer ? sim::DType::int64 : sim::DType::float64;
    if (spec.detail == Detail::trust)
      file.create_array(layout::trust_month(m.name), {P, R, T, M}, type,
                        {m.unit, m.description, {"point", "replication", "trust", "month"},
                         {{"aggregation", aggregation_rule(m)}}, replication_dimension, true});
    file.create_array(layout::national_month(m.name), {P, R, M}, type,
                      {m.unit, m.description, {"point", "replication", "month"}, {{"aggregation", aggregation_rule(m)}},
                       replication_dimension, true});
  }
  if (spec.detail == Detail::trust)
    for (const Scheme& sc : setup.finance.schemes)
      file.create_array(layout::scheme_fines(sc.name), {P, R, T, M}, sim::DType::float64,
                        {"GBP", "fines levied by this scheme, after caps, waivers and suspensions",
                         {"point", "replication", "trust", "month"}, {{"aggregation", "sum"}}, replication_dimension,
                         true});
  create_footprint_arrays(file, P, R, setup.footprints(), M);
  file.create_array(layout::first_round_levy, {P, R}, sim::DType::float64,
                    {"GBP",
                     "the point's sanctions levied on the baseline point's breaches of the replication, over the run "
                     "and all trusts, as if nobody responded (at the baseline, its own fines); less the baseline's "
                     "fines, the first-round fines of the deficit multiplier. NaN until the baseline's task has run",
                     {"point", "replication"}, {{"aggregation", "sum"}}, replication_dimension, true,
                     std::numeric_limits<double>::quiet_NaN()});
  file.create_array(layout::progress, {P, R}, sim::DType::int8,
                    {"flag", "1 where the (point, replication) task is complete", {"point", "replication"}, {}, 1, true});
}

void extend_replications(sim::ResultFile& file, const RunSpec& spec, std::size_t extent) {
  for (const MetricInfo& m : metric_catalogue) {
    if (spec.detail == Detail::trust) file.extend(layout::trust_month(m.name), replication_dimension, extent);
    file.extend(layout::national_month(m.name), replication_dimension, extent);
  }
  if (spec.detail == Detail::trust)
    for (const Scheme& sc : spec.points.front()->finance.schemes)
      file.extend(layout::scheme_fines(sc.name), replication_dimension, extent);
  file.extend(layout::first_round_levy, replication_dimension, extent);
  if (spec.points.front()->footprints() > 0) {
    file.extend(layout::footprint_outturn, replication_dimension, extent);
    file.extend(layout::footprint_plan, replication_dimension, extent);
  }
  file.extend(layout::progress, 1, extent);
}

ReplicationOutcome simulate_task(const RunSpec& spec, std::size_t p, std::size_t r, sim::TaskProgress* progress) {
  const TaskLabel label{"point " + std::to_string(p) + " '" + spec.table.names[p] + "'",
                        spec.rerun_command ? spec.rerun_command(p, r) : std::string()};
  // A reference's tasks levy the sanctions of the points compared with it in the shadow
  // (first-round fines); other tasks levy none.
  std::vector<const ScenarioSetup*> shadow;
  for (const std::size_t q : compared_with(spec, p)) shadow.push_back(spec.points[q]);
  return simulate_replication(*spec.points[p], spec.seed, static_cast<std::uint32_t>(r), shadow, progress, label);
}

StreamReport stream_tasks(sim::ResultFile& file, const RunSpec& spec, NationalRuns prior, std::size_t first,
                          std::size_t last, const std::atomic<bool>& stop,
                          const std::function<void(std::uint64_t)>& on_task, sim::TaskProgress* progress) {
  const auto start = Clock::now();
  StreamReport report;
  report.runs = std::move(prior);
  NationalRuns& runs = report.runs;

  std::vector<std::pair<std::size_t, std::size_t>> todo;
  for (std::size_t p = 0; p < spec.points.size(); ++p)
    for (std::size_t r = first; r < last; ++r)
      if (!runs.finished(p, r) && spec.selected(p, r)) todo.emplace_back(p, r);
  // Replication-major, so the points' chunks fill side by side at the pace of the replications.
  std::stable_sort(todo.begin(), todo.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  require_room(file, spec, todo.size(), last, false);

  const int threads = spec.threads > 0 ? spec.threads : sim::default_concurrency();
  FinishedQueue queue;
  queue.set_capacity(2 * threads + 2);  // finished tasks waiting for the writer: bounded memory
  std::atomic<bool> abandon{false};     // the writer failed: stop starting tasks
  std::exception_ptr worker_error;
  std::thread producer([&] {
    try {
      const auto stopping = [&] {
        return stop.load(std::memory_order_relaxed) || abandon.load(std::memory_order_relaxed);
      };
      if (spec.farm) {
        spec.farm->run(spec, todo, stopping, [&](std::size_t i, ReplicationOutcome&& outcome) {
          // Another process simulated it: its months count for the progress when it arrives.
          if (progress) progress->add(spec.points[todo[i].first]->task_months(), outcome.events);
          queue.push(Finished{todo[i].first, todo[i].second, std::move(outcome), false});
        });
      } else {
        sim::run_tasks(todo.size(), threads, [&](std::size_t i) {
          if (stopping()) return;
          const auto [p, r] = todo[i];
          queue.push(Finished{p, r, simulate_task(spec, p, r, progress), false});
        });
      }
    } catch (...) {
      worker_error = std::current_exception();
    }
    Finished end;
    end.last = true;
    queue.push(std::move(end));
  });

  // A task is marked complete only after a flush that followed its data (ResultFile's rule),
  // so a crash can lose tasks but never mark one that is not in the file.
  std::vector<std::pair<std::size_t, std::size_t>> unmarked;
  auto flush_and_mark = [&] {
    file.flush();
    const std::int8_t one = 1;
    for (const auto& [p, r] : unmarked) file.write_slab(layout::progress, {p, r}, {1, 1}, &one);
    unmarked.clear();
    file.flush();
  };
  std::exception_ptr writer_error;
  std::vector<double> national;
  auto last_flush = Clock::now();
  std::optional<StopWatcher> watcher(std::in_place, stop, queue);
  for (;;) {
    Finished f;
    queue.pop(f);
    if (f.last) break;
    if (writer_error) continue;  // drain, so no worker blocks on a full queue
    try {
      const auto t0 = Clock::now();
      if (f.save_now) {
        if (!unmarked.empty()) flush_and_mark();
        last_flush = Clock::now();
        report.write_seconds += since(t0);
        continue;
      }
      RunOutcome one;
      one.replications = 1;
      one.trusts = spec.points[f.point]->trusts();
      one.months = spec.points[f.point]->months();
      one.schemes = spec.points[f.point]->schemes();
      one.runs.push_back(std::move(f.outcome));
      write_task(file, spec, f.point, f.replication, one, national);
      unmarked.emplace_back(f.point, f.replication);
      if (since(last_flush) >= spec.flush_seconds) {
        flush_and_mark();
        last_flush = Clock::now();
      }
      report.write_seconds += since(t0);
      const std::uint64_t events = one.runs[0].events;
      report.events += events;
      ++report.finished;
      record(runs, spec, f.point, f.replication, one, national);
      if (on_task) on_task(events);
    } catch (...) {
      writer_error = std::current_exception();
      abandon = true;
    }
  }
  watcher.reset();
  producer.join();
  if (writer_error) std::rethrow_exception(writer_error);
  const auto t0 = Clock::now();
  flush_and_mark();
  report.write_seconds += since(t0);
  if (worker_error) std::rethrow_exception(worker_error);
  report.stopped = report.finished < todo.size();
  report.seconds = since(start);
  return report;
}

std::vector<std::vector<std::size_t>> compared_points(const PointsTable& table, std::size_t points) {
  std::vector<std::vector<std::size_t>> compared(points);
  for (std::size_t p = 0; p < points; ++p) compared.at(table.reference(p)).push_back(p);
  return compared;
}

}  // namespace breachsim::models
