// SPDX-License-Identifier: MIT
#include "models/output.hpp"

#include <tbb/version.h>
#include <yaml-cpp/yaml.h>

#include <boost/version.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <ostream>

#include "breachsim/version.hpp"
#include "sim/result_file.hpp"
#include "sim/sha256.hpp"
#include "sim/stats.hpp"

namespace breachsim::models {

namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string fy_label(int year) {
  const int next = (year + 1) % 100;
  return std::to_string(year) + "/" + (next < 10 ? "0" : "") + std::to_string(next);
}

// Chunking spans replications: a block of them per chunk of one metric (DESIGN.md).
constexpr int replication_dimension = 1;

}  // namespace

std::string library_versions() {
  return "HDF5 " + sim::hdf5_library_version() + "; oneTBB " + TBB_VERSION_STRING + "; Boost " +
         std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "; yaml-cpp 0.7; Random123 Philox4x64-10";
}

void write_results(sim::ResultFile& file, const ScenarioSetup& setup, const RunOutcome& run,
                   const RunProvenance& provenance) {
  const Scenario& s = setup.scenario;
  const std::string config = resolved_yaml(s);

  const std::vector<std::pair<std::string, sim::Attribute>> root = {
      {"filetype", std::string("breachsim-results")},
      {"format_version", result_format_version},
      {"breachsim_version", std::string(build_info::version)},
      {"git_commit", std::string(build_info::git_commit)},
      {"build", std::string(build_info::build_type) + ", " + build_info::compiler},
      {"library_versions", library_versions()},
      {"seed", static_cast<std::int64_t>(provenance.seed)},
      {"replications", static_cast<std::int64_t>(run.replications)},
      {"created_utc", utc_now()},
      {"command_line", provenance.command_line},
      {"threads", static_cast<std::int64_t>(provenance.threads)},
      {"config_file", s.source_file},
      {"config_sha256", sim::sha256_hex(config)},
      {"scenario_name", s.scenario.name},
      {"first_month", sim::format_date(setup.calendar.month_date(0))},
      {"months", static_cast<std::int64_t>(run.months)},
      {"warmup_months", static_cast<std::int64_t>(setup.calendar.warmup_months())},
  };
  for (const auto& [name, value] : root) file.set_attribute("/", name, value);
  file.write_text("/config", config);

  file.write_table("/points", {{"point", std::vector<std::int64_t>{0}}});

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
  file.write_table("/trusts", {{"index", index}, {"name", names}, {"region", regions}, {"size_class", sizes},
                               {"ed_arrivals_per_year", arrivals}});

  std::vector<std::int64_t> month_index, quarters;
  std::vector<std::string> starts, years;
  for (int m = 0; m < setup.calendar.months(); ++m) {
    const sim::Date d = setup.calendar.month_date(m);
    month_index.push_back(m);
    starts.push_back(sim::format_date(d));
    years.push_back(fy_label(sim::financial_year(d)));
    quarters.push_back(sim::financial_quarter(d));
  }
  file.write_table("/months", {{"index", month_index}, {"start_date", starts}, {"financial_year", years},
                               {"fy_quarter", quarters}});

  std::vector<std::string> m_names, m_units, m_desc, m_agg, m_time, m_types;
  for (const auto& m : metric_catalogue) {
    m_names.emplace_back(m.name);
    m_units.emplace_back(m.unit);
    m_desc.emplace_back(m.description);
    m_agg.push_back(aggregation_rule(m));
    m_time.push_back(combine_rule(m.over_months, m));
    m_types.emplace_back(m.integer ? "int64" : "float64");
  }
  file.write_table("/metrics", {{"name", m_names}, {"unit", m_units}, {"description", m_desc},
                                {"aggregation", m_agg}, {"over_months", m_time}, {"dtype", m_types}});

  const std::uint64_t R = run.replications, T = run.trusts, M = run.months;
  for (std::size_t mi = 0; mi < metric_count; ++mi) {
    const auto metric = static_cast<Metric>(mi);
    const MetricInfo& m = metric_catalogue[mi];
    sim::ArrayInfo trust_info{m.unit, m.description, {"point", "replication", "trust", "month"},
                              {{"aggregation", aggregation_rule(m)}}, replication_dimension};
    sim::ArrayInfo national_info{m.unit, m.description, {"point", "replication", "month"},
                                 {{"aggregation", aggregation_rule(m)}}, replication_dimension};
    std::vector<double> trust_values, national_values;
    trust_values.reserve(R * T * M);
    national_values.reserve(R * M);
    for (std::size_t r = 0; r < R; ++r) {
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t month = 0; month < M; ++month) trust_values.push_back(run.trust_month(metric, r, t, month));
      for (std::size_t month = 0; month < M; ++month) national_values.push_back(run.national_month(metric, r, month));
    }
    const std::string trust_path = std::string("/outcomes/trust_month/") + m.name;
    const std::string national_path = std::string("/outcomes/national_month/") + m.name;
    if (m.integer) {
      auto as_int = [](const std::vector<double>& v) {
        std::vector<std::int64_t> out(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<std::int64_t>(std::llround(v[i]));
        return out;
      };
      file.write_array(trust_path, {1, R, T, M}, as_int(trust_values), trust_info);
      file.write_array(national_path, {1, R, M}, as_int(national_values), national_info);
    } else {
      file.write_array(trust_path, {1, R, T, M}, trust_values, trust_info);
      file.write_array(national_path, {1, R, M}, national_values, national_info);
    }
  }

  // Fines by scheme: the schemes are named in the config, so they have a table and a group
  // of their own rather than places in the fixed metric catalogue.
  std::vector<std::int64_t> scheme_index;
  std::vector<std::string> scheme_names, scheme_types, scheme_destinations;
  for (std::size_t i = 0; i < setup.finance.schemes.size(); ++i) {
    const Scheme& sc = setup.finance.schemes[i];
    scheme_index.push_back(static_cast<std::int64_t>(i));
    scheme_names.push_back(sc.name);
    scheme_types.push_back(sc.params.type);
    scheme_destinations.push_back(sc.params.destination);
    std::vector<double> values;
    values.reserve(R * T * M);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t month = 0; month < M; ++month) values.push_back(run.scheme_fines(i, r, t, month));
    file.write_array("/outcomes/scheme_fines/" + sc.name, {1, R, T, M}, values,
                     sim::ArrayInfo{"GBP", "fines levied by this scheme, after caps, waivers and suspensions",
                                    {"point", "replication", "trust", "month"}, {{"aggregation", "sum"}}, replication_dimension});
  }
  file.write_table("/schemes", {{"index", scheme_index}, {"name", scheme_names}, {"type", scheme_types},
                                {"destination", scheme_destinations}});
  std::vector<std::int64_t> points, reps;
  std::vector<std::string> metric_names, units, statistics;
  std::vector<double> means, lows, highs, medians, q05s, q95s;
  for (std::size_t mi = 0; mi < metric_count; ++mi) {
    const auto metric = static_cast<Metric>(mi);
    const MetricInfo& m = metric_catalogue[mi];
    std::vector<double> values(R);
    for (std::size_t r = 0; r < R; ++r) values[r] = run.national_run(metric, r);
    const auto ci = sim::mean_interval(values);
    points.push_back(0);
    metric_names.emplace_back(m.name);
    units.emplace_back(m.unit);
    statistics.emplace_back(m.over_months == Combine::sum    ? "run total"
                            : m.over_months == Combine::last ? "run end"
                                                             : "run mean");
    means.push_back(ci.mean);
    lows.push_back(ci.low);
    highs.push_back(ci.high);
    medians.push_back(sim::quantile(values, 0.5));
    q05s.push_back(sim::quantile(values, 0.05));
    q95s.push_back(sim::quantile(values, 0.95));
    reps.push_back(static_cast<std::int64_t>(R));
  }
  file.write_table("/summary/national_run",
                   {{"point", points}, {"metric", metric_names}, {"unit", units}, {"statistic", statistics},
                    {"mean", means}, {"ci95_low", lows}, {"ci95_high", highs}, {"median", medians},
                    {"q05", q05s}, {"q95", q95s}, {"replications", reps}});
  file.set_attribute("/summary", "description",
                     std::string("Over replications, of each metric's whole-run national value: the sum over trusts and "
                                 "reported months, or for levels, rates and means their (weighted) mean over months. CI is Student t 95%."));

  file.write_array("/progress", {1, R}, std::vector<std::int8_t>(R, 1),
                   sim::ArrayInfo{"flag", "1 where the (point, replication) task is complete", {"point", "replication"}, {}, 1});
  file.commit();
}

void print_summary(std::ostream& out, const ScenarioSetup& setup, const RunOutcome& run) {
  const auto R = run.replications;
  auto interval = [&](auto&& value_of) {
    std::vector<double> v(R);
    for (std::size_t r = 0; r < R; ++r) v[r] = value_of(r);
    return std::array<double, 3>{sim::quantile(v, 0.5), sim::quantile(v, 0.05), sim::quantile(v, 0.95)};
  };
  const auto first = setup.calendar.month_date(0);
  const auto last = setup.calendar.month_date(setup.calendar.months() - 1);
  out << "Scenario '" << setup.scenario.scenario.name << "': " << run.trusts << " trusts, " << run.months
      << " months (" << sim::format_date(first).substr(0, 7) << " to " << sim::format_date(last).substr(0, 7) << "), "
      << R << " replications\n";
  out << "Whole-run national values: median [90% interval over replications]\n";
  out << std::fixed;
  for (const MetricSection& section : metric_sections) {
    out << " " << section.title << "\n";
    for (std::size_t i = 0; i < section.size; ++i) {
      const Metric metric = section.metrics[i];
      const MetricInfo& m = info(metric);
      const auto q = interval([&](std::size_t r) { return run.national_run(metric, r); });
      out << "  " << std::left << std::setw(32) << m.name << std::right
          << std::setprecision(m.integer ? 0 : std::string(m.unit) == "fraction" ? 3 : 1) << std::setw(14) << q[0] << "  ["
          << q[1] << ", " << q[2] << "] " << m.unit
          << (m.over_months == Combine::sum ? "" : m.over_months == Combine::last ? " (at the end)" : " (mean)") << "\n";
    }
  }
  out << "Seen within 4 hours, whole run: median [90% interval]\n";
  auto performance = [&](std::size_t t, std::size_t r) {
    const double att = t == run.trusts ? run.national_run(Metric::ed_attendances, r) : run.trust_run(Metric::ed_attendances, r, t);
    const double br = t == run.trusts ? run.national_run(Metric::ed_breaches_4h, r) : run.trust_run(Metric::ed_breaches_4h, r, t);
    return att > 0.0 ? 100.0 * (1.0 - br / att) : 0.0;
  };
  std::size_t width = 10;
  for (const auto& t : setup.scenario.trusts) width = std::max(width, t.name.size());
  for (std::size_t t = 0; t <= run.trusts; ++t) {
    const std::string name = t == run.trusts ? "all trusts" : setup.scenario.trusts[t].name;
    const auto q = interval([&](std::size_t r) { return performance(t, r); });
    out << "  " << std::left << std::setw(static_cast<int>(width) + 2) << name << std::right << std::setprecision(1) << std::setw(6) << q[0]
        << "%  [" << q[1] << "%, " << q[2] << "%]\n";
  }
  out << std::defaultfloat;
}

}  // namespace breachsim::models
