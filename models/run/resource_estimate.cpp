// SPDX-License-Identifier: MIT
#include "models/run/resource_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <thread>
#include <vector>

#include "models/care/cancer.hpp"
#include "models/care/ed.hpp"
#include "models/care/electives.hpp"
#include "models/run/metrics.hpp"
#include "models/run/summary.hpp"
#include "sim/byte_count.hpp"
#include "sim/memory_limit.hpp"
#include "sim/result_file.hpp"

namespace breachsim::models {

namespace {

// Rates measured on this code (Release, glibc malloc, peak resident memory from getrusage;
// runs of 50 copies of the teaching trust with 0 to 40,000 listed, 1 and 12 months, 1 and
// 20 sweep points; the teaching trust alone over 12 to 120 months at 1 to 8 sweep points; the
// England scenario on 1 and 2 threads). They reproduce those runs within 16% (England, 138
// trusts x 15 months on 2 threads and 2 replications: 568 MB estimated, 492 MB measured);
// tests/resource_estimate.py keeps them within 35% of what runs use. The per-point rates were
// measured again once sweep points shared their rate tables (the teaching trust at 1, 4 and 16
// points over 3 and 123 months, the shipped sensitivity study at 40 to 1,280 points), and the
// per-point-month rate once the writer's chunk cache was counted apart (streaming_chunk_bytes):
// what was 20 kB a point-month was mostly chunks, which stop growing at 1 MiB a dataset.
constexpr double base_bytes = 25e6;                 // the program, HDF5, TBB: an empty run
constexpr double point_bytes = 33e3;                // a point's own parameters and tables
constexpr double trust_config_bytes = 42e3;         // and each trust's, per point
constexpr double point_month_bytes = 1.5e3;         // a point's own series, per simulated month
// One hourly rate table (ED arrivals, elective or cancer referrals) a simulated month: a double
// an hour. Points and trusts with equal tables hold one (sim::RateTablePool).
constexpr double rate_table_month_bytes = 8 * 24 * 365.25 / 12;
constexpr double sweep_month_bytes = 75e3;          // a sweep's pairing with its baseline, per simulated month
constexpr double trust_state_bytes = 0.5e6;         // one trust's departments, wards and staff in a task
constexpr double trust_month_state_bytes = 33e3;    // what a task's trust accumulates a month (records, ids)
constexpr double listed_patient_bytes = 66;         // a patient on the waiting list (entry, held stage, index)
constexpr double config_text_factor = 110;          // yaml-cpp nodes per byte of YAML: 3.2 GB for 30 MB

// Events per trust-month, counted by kind in runs of the teaching trust and of the default
// scenario's five trusts (whose every volume and capacity scale with their attendances), so
// that the estimate holds for trusts of any size whose queues stay within capacity. An
// attendance is two events (arrival, the clinician's decision) and an admitted patient about
// 1.25 more (the ward discharge, and the readmissions that come back through A&E); a referral
// is its clock start plus the discharges of those it puts in a bed; a cancer referral adds
// the decisions and treatments of the few diagnosed. The fixed part is the A&E roster's
// changes and the weekdays' theatre, clinic and diagnostic lists.
constexpr double fixed_events_per_month = 670;
constexpr double events_per_attendance = 2.0;
constexpr double events_per_admission = 1.25;
constexpr double events_per_referral = 1.24;
constexpr double events_per_cancer_referral = 1.10;
constexpr double weeks_per_month = 52.1775 / 12;
// Wall time per event on one thread, the England replication-year (7.6 s on 2 threads,
// 59 million events) of the Release build with LTO.
constexpr double seconds_per_event = 260e-9;

struct Volumes {
  double task_bytes = 0, events_per_task = 0;
};

Volumes trust_volumes(const Scenario& s) {
  const double months = s.scenario.months + s.scenario.warmup_months;
  Volumes v;
  for (const TrustParams& t : s.trusts) {
    const double referrals = t.elective.referrals_per_week * weeks_per_month * months;
    v.task_bytes +=
        trust_state_bytes + trust_month_state_bytes * months + listed_patient_bytes * t.elective.initial_list;
    v.events_per_task += months * fixed_events_per_month + events_per_referral * referrals +
                         (events_per_attendance + events_per_admission * t.ed.admission_share) *
                             t.ed.arrivals_per_year / 12 * months +
                         events_per_cancer_referral * t.cancer.urgent_referrals_per_week * weeks_per_month * months;
  }
  return v;
}

// What the writer holds while it streams: HDF5's chunk cache keeps, for each outcome dataset,
// the chunk being filled (a block of replications of every point, up to 1 MiB: results/FORMAT.md),
// so this grows with the points and months until the chunks reach that size, then stays. Counted
// whole: the Morris and Sobol studies and long sweeps measured so (their chunks' rows interleave
// within pages); a run of one point and a few replications holds less (England with trust
// detail at 2 replications took 15 MB more than with national detail, where 44 MB are counted).
double streaming_chunk_bytes(std::uint64_t P, std::uint64_t T, std::uint64_t M, std::uint64_t F, double S,
                             bool trust_detail) {
  sim::ArrayInfo streamed;  // as run_file.cpp creates the outcome datasets
  streamed.chunk_dimension = 1;
  streamed.growable = true;
  const auto chunk_bytes = [&](std::vector<std::uint64_t> dims) {
    double bytes = 8;
    for (const std::uint64_t d : sim::array_chunk_shape(dims, streamed, sim::DType::float64))
      bytes *= static_cast<double>(d);
    return bytes;
  };
  double bytes = metric_count * chunk_bytes({P, 1, M});
  if (trust_detail) bytes += (metric_count + S) * chunk_bytes({P, 1, T, M});
  if (F > 0) bytes += 2 * chunk_bytes({P, 1, F, M});
  return bytes;
}

std::string duration_text(double seconds) {
  char text[64];
  if (seconds < 60) std::snprintf(text, sizeof text, "%.0f s", std::max(1.0, seconds));
  else if (seconds < 3600) std::snprintf(text, sizeof text, "%.0f min", seconds / 60);
  else if (seconds < 48 * 3600) std::snprintf(text, sizeof text, "%.1f h", seconds / 3600);
  else std::snprintf(text, sizeof text, "%.0f days", seconds / 86400);
  return text;
}

// Tasks run one per thread: the wall time of `thread_seconds` of work in `tasks` tasks.
double wall_seconds(double thread_seconds, int threads, double tasks) {
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  return thread_seconds / std::max(1.0, std::min({static_cast<double>(threads), cores, tasks}));
}

std::string count_text(double n) {
  char text[64];
  if (n >= 1e9) std::snprintf(text, sizeof text, "%.3g billion", n / 1e9);
  else if (n >= 1e6) std::snprintf(text, sizeof text, "%.3g million", n / 1e6);
  else std::snprintf(text, sizeof text, "%.0f", n);
  return text;
}

}  // namespace

double rate_table_months(const Sweep& sweep) {
  std::set<std::vector<double>> distinct;
  double months = 0;
  for (const SweepPoint& point : sweep.points) {
    const ScenarioSection& c = point.scenario.scenario;
    const std::vector<double> calendar{static_cast<double>(c.first_month.year), static_cast<double>(c.first_month.month),
                                       static_cast<double>(c.warmup_months), static_cast<double>(c.months)};
    for (const TrustParams& t : point.scenario.trusts)
      for (const std::vector<double>& inputs :
           {arrival_rate_inputs(t.ed), referral_rate_inputs(t.elective), referral_rate_inputs(t.cancer)}) {
        std::vector<double> key = calendar;
        key.insert(key.end(), inputs.begin(), inputs.end());
        if (distinct.insert(std::move(key)).second) months += c.months + c.warmup_months;
      }
  }
  return months;
}

double config_reading_bytes(std::uint64_t bytes) { return config_text_factor * static_cast<double>(bytes); }

ResourceEstimate estimate_resources(const Sweep& sweep, int threads) {
  const Scenario& first = sweep.points.front().scenario;
  const double P = static_cast<double>(sweep.points.size()), T = static_cast<double>(first.trusts.size());
  const double task_months = first.scenario.months + first.scenario.warmup_months;
  const MonteCarloSection& mc = first.monte_carlo;
  const bool adaptive = mc.target_half_width > 0;
  const double most = adaptive ? std::max(mc.replications, mc.max_replications) : mc.replications;
  const double batch = mc.replications;

  ResourceEstimate e;
  e.threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  e.base_bytes = base_bytes;
  e.scenario_bytes = P * (point_bytes + T * trust_config_bytes + task_months * point_month_bytes) +
                     rate_table_month_bytes * rate_table_months(sweep) + (P > 1 ? sweep_month_bytes * task_months : 0.0);
  double task_bytes = 0, events = 0;
  for (const SweepPoint& point : sweep.points) {
    const Volumes v = trust_volumes(point.scenario);
    task_bytes = std::max(task_bytes, v.task_bytes);
    events += v.events_per_task * batch;
  }
  // A finished task's values wait for the writer beside the ones running: two per thread.
  const double Y = static_cast<double>(financial_years(first.scenario.first_month,
                                                       static_cast<std::size_t>(first.scenario.months)).size());
  const double F = static_cast<double>(first.footprints.size()), S = static_cast<double>(sweep.schemes.size());
  const double outcome_bytes = 8 * (metric_count + S) * T * first.scenario.months;
  e.tasks_at_once = static_cast<std::size_t>(std::min<double>(e.threads, P * batch));
  e.task_bytes = task_bytes + 2 * outcome_bytes;
  e.results_bytes = 8 * P * most * (metric_count + T * (1 + 2 * Y) + 2 * F * Y + 2);
  e.writer_bytes = streaming_chunk_bytes(sweep.points.size(), first.trusts.size(), first.scenario.months,
                                         first.footprints.size(), S, first.output.detail != "national");
  e.peak_bytes = e.base_bytes + e.scenario_bytes + static_cast<double>(e.tasks_at_once) * e.task_bytes +
                 e.results_bytes + e.writer_bytes;
  e.events = events;
  e.thread_seconds = events * seconds_per_event;
  e.tasks = P * batch;
  e.seconds = wall_seconds(e.thread_seconds, e.threads, e.tasks);
  return e;
}

ResourceEstimate ResourceEstimate::share(std::size_t part, std::size_t total) const {
  if (total == 0 || part >= total) return *this;
  ResourceEstimate e = *this;
  const double fraction = static_cast<double>(part) / static_cast<double>(total);
  e.events *= fraction;
  e.thread_seconds *= fraction;
  e.tasks = static_cast<double>(part);
  e.seconds = wall_seconds(e.thread_seconds, e.threads, e.tasks);
  return e;
}

std::string ResourceEstimate::memory(const std::string& noun) const {
  using sim::format_bytes;
  std::string text = "about " + format_bytes(peak_bytes) + noun + " (" + std::to_string(tasks_at_once) +
                     (tasks_at_once == 1 ? " task" : " tasks at once") + " of " + format_bytes(task_bytes) +
                     (tasks_at_once == 1 ? "" : " each") + ", the scenario " + format_bytes(scenario_bytes);
  if (results_bytes >= 1e6) text += ", results " + format_bytes(results_bytes);
  if (writer_bytes >= 1e6) text += ", the writer " + format_bytes(writer_bytes);
  return text + ")";
}

std::string ResourceEstimate::work() const {
  return count_text(events) + " events, about " + duration_text(seconds) + " on " + std::to_string(threads) +
         (threads == 1 ? " thread" : " threads");
}

std::string ResourceEstimate::advice() const {
  const double tasks = static_cast<double>(tasks_at_once) * task_bytes;
  if (writer_bytes > tasks && writer_bytes > scenario_bytes && writer_bytes > results_bytes)
    return "fewer sweep points or months (or output.detail: national, without the trust series)";
  if (tasks >= scenario_bytes && tasks >= results_bytes)
    return tasks_at_once > 1 ? "fewer --threads (each task holds every trust), fewer trusts or shorter initial lists"
                             : "fewer trusts or shorter initial lists (one task holds every trust)";
  if (scenario_bytes >= results_bytes) return "fewer sweep points, trusts or months";
  return "fewer replications or sweep points";
}

}  // namespace breachsim::models
