// SPDX-License-Identifier: MIT
#include "models/run/layout.hpp"
#include "models/run/output.hpp"

#include <tbb/version.h>
#include <yaml-cpp/yaml.h>

#include <boost/version.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <limits>
#include <memory>
#include <ostream>

#include "breachsim/version.hpp"
#include "models/run/queue_growth.hpp"
#include "models/run/sensitivity_summary.hpp"
#include "sim/result_file.hpp"
#include "sim/sha256.hpp"
#include "sim/stats.hpp"
#include "sim/utf8.hpp"

namespace breachsim::models {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string library_versions() {
  return "HDF5 " + sim::hdf5_library_version() + "; oneTBB " + TBB_VERSION_STRING + "; Boost " +
         std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "; yaml-cpp 0.7; Random123 Philox4x64-10";
}

std::string run_title(const ScenarioSetup& setup, std::size_t points, std::size_t replications) {
  const auto first = setup.calendar.month_date(0);
  const auto last = setup.calendar.month_date(setup.calendar.months() - 1);
  std::string title = "Scenario '" + setup.scenario.scenario.name + "': " + std::to_string(setup.trusts()) + " trusts, " +
                      std::to_string(setup.months()) + " months (" + sim::format_date(first).substr(0, 7) + " to " +
                      sim::format_date(last).substr(0, 7) + "), " + std::to_string(replications) + " replications";
  if (points > 1) title += " at each of " + std::to_string(points) + " sweep points";
  return title;
}

namespace {

// The root attributes: what wrote the file, from what config and seed, and the run's shape.
void write_root_attributes(sim::ResultFile& file, const ScenarioSetup& setup, const std::string& config,
                           const PointsTable& table, const RunProvenance& provenance, std::size_t points,
                           std::size_t replications) {
  const Scenario& s = setup.scenario;
  const std::vector<std::pair<std::string, sim::Attribute>> root = {
      {"filetype", std::string("breachsim-results")},
      {"format_version", result_format_version},
      {"breachsim_version", std::string(build_info::version)},
      {"git_commit", std::string(build_info::git_commit)},
      {"build", std::string(build_info::build_type) + ", " + build_info::compiler},
      {"library_versions", library_versions()},
      {"seed", static_cast<std::int64_t>(provenance.seed)},
      {"replications", static_cast<std::int64_t>(replications)},
      {"created_utc", utc_now()},
      // Linux file names may be any bytes; the file holds UTF-8 only, so others are kept as \xNN.
      {"command_line", sim::escape_invalid_utf8(provenance.command_line)},
      {"threads", static_cast<std::int64_t>(provenance.threads)},
      {"config_file", sim::escape_invalid_utf8(s.source_file)},
      {"config_sha256", sim::sha256_hex(config)},
      {"scenario_name", s.scenario.name},
      {"first_month", sim::format_date(setup.calendar.month_date(0))},
      {"months", static_cast<std::int64_t>(setup.months())},
      {"warmup_months", static_cast<std::int64_t>(setup.calendar.warmup_months())},
      {"points", static_cast<std::int64_t>(points)},
      {"baseline_point", static_cast<std::int64_t>(table.baseline)},
  };
  for (const auto& [name, value] : root) file.set_attribute(layout::root, name, value);
  if (!provenance.shard.empty()) file.set_attribute(layout::root, "shard", provenance.shard);
}

// /points: each point's name, its value of every swept path and its resolved config.
void write_points_table(sim::ResultFile& file, const std::vector<const ScenarioSetup*>& setups,
                        const PointsTable& table) {
  const std::size_t P = setups.size();
  sim::Table points;
  std::vector<std::int64_t> point_index;
  std::vector<std::string> point_names, point_configs;
  for (std::size_t p = 0; p < P; ++p) {
    point_index.push_back(static_cast<std::int64_t>(p));
    point_names.push_back(table.names.at(p));
    point_configs.push_back(resolved_yaml(setups[p]->scenario));
  }
  std::vector<std::int64_t> references;
  for (std::size_t p = 0; p < P; ++p) references.push_back(static_cast<std::int64_t>(table.reference(p)));
  points.push_back({"point", point_index});
  points.push_back({"name", point_names});
  points.push_back({"reference", references});
  for (std::size_t k = 0; k < table.paths.size(); ++k) {
    std::vector<std::string> column;
    for (std::size_t p = 0; p < P; ++p) column.push_back(table.values.at(p).at(k));
    points.push_back({table.paths[k], column});
  }
  points.push_back({"config", point_configs});
  file.write_table(layout::points, points);
}

void write_trusts_table(sim::ResultFile& file, const Scenario& s) {
  std::vector<std::int64_t> index;
  std::vector<std::string> names, regions, sizes;
  std::vector<double> arrivals;
  for (std::size_t t = 0; t < s.trusts.size(); ++t) {
    index.push_back(static_cast<std::int64_t>(t));
    names.push_back(s.trusts[t].name);
    regions.push_back(s.trusts[t].region);
    sizes.push_back(s.trusts[t].size_class);
    arrivals.push_back(s.trusts[t].ed.arrivals_per_year);
  }
  file.write_table(layout::trusts, {{"index", index}, {"name", names}, {"region", regions}, {"size_class", sizes},
                               {"ed_arrivals_per_year", arrivals}});
}

void write_months_table(sim::ResultFile& file, const sim::Calendar& calendar) {
  std::vector<std::int64_t> month_index, quarters;
  std::vector<std::string> starts, years;
  for (int m = 0; m < calendar.months(); ++m) {
    const sim::Date d = calendar.month_date(m);
    month_index.push_back(m);
    starts.push_back(sim::format_date(d));
    years.push_back(financial_year_label(sim::financial_year(d)));
    quarters.push_back(sim::financial_quarter(d));
  }
  file.write_table(layout::months, {{"index", month_index}, {"start_date", starts}, {"financial_year", years},
                               {"fy_quarter", quarters}});
}

void write_metrics_table(sim::ResultFile& file) {
  std::vector<std::string> m_names, m_units, m_desc, m_agg, m_time, m_types;
  for (const auto& m : metric_catalogue) {
    m_names.emplace_back(m.name);
    m_units.emplace_back(m.unit);
    m_desc.emplace_back(m.description);
    m_agg.push_back(aggregation_rule(m));
    m_time.push_back(combine_rule(m.over_months, m));
    m_types.emplace_back(m.integer ? "int64" : "float64");
  }
  file.write_table(layout::metrics, {{"name", m_names}, {"unit", m_units}, {"description", m_desc},
                                {"aggregation", m_agg}, {"over_months", m_time}, {"dtype", m_types}});
}

// Fines by scheme: the schemes are named in the config, so they have a table (and, with
// trust detail, a group of outcomes) of their own rather than places in the metric catalogue.
void write_schemes_table(sim::ResultFile& file, const std::vector<const ScenarioSetup*>& setups) {
  const ScenarioSetup& setup = *setups.front();
  std::vector<std::int64_t> scheme_index;
  std::vector<std::string> scheme_names, scheme_types, scheme_destinations;
  for (std::size_t i = 0; i < setup.finance.schemes.size(); ++i) {
    // Described by the first point that has the scheme (a sweep over regimes).
    const Scheme* first = &setup.finance.schemes[i];
    for (const ScenarioSetup* s : setups)
      if (s->finance.schemes[i].in_point) {
        first = &s->finance.schemes[i];
        break;
      }
    const Scheme& sc = *first;
    scheme_index.push_back(static_cast<std::int64_t>(i));
    scheme_names.push_back(sc.name);
    scheme_types.push_back(sc.params.type);
    scheme_destinations.push_back(sc.params.destination);
  }
  file.write_table(layout::schemes, {{"index", scheme_index}, {"name", scheme_names}, {"type", scheme_types},
                                {"destination", scheme_destinations}});
}

// /footprints: one row per member of each footprint, footprints in config order (the order of
// the footprint dimension), each footprint's trusts then its commissioners.
void write_footprints_table(sim::ResultFile& file, const ScenarioSetup& setup) {
  std::vector<std::int64_t> index, member_index;
  std::vector<std::string> names, kinds, members;
  const auto& f = setup.finance.footprints;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const auto add = [&](const char* kind, std::size_t m, const std::string& member) {
      index.push_back(static_cast<std::int64_t>(i));
      names.push_back(f[i].name);
      kinds.emplace_back(kind);
      member_index.push_back(static_cast<std::int64_t>(m));
      members.push_back(member);
    };
    for (std::size_t t : f[i].trusts) add("trust", t, setup.scenario.trusts[t].name);
    for (std::size_t c : f[i].commissioners) add("commissioner", c, setup.scenario.commissioners[c].name);
  }
  file.write_table(layout::footprints, {{"footprint", index}, {"name", names}, {"member_kind", kinds},
                                        {"member_index", member_index}, {"member", members}});
}

const char* statistic(const MetricInfo& m) {
  return m.over_months == Combine::sum ? "run total" : m.over_months == Combine::last ? "run end" : "run mean";
}

// /summary/national_run: each metric's distribution over the finished replications, per point.
void write_national_run_table(sim::ResultFile& file, const NationalRuns& runs) {
  std::vector<std::int64_t> points, reps;
  std::vector<std::string> metric_names, units, statistics;
  std::vector<double> means, lows, highs, medians, q05s, q95s;
  for (std::size_t p = 0; p < runs.points; ++p)
    for (std::size_t mi = 0; mi < metric_count; ++mi) {
      const MetricInfo& m = metric_catalogue[mi];
      std::vector<double> values;
      for (std::size_t r = 0; r < runs.replications; ++r)
        if (runs.finished(p, r)) values.push_back(runs.value(p, r, static_cast<Metric>(mi)));
      const auto ci = sim::mean_interval(values);
      const bool any = !values.empty();
      points.push_back(static_cast<std::int64_t>(p));
      metric_names.emplace_back(m.name);
      units.emplace_back(m.unit);
      statistics.emplace_back(statistic(m));
      means.push_back(ci.mean);
      lows.push_back(ci.low);
      highs.push_back(ci.high);
      medians.push_back(any ? sim::quantile(values, 0.5) : 0.0);
      q05s.push_back(any ? sim::quantile(values, 0.05) : 0.0);
      q95s.push_back(any ? sim::quantile(values, 0.95) : 0.0);
      reps.push_back(static_cast<std::int64_t>(values.size()));
    }
  file.write_table(layout::national_run,
                   {{"point", points}, {"metric", metric_names}, {"unit", units}, {"statistic", statistics},
                    {"mean", means}, {"ci95_low", lows}, {"ci95_high", highs}, {"median", medians},
                    {"q05", q05s}, {"q95", q95s}, {"replications", reps}});
}

// /summary/paired_differences: every metric of every point but the baseline, minus the baseline.
void write_paired_differences_table(sim::ResultFile& file, const NationalRuns& runs) {
  std::vector<std::int64_t> points, reps;
  std::vector<std::string> metric_names, units;
  std::vector<double> means, lows, highs, reductions;
  for (std::size_t p = 0; p < runs.points; ++p) {
    if (p == runs.reference(p)) continue;
    for (std::size_t mi = 0; mi < metric_count; ++mi) {
      const MetricInfo& m = metric_catalogue[mi];
      const PairedDifference d = paired_difference(runs, p, static_cast<Metric>(mi));
      points.push_back(static_cast<std::int64_t>(p));
      metric_names.emplace_back(m.name);
      units.emplace_back(m.unit);
      means.push_back(d.difference.mean);
      lows.push_back(d.difference.low);
      highs.push_back(d.difference.high);
      reductions.push_back(d.variance_reduction);
      reps.push_back(static_cast<std::int64_t>(d.difference.n));
    }
  }
  file.write_table(layout::paired_differences,
                   {{"point", points}, {"metric", metric_names}, {"unit", units}, {"mean", means},
                    {"ci95_low", lows}, {"ci95_high", highs}, {"variance_reduction", reductions},
                    {"replications", reps}});
}

// /summary/multiplier: every point but the baseline, its extra deficit in parts and, for a
// point that differs in sanctions alone, the deficit multiplier of fines.
void write_multiplier_table(sim::ResultFile& file, const NationalRuns& runs) {
  const auto rows = deficit_multipliers(runs);
  sim::Table table;
  std::vector<std::int64_t> points, reps;
  std::vector<std::string> differs;
  std::vector<double> multiplier, low, high, deepened;
  for (const DeficitMultiplier& d : rows) {
    points.push_back(static_cast<std::int64_t>(d.point));
    multiplier.push_back(d.multiplier);
    low.push_back(d.low);
    high.push_back(d.high);
    reps.push_back(static_cast<std::int64_t>(d.replications));
    deepened.push_back(d.share_deepened);
    std::string text;
    for (const std::string& path : d.differs_in) text += (text.empty() ? "" : ", ") + path;
    differs.push_back(text);
  }
  table.push_back({"point", points});
  const std::pair<const char*, sim::MeanInterval DeficitMultiplier::*> parts[] = {
      {"first_round_fines", &DeficitMultiplier::first_round_fines}, {"induced_fines", &DeficitMultiplier::induced_fines},
      {"lost_income", &DeficitMultiplier::lost_income},             {"cost_change", &DeficitMultiplier::cost_change},
      {"interest", &DeficitMultiplier::interest},                   {"returned", &DeficitMultiplier::returned},
      {"delta_deficit", &DeficitMultiplier::delta_deficit}};
  for (const auto& [name, part] : parts) {
    std::vector<double> mean, part_low, part_high;
    for (const DeficitMultiplier& d : rows) {
      mean.push_back((d.*part).mean);
      part_low.push_back((d.*part).low);
      part_high.push_back((d.*part).high);
    }
    table.push_back({name, mean});
    table.push_back({std::string(name) + "_low", part_low});
    table.push_back({std::string(name) + "_high", part_high});
  }
  table.push_back({"multiplier", multiplier});
  table.push_back({"multiplier_low", low});
  table.push_back({"multiplier_high", high});
  table.push_back({"replications", reps});
  table.push_back({"share_deepened", deepened});
  table.push_back({"differs_in", differs});
  file.write_table(layout::multiplier, table);
}

void write_plan_delivery_table(sim::ResultFile& file, const NationalRuns& runs) {
  std::vector<std::int64_t> months, reps;
  std::vector<std::string> point_names, trust_names, labels;
  std::vector<double> met, full, share;
  for (const PlanDelivery& d : plan_delivery(runs)) {
    point_names.push_back(runs.point_names.at(d.point));
    trust_names.push_back(runs.trust_names.at(d.trust));
    labels.push_back(runs.years.labels[d.year]);
    months.push_back(static_cast<std::int64_t>(runs.years.months[d.year]));
    reps.push_back(static_cast<std::int64_t>(d.replications));
    met.push_back(d.control_total_met);
    full.push_back(d.cip_in_full);
    share.push_back(d.cip_share_mean);
  }
  file.write_table(layout::plan_delivery,
                   {{"point", point_names}, {"trust", trust_names}, {"financial_year", labels}, {"months", months},
                    {"replications", reps}, {"control_total_met_probability", met},
                    {"cip_in_full_probability", full}, {"cip_delivered_share_mean", share}});
}

// /summary/footprints and, with trust detail, /summary/footprint_trusts.
void write_footprint_tables(sim::ResultFile& file, const NationalRuns& runs) {
  const auto rows = footprint_delivery(runs);
  std::vector<std::int64_t> months, reps;
  std::vector<std::string> points, names, labels;
  std::vector<double> plan, mean, low, high, delivered, all_met, delivered_missed, missed_all_met;
  std::vector<std::string> t_points, t_names, t_labels, t_trusts;
  std::vector<double> t_met, t_missed;
  for (const FootprintDelivery& d : rows) {
    points.push_back(runs.point_names.at(d.point));
    names.push_back(runs.footprint_names.at(d.footprint));
    labels.push_back(runs.years.labels[d.year]);
    months.push_back(static_cast<std::int64_t>(runs.years.months[d.year]));
    reps.push_back(static_cast<std::int64_t>(d.replications));
    plan.push_back(d.plan);
    mean.push_back(d.outturn.mean);
    low.push_back(d.outturn.low);
    high.push_back(d.outturn.high);
    delivered.push_back(d.delivered);
    all_met.push_back(d.trusts_all_met);
    delivered_missed.push_back(d.delivered_trust_missed);
    missed_all_met.push_back(d.missed_trusts_all_met);
    for (std::size_t k = 0; k < d.trust_met.size(); ++k) {
      t_points.push_back(points.back());
      t_names.push_back(names.back());
      t_labels.push_back(labels.back());
      t_trusts.push_back(runs.trust_names.at(runs.footprint_trusts[d.footprint][k]));
      t_met.push_back(d.trust_met[k]);
      t_missed.push_back(d.trust_missed_footprint_delivered[k]);
    }
  }
  file.write_table(layout::footprint_summary,
                   {{"point", points}, {"footprint", names}, {"financial_year", labels}, {"months", months},
                    {"replications", reps}, {"plan", plan}, {"outturn_mean", mean}, {"outturn_ci95_low", low},
                    {"outturn_ci95_high", high}, {"delivered_probability", delivered},
                    {"trusts_all_met_probability", all_met},
                    {"delivered_while_a_trust_missed_probability", delivered_missed},
                    {"missed_while_every_trust_met_probability", missed_all_met}});
  if (runs.trusts > 0)
    file.write_table(layout::footprint_trusts_summary,
                     {{"point", t_points}, {"footprint", t_names}, {"financial_year", t_labels}, {"trust", t_trusts},
                      {"control_total_met_probability", t_met},
                      {"missed_while_footprint_delivered_probability", t_missed}});
}

// The labels of the outcome datasets' dimensions that have names (finish_outcomes() attaches
// them, with index scales for the others).
void write_dimension_labels(sim::ResultFile& file, const ScenarioSetup& setup) {
  std::vector<std::string> trusts, months, footprints;
  for (const auto& t : setup.scenario.trusts) trusts.push_back(t.name);
  for (int m = 0; m < setup.calendar.months(); ++m) months.push_back(sim::format_date(setup.calendar.month_date(m)));
  for (const auto& f : setup.finance.footprints) footprints.push_back(f.name);
  file.write_dimension_scale(layout::dimension_scale("trust"), trusts);
  file.write_dimension_scale(layout::dimension_scale("month"), months);
  if (!footprints.empty()) file.write_dimension_scale(layout::dimension_scale("footprint"), footprints);
}

}  // namespace

void write_static(sim::ResultFile& file, const std::vector<const ScenarioSetup*>& setups, const PointsTable& table,
                  const RunProvenance& provenance, std::size_t replications) {
  const ScenarioSetup& setup = *setups.front();
  const std::string config = table.config_text.empty() ? resolved_yaml(setup.scenario) : table.config_text;
  write_root_attributes(file, setup, config, table, provenance, setups.size(), replications);
  file.write_text(layout::config, config);
  write_points_table(file, setups, table);
  write_trusts_table(file, setup.scenario);
  write_months_table(file, setup.calendar);
  write_metrics_table(file);
  write_schemes_table(file, setups);
  write_footprints_table(file, setup);
  write_dimension_labels(file, setup);
}

void write_final_objects(sim::ResultFile& file, const NationalRuns& runs) {
  write_summary(file, runs);
  file.attach_dimension_scales(layout::outcomes);
}

// /summary/sensitivity: for each output of the study and each group, its indices with their
// intervals and its rank (Morris: mu, mu*, sigma; Sobol: S and ST; the other method's columns
// NaN), and why an output has none.
void write_sensitivity_table(sim::ResultFile& file, const std::vector<SensitivityOutput>& study_outputs) {
  std::vector<std::string> outputs, groups, missing;
  std::vector<std::int64_t> ranks;
  std::vector<double> columns[11];
  const double none = std::numeric_limits<double>::quiet_NaN();
  for (const SensitivityOutput& o : study_outputs) {
    const std::vector<std::size_t> order = ranked_groups(o);
    if (order.empty()) {  // no indices: one row that says why
      outputs.push_back(o.output);
      groups.emplace_back();
      missing.push_back(o.missing);
      ranks.push_back(0);
      for (auto& c : columns) c.push_back(none);
      continue;
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::size_t i = order[k];
      outputs.push_back(o.output);
      missing.emplace_back();
      ranks.push_back(static_cast<std::int64_t>(k + 1));
      if (o.morris) {
        const auto& g = o.morris->groups[i];
        groups.push_back(g.name);
        const double row[11] = {g.mu, g.mu_star.value, g.mu_star.low, g.mu_star.high, g.sigma, none, none, none, none, none, none};
        for (int c = 0; c < 11; ++c) columns[c].push_back(row[c]);
      } else {
        const auto& g = o.sobol->groups[i];
        groups.push_back(g.name);
        const double row[11] = {none, none, none, none, none, g.first_order.value, g.first_order.low, g.first_order.high,
                                g.total.value, g.total.low, g.total.high};
        for (int c = 0; c < 11; ++c) columns[c].push_back(row[c]);
      }
    }
  }
  const char* names[11] = {"mu", "mu_star", "mu_star_low", "mu_star_high", "sigma", "first_order", "first_order_low",
                           "first_order_high", "total", "total_low", "total_high"};
  sim::Table table = {{"output", outputs}, {"group", groups}, {"rank", ranks}};
  for (int c = 0; c < 11; ++c) table.push_back({names[c], columns[c]});
  table.push_back({"missing", missing});
  file.write_table(layout::sensitivity, table);
}

// /summary/sensitivity_convergence: each output's ranking index for every group again from the
// first part of the design (Morris: the first r/4 and r/2 trajectories; Sobol: the first N/8 to
// N/2 base rows), then the whole: whether a smaller study would have ranked the same.
void write_sensitivity_convergence(sim::ResultFile& file, const std::vector<SensitivityOutput>& study_outputs) {
  std::vector<std::string> outputs, groups;
  std::vector<std::int64_t> sizes;
  std::vector<double> mu_star, first_order, total;
  const double none = std::numeric_limits<double>::quiet_NaN();
  for (const SensitivityOutput& o : study_outputs) {
    for (const SensitivityConvergence& step : sensitivity_convergence(o)) {
      for (std::size_t h = 0; h < step.groups.size(); ++h) {
        outputs.push_back(o.output);
        groups.push_back(step.groups[h]);
        sizes.push_back(static_cast<std::int64_t>(step.size));
        mu_star.push_back(o.morris ? step.index[h] : none);
        total.push_back(o.sobol ? step.index[h] : none);
        first_order.push_back(o.sobol ? step.first_order[h] : none);
      }
    }
  }
  file.write_table(layout::sensitivity_convergence, {{"output", outputs}, {"group", groups}, {"size", sizes},
                                                     {"mu_star", mu_star}, {"first_order", first_order},
                                                     {"total", total}});
}

void write_summary(sim::ResultFile& file, const NationalRuns& runs) {
  write_national_run_table(file, runs);
  if (runs.study) {
    const std::vector<SensitivityOutput> study_outputs = sensitivity_outputs(*runs.study, runs);
    write_sensitivity_table(file, study_outputs);
    write_sensitivity_convergence(file, study_outputs);
  }
  write_paired_differences_table(file, runs);
  write_multiplier_table(file, runs);
  // Plans are the trusts': a file of national detail has no table.
  if (runs.trusts > 0) write_plan_delivery_table(file, runs);
  if (runs.footprints() > 0) write_footprint_tables(file, runs);
  file.set_attribute(layout::summary, "description",
                     std::string("Over finished replications, of each metric's whole-run national value: the sum over trusts "
                                 "and reported months, or for levels, rates and means their (weighted) mean over months. "
                                 "CI is Student t 95%. Paired differences are point minus its reference point (the baseline unless "
                                 "monte_carlo.reference_path pairs the points), replication by replication "
                                 "(common random numbers). The multiplier table splits each point's extra "
                                 "cumulative deficit into first-round fines (its sanctions on its reference's "
                                 "breaches, less the reference's fines), induced fines, lost income, cost change, "
                                 "interest and fines returned; the deficit multiplier, extra deficit over "
                                 "first-round fines (a ratio of means with a delta-method CI), is given only for "
                                 "points that differ from their reference in sanctions alone. Plan delivery is per "
                                 "trust and financial year, at the year's last reported month; footprint plans per "
                                 "footprint and financial year, against their member trusts' own plans."));
}

namespace {

const std::vector<std::string>& string_column(const sim::Table& table, const std::string& name, const std::string& path) {
  for (const sim::Column& c : table)
    if (c.name == name) {
      if (const auto* v = std::get_if<std::vector<std::string>>(&c.values)) return *v;
      break;
    }
  throw sim::OutputError(path + ": no string column '" + name + "'");
}

// The sensitivity study of the config stored in /config, whose design made the points (none
// for a sweep). The design is remade from it: the same seed gives the same rows.
std::shared_ptr<const SensitivityStudy> stored_study(const sim::ResultReader& in, std::uint64_t seed) {
  const std::string text = in.read_text(layout::config);
  if (text.find("sensitivity") == std::string::npos) return nullptr;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return nullptr;
  }
  if (!root.IsMap()) return nullptr;
  sim::config::Diagnostics d("/config");
  std::optional<SensitivityStudy> study = read_sensitivity(root, d, seed);
  if (!study || !d.ok()) return nullptr;
  return std::make_shared<const SensitivityStudy>(std::move(*study));
}

// Each point's reference point, from the /points table's `reference` column; a file written
// before it existed compared every point with the baseline.
std::vector<std::size_t> reference_column(const sim::Table& points, std::size_t P, std::size_t baseline) {
  for (const sim::Column& c : points)
    if (const auto* column = std::get_if<std::vector<std::int64_t>>(&c.values); column && c.name == "reference") {
      std::vector<std::size_t> references;
      for (const std::int64_t q : *column) {
        if (q < 0 || static_cast<std::size_t>(q) >= P)
          throw sim::OutputError("/points: reference " + std::to_string(q) + " is not a point of the " +
                                 std::to_string(P));
        references.push_back(static_cast<std::size_t>(q));
      }
      if (references.size() == P) return references;
    }
  return std::vector<std::size_t>(P, baseline);
}

// Every point's swept keys other than sanctions that differ from its reference's, from the
// /points table: its string columns between `name` and `config` are the swept paths.
std::vector<std::vector<std::string>> differs_in_points_table(const sim::Table& points,
                                                              const std::vector<std::size_t>& references) {
  std::vector<std::string> paths;
  std::vector<std::vector<std::string>> values;
  for (const sim::Column& c : points) {
    const auto* column = std::get_if<std::vector<std::string>>(&c.values);
    if (!column || c.name == "name" || c.name == "config") continue;
    paths.push_back(c.name);
    values.resize(column->size());
    for (std::size_t p = 0; p < column->size(); ++p) values[p].push_back((*column)[p]);
  }
  if (values.empty()) values.resize(points.empty() ? 0 : string_column(points, "name", "/points").size());
  return differs_from_references(paths, values, references);
}

// The footprints and their year-to-date series, in a file that has them (none before they
// existed, a compatible addition).
void read_footprints(const sim::ResultReader& in, NationalRuns& runs, std::size_t months) {
  if (!in.exists(layout::footprints) || !in.exists(layout::footprint_outturn)) return;
  const sim::Table table = in.read_table(layout::footprints);
  const auto& names = string_column(table, "name", "/footprints");
  const auto& kinds = string_column(table, "member_kind", "/footprints");
  const std::vector<std::int64_t>* index = nullptr;
  const std::vector<std::int64_t>* member = nullptr;
  for (const sim::Column& c : table) {
    if (c.name == "footprint") index = std::get_if<std::vector<std::int64_t>>(&c.values);
    if (c.name == "member_index") member = std::get_if<std::vector<std::int64_t>>(&c.values);
  }
  if (!index || !member) throw sim::OutputError("/footprints: no integer columns 'footprint' and 'member_index'");
  std::vector<std::string> footprint_names;
  std::vector<std::vector<std::size_t>> trusts;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto f = static_cast<std::size_t>((*index)[i]);
    if (f >= footprint_names.size()) {
      footprint_names.resize(f + 1);
      trusts.resize(f + 1);
    }
    footprint_names[f] = names[i];
    if (kinds[i] == "trust") trusts[f].push_back(static_cast<std::size_t>((*member)[i]));
  }
  runs.set_footprints(std::move(footprint_names), std::move(trusts));
  const std::vector<double> outturn = in.read_doubles(layout::footprint_outturn);
  const std::vector<double> plan = in.read_doubles(layout::footprint_plan);
  const std::size_t per_task = runs.footprints() * months;
  for (std::size_t p = 0; p < runs.points; ++p)
    for (std::size_t r = 0; r < runs.replications; ++r) {
      const std::size_t task = p * runs.replications + r;
      runs.record_footprints(p, r, months, outturn.data() + task * per_task, plan.data() + task * per_task);
    }
}

// The queues that grew without bound in each finished task, judged from the file's trust
// series as the writer judged them (from the national series in a file without trusts).
void read_growing_queues(const sim::ResultReader& in, NationalRuns& runs,
                         const std::vector<std::vector<double>>& national, std::size_t M) {
  const std::size_t tasks = runs.points * runs.replications, G = runs.growth_slots();
  const Metric used[] = {Metric::ed_mean_minutes, Metric::rtt_waiting, Metric::cancer_on_pathway};
  std::vector<std::vector<double>> by_trust(metric_count);
  for (Metric m : used) {
    const std::string path = layout::trust_month(info(m).name);
    if (runs.trusts > 0 && in.exists(path)) by_trust[static_cast<std::size_t>(m)] = in.read_doubles(path);
  }
  for (std::size_t task = 0; task < tasks; ++task) {
    if (!runs.done[task]) continue;
    std::vector<std::uint8_t> bits(G);
    for (std::size_t g = 0; g < G; ++g)
      bits[g] = growing_queues(
          [&](Metric m, std::size_t month) {
            const std::vector<double>& trust = by_trust[static_cast<std::size_t>(m)];
            return runs.trusts > 0 ? (trust.empty() ? 0.0 : trust[(task * G + g) * M + month])
                                   : national[static_cast<std::size_t>(m)][task * M + month];
          },
          M);
    runs.record_growth(task / runs.replications, task % runs.replications, bits.data());
  }
}

SavedRun read_run(const std::string& path) {
  const sim::ResultReader in(path);
  auto text = [&](const char* name) { return std::get<std::string>(in.attribute(layout::root, name)); };
  auto number = [&](const char* name) { return std::get<std::int64_t>(in.attribute(layout::root, name)); };
  if (!in.exists(layout::outcomes) || text("filetype") != "breachsim-results")
    throw sim::OutputError(path + ": not a breachsim result file");
  if (number("format_version") > result_format_version)
    throw sim::OutputError(path + ": format version " + std::to_string(number("format_version")) +
                           " is newer than this breachsim reads (" + std::to_string(result_format_version) + ")");
  const auto progress_dims = in.dims(layout::progress);
  const std::size_t P = progress_dims.at(0), R = progress_dims.at(1);
  const std::vector<std::int64_t> progress = in.read_int64s(layout::progress);
  const auto national_dims = in.dims(layout::national_month(metric_catalogue[0].name));
  const std::size_t M = national_dims.at(2);
  std::vector<std::vector<double>> series(metric_count);
  // A file written before a metric was added to the catalogue lacks it (a compatible change,
  // FORMAT.md): its values are unknown, not zero.
  for (std::size_t mi = 0; mi < metric_count; ++mi) {
    const std::string path = layout::national_month(metric_catalogue[mi].name);
    series[mi] = in.exists(path) ? in.read_doubles(path)
                                 : std::vector<double>(P * R * M, std::numeric_limits<double>::quiet_NaN());
  }
  sim::Date first_month;
  if (!sim::parse_date(text("first_month"), first_month))
    throw sim::OutputError(path + ": first_month '" + text("first_month") + "' is not a date");
  const FinancialYears years = financial_years(first_month, M);
  const std::size_t Y = years.size();
  // Files of national detail have no trust series: no 4-hour performance or plans by trust then.
  const bool by_trust = in.exists(layout::trust_month("ed_attendances"));
  const std::size_t T = by_trust ? in.dims(layout::trust_month("ed_attendances")).at(2) : 0;
  std::vector<double> attendances(P * R * T, 0.0), breaches(P * R * T, 0.0);
  std::vector<double> plan_met(P * R * T * Y, 0.0), cip_share(P * R * T * Y, 0.0);
  if (by_trust) {
    const std::vector<double> attendances_month = in.read_doubles(layout::trust_month("ed_attendances"));
    const std::vector<double> breaches_month = in.read_doubles(layout::trust_month("ed_breaches_4h"));
    for (std::size_t i = 0; i < P * R * T; ++i)
      for (std::size_t m = 0; m < M; ++m) {
        attendances[i] += attendances_month[i * M + m];
        breaches[i] += breaches_month[i * M + m];
      }
    // Each financial year's last month, as the writer took it; unknown (NaN) in a file
    // written before the metric existed.
    auto at_years_end = [&](const char* metric, std::vector<double>& to) {
      const std::string trust_path = layout::trust_month(metric);
      if (!in.exists(trust_path)) {
        std::fill(to.begin(), to.end(), std::numeric_limits<double>::quiet_NaN());
        return;
      }
      const std::vector<double> month_values = in.read_doubles(trust_path);
      for (std::size_t i = 0; i < P * R * T; ++i)
        for (std::size_t y = 0; y < Y; ++y) to[i * Y + y] = month_values[i * M + years.last_month[y]];
    };
    at_years_end(info(Metric::control_total_met).name, plan_met);
    at_years_end(info(Metric::cip_delivered_share).name, cip_share);
  }
  std::vector<std::uint8_t> done(P * R);
  for (std::size_t i = 0; i < P * R; ++i) done[i] = progress[i] == 1 ? 1 : 0;

  SavedRun saved;
  saved.config_sha256 = text("config_sha256");
  saved.seed = static_cast<std::uint64_t>(number("seed"));
  saved.format_version = number("format_version");
  saved.has_summary = in.exists(layout::summary);
  if (in.has_attribute(layout::root, "shard")) saved.shard = text("shard");
  saved.runs = national_runs(P, R, M, series, attendances, breaches, years, plan_met, cip_share, std::move(done));
  read_growing_queues(in, saved.runs, series, M);
  // Written by the baseline's tasks; a file of format 1 has none (left NaN: unknown).
  if (in.exists(layout::first_round_levy)) {
    std::vector<double> levy = in.read_doubles(layout::first_round_levy);
    if (levy.size() == P * R) saved.runs.first_round_levy = std::move(levy);
  }
  const sim::Table points = in.read_table(layout::points);
  saved.runs.point_names = string_column(points, "name", path + ":/points");
  saved.runs.trust_names = string_column(in.read_table(layout::trusts), "name", path + ":/trusts");
  saved.runs.baseline = static_cast<std::size_t>(number("baseline_point"));
  saved.runs.references = reference_column(points, P, saved.runs.baseline);
  saved.runs.study = stored_study(in, saved.seed);
  saved.runs.differs_in = differs_in_points_table(points, saved.runs.references);
  read_footprints(in, saved.runs, M);
  const std::string first = text("first_month");
  std::size_t finished = 0;
  for (std::uint8_t d : saved.runs.done) finished += d;
  saved.title = "Scenario '" + text("scenario_name") + "': " + std::to_string(saved.runs.trust_names.size()) + " trusts, " + std::to_string(M) +
                " months from " + first.substr(0, 7) + ", " + std::to_string(R) + " replications" +
                (P > 1 ? " at each of " + std::to_string(P) + " sweep points" : "") +
                (finished < P * R ? " (" + std::to_string(finished) + " of " + std::to_string(P * R) + " tasks finished)" : "");
  return saved;
}

}  // namespace

std::vector<std::size_t> point_references(const sim::ResultReader& in) {
  const sim::Table points = in.read_table(layout::points);
  const std::size_t P = string_column(points, "name", "/points").size();
  const sim::Attribute baseline = in.attribute(layout::root, "baseline_point");
  return reference_column(points, P, static_cast<std::size_t>(std::get<std::int64_t>(baseline)));
}

SavedRun read_saved_run(const std::string& path) {
  try {
    return read_run(path);
  } catch (const sim::OutputDamaged& e) {
    // Nothing in it can be trusted, but the run that wrote it can be done again.
    throw sim::OutputDamaged(std::string(e.what()) + "; run again with --force to discard it and start over");
  }
}

}  // namespace breachsim::models
