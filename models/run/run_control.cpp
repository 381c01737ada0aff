// SPDX-License-Identifier: MIT
#include "models/run/layout.hpp"
#include "models/run/run_control.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <utility>

#include "sim/runner.hpp"
#include "sim/sha256.hpp"
#include "sim/stats.hpp"

namespace breachsim::models {

namespace fs = std::filesystem;

namespace {

// The names the summary prints: the points as the sweep named them, the trusts of point 0
// (every point has the same ones) and the baseline.
void name_runs(NationalRuns& runs, const PlannedRun& run) {
  runs.point_names = run.spec.table.names;
  runs.trust_names.clear();
  for (const auto& t : run.setups.front()->scenario.trusts) runs.trust_names.push_back(t.name);
  runs.baseline = run.spec.table.baseline;
  runs.references.clear();
  for (std::size_t p = 0; p < run.spec.table.names.size(); ++p) runs.references.push_back(run.spec.table.reference(p));
  runs.differs_in = differs_from_references(run.spec.table.paths, run.spec.table.values, runs.references);
  runs.study = run.study;
  // A resumed run keeps the footprints (and their values) it read from the file.
  if (runs.footprints() > 0) return;
  std::vector<std::string> names;
  std::vector<std::vector<std::size_t>> trusts;
  for (const Footprint& f : run.setups.front()->finance.footprints) {
    names.push_back(f.name);
    trusts.push_back(f.trusts);
  }
  runs.set_footprints(std::move(names), std::move(trusts));
}

// The text write_static stores in /config, whose SHA-256 a resumed run must match.
std::string stored_config(const PlannedRun& run) {
  return run.spec.table.config_text.empty() ? resolved_yaml(run.setups.front()->scenario) : run.spec.table.config_text;
}

// The tasks of replications [from, to) not yet finished, and the months they will simulate.
std::pair<std::size_t, std::uint64_t> unfinished_work(const NationalRuns& runs, const RunSpec& spec, std::size_t from,
                                                      std::size_t to) {
  std::size_t tasks = 0;
  std::uint64_t months = 0;
  for (std::size_t p = 0; p < spec.points.size(); ++p)
    for (std::size_t r = from; r < to; ++r)
      if (!runs.finished(p, r) && spec.selected(p, r)) {
        ++tasks;
        months += spec.points[p]->task_months();
      }
  return {tasks, months};
}

}  // namespace

ReplicationTarget replication_target(const MonteCarloSection& mc, Metric metric) {
  ReplicationTarget t;
  t.adaptive = mc.target_half_width > 0.0;
  t.batch = static_cast<std::size_t>(mc.replications);
  t.max = static_cast<std::size_t>(t.adaptive ? mc.max_replications : mc.replications);
  t.metric = metric;
  t.metric_name = mc.target_metric;
  t.half_width = mc.target_half_width;
  return t;
}

PlannedRun plan_run(const Sweep& sweep, Metric target_metric, int threads, const std::string& command_line) {
  const Scenario& first = sweep.points.front().scenario;
  PlannedRun run;
  RunSpec& spec = run.spec;
  sim::RateTablePool rate_tables;  // one point at a time, so a copy is freed before the next is built
  for (const auto& point : sweep.points) {
    run.setups.push_back(std::make_unique<ScenarioSetup>(point.scenario, sweep.schemes));
    run.setups.back()->share_rate_tables(rate_tables);
    spec.points.push_back(run.setups.back().get());
    spec.table.names.push_back(point.name);
    spec.table.values.push_back(point.values);
  }
  spec.table.paths = sweep.paths;
  spec.table.baseline = sweep.baseline;
  spec.table.references = sweep.references;
  spec.compared = compared_points(spec.table, spec.points.size());
  if (sweep.study) run.study = std::make_shared<const SensitivityStudy>(*sweep.study);
  // A point's resolved YAML spells out every trust, which would hide a sweep of `defaults`:
  // a sweep is stored as read, so that running /config repeats it.
  if (!sweep.paths.empty()) spec.table.config_text = sweep.config_text;
  run.target = replication_target(first.monte_carlo, target_metric);
  spec.replications = run.target.max;
  spec.seed = first.monte_carlo.seed;
  spec.threads = threads > 0 ? threads : sim::default_concurrency();
  spec.command_line = command_line;
  spec.detail = first.output.detail == "national" ? Detail::national : Detail::trust;
  spec.flush_seconds = first.output.flush_seconds;
  return run;
}

std::string select_task(PlannedRun& run, std::size_t point, std::size_t replication) {
  const std::size_t points = run.spec.points.size(), replications = run.spec.replications;
  if (point >= points)
    return "point " + std::to_string(point) + " of a run with " + std::to_string(points) + " point" +
           (points == 1 ? " (0)" : "s (0 to " + std::to_string(points - 1) + ")");
  if (replication >= replications)
    return "replication " + std::to_string(replication) + " of a run with " + std::to_string(replications) +
           " replication" + (replications == 1 ? " (0)" : "s (0 to " + std::to_string(replications - 1) + ")");
  run.spec.only = std::make_pair(point, replication);
  run.spec.replications = replication + 1;
  run.target.adaptive = false;
  run.target.batch = run.target.max = replication + 1;
  return "";
}

std::string select_shard(PlannedRun& run, const Shard& shard) {
  // Whether to run another batch depends on every task of the batch before, which no shard has.
  if (run.target.adaptive)
    return "the replication calculator (monte_carlo.target_half_width) decides the replications from all of "
           "them, which a shard does not see; shard a run of a fixed number: find it with one process, then set "
           "monte_carlo.target_half_width=0 and monte_carlo.replications (docs/clusters.md)";
  const std::size_t tasks = run.spec.points.size() * run.spec.replications;
  if (shard.count > tasks)
    return std::to_string(shard.count) + " shards of a run of " + std::to_string(tasks) + " task" +
           (tasks == 1 ? "" : "s") + ": use at most " + std::to_string(tasks) + " shards";
  run.spec.shard = shard;
  return "";
}

RunStart fresh_start(const PlannedRun& run) {
  const ScenarioSetup& setup = *run.setups.front();
  RunStart start;
  start.prior = empty_national_runs(run.spec.points.size(), run.spec.replications,
                                    run.spec.detail == Detail::trust ? setup.trusts() : 0,
                                    financial_years(setup.scenario.scenario.first_month, setup.months()));
  name_runs(start.prior, run);
  start.extent = run.target.first_extent();
  return start;
}

std::string resumable_file(const std::string& out) {
  const std::string partial = sim::ResultFile::partial_path(out);
  std::error_code ec;
  // The link itself counts: a partial that is a dangling symbolic link is reported, not passed over.
  if (fs::exists(fs::symlink_status(partial, ec))) return partial;
  return fs::exists(out) ? out : std::string();
}

std::string resume_mismatch(const SavedRun& saved, const PlannedRun& run) {
  const RunSpec& spec = run.spec;
  std::vector<std::string> clauses;
  const std::string sha = sim::sha256_hex(stored_config(run));
  if (saved.config_sha256 != sha)
    clauses.push_back("the config differs (SHA-256 " + saved.config_sha256 + " in the file, " + sha + " now)");
  // An older file lacks outcomes this run writes into (/outcomes/first_round_levy).
  if (saved.format_version != result_format_version)
    clauses.push_back("format version " + std::to_string(saved.format_version) + " in the file, " +
                      std::to_string(result_format_version) + " now");
  if (saved.seed != spec.seed)
    clauses.push_back("seed " + std::to_string(saved.seed) + " in the file, " + std::to_string(spec.seed) + " now");
  if (saved.runs.points != spec.points.size())
    clauses.push_back(std::to_string(saved.runs.points) + " points in the file, " + std::to_string(spec.points.size()) +
                      " now");
  const std::string shard = spec.shard ? spec.shard->text() : std::string();
  if (saved.shard != shard)
    clauses.push_back((saved.shard.empty() ? std::string("a whole run") : "shard " + saved.shard) + " in the file, " +
                      (shard.empty() ? std::string("a whole run") : "shard " + shard) + " now");
  const std::size_t extent = saved.runs.replications;
  // The calculator may have stopped anywhere up to its maximum; a fixed run has one extent.
  if (run.target.adaptive ? extent > spec.replications : extent != spec.replications)
    clauses.push_back(std::to_string(extent) + " replications in the file, " +
                      (run.target.adaptive ? "at most " : "") + std::to_string(spec.replications) + " now");
  std::string text;
  for (const auto& c : clauses) text += (text.empty() ? "" : "; ") + c;
  return text;
}

RunStart resume_from(const SavedRun& saved, const PlannedRun& run) {
  RunStart point;
  point.prior = with_replications(saved.runs, run.spec.replications);  // as long as the run may grow
  name_runs(point.prior, run);
  point.extent = saved.runs.replications;
  point.replace_summary = saved.has_summary;
  return point;
}

bool precise_enough(const NationalRuns& runs, Metric metric, double half_width) {
  for (std::size_t p = 0; p < runs.points; ++p) {
    std::vector<double> v;
    for (std::size_t r = 0; r < runs.replications; ++r)
      if (runs.finished(p, r)) v.push_back(runs.value(p, r, metric));
    const auto ci = sim::mean_interval(v);
    if (v.size() < 2 || ci.high - ci.mean > half_width) return false;
  }
  return true;
}

RunTotals run_batches(sim::ResultFile& file, const PlannedRun& run, NationalRuns prior, std::size_t extent,
                      const std::atomic<bool>& stop, const BatchObserver& observer) {
  const RunSpec& spec = run.spec;
  const ReplicationTarget& target = run.target;
  RunTotals total;
  total.runs = std::move(prior);
  std::size_t last = extent;
  for (std::size_t from = 0;;) {
    if (observer.batch_started) {
      const auto [tasks, months] = unfinished_work(total.runs, spec, from, last);
      observer.batch_started(tasks, months);
    }
    StreamReport batch =
        stream_tasks(file, spec, std::move(total.runs), from, last, stop, observer.task_done, observer.progress);
    if (observer.batch_finished) observer.batch_finished();
    total.runs = std::move(batch.runs);
    total.write_seconds += batch.write_seconds;
    total.seconds += batch.seconds;
    total.events += batch.events;
    total.stopped = batch.stopped;
    if (batch.stopped || !target.adaptive || last >= spec.replications ||
        precise_enough(total.runs, target.metric, target.half_width))
      break;
    from = last;
    last = std::min(spec.replications, last + target.batch);
    extend_replications(file, spec, last);
    if (observer.growing) observer.growing(from, last);
  }
  total.replications = last;
  return total;
}

void finish_run(sim::ResultFile& file, RunTotals& totals, bool replace_summary) {
  const auto t0 = std::chrono::steady_clock::now();
  file.finish_streaming();
  if (replace_summary) file.remove(layout::summary);
  file.set_attribute(layout::root, "replications", static_cast<std::int64_t>(totals.replications));
  totals.runs = with_replications(totals.runs, totals.replications);
  write_final_objects(file, totals.runs);
  file.commit();
  totals.write_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace breachsim::models
