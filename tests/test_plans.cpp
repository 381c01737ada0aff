// SPDX-License-Identifier: MIT
// Whether each trust's plan is delivered: the control total met and the cost improvement plan
// delivered in full, by financial year, as probabilities over replications. Hand-built runs
// (partial years, unfinished replications) and a real run streamed to a file and read back,
// against the trust-month outcomes at each financial year's last month.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "models/run/output.hpp"
#include "models/run/run.hpp"
#include "models/run/run_file.hpp"
#include "models/run/scenario.hpp"
#include "models/run/summary.hpp"
#include "sim/result_file.hpp"
#include "sim/stats.hpp"

using namespace breachsim;
using models::Metric;

namespace {

// The whitespace-separated words of the plans table's line that starts (after indentation)
// with `first`, or none.
std::vector<std::string> row_words(const std::string& text, const std::string& first) {
  const auto table = text.find("Plans delivered");
  if (table == std::string::npos) return {};
  std::istringstream lines(text.substr(table));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    if (!row.empty() && row.front() == first) return row;
  }
  return {};
}

template <class T>
const std::vector<T>& column(const sim::Table& table, const std::string& name) {
  for (const sim::Column& c : table)
    if (c.name == name) return std::get<std::vector<T>>(c.values);
  FAIL("no column " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("financial years of a run that starts and ends mid-year", "[plans]") {
  // October 2015 to June 2016: the second half of 2015/16 and the first quarter of 2016/17.
  const auto years = models::financial_years({2015, 10, 1}, 9);
  CHECK(years.labels == std::vector<std::string>{"2015/16", "2016/17"});
  CHECK(years.months == std::vector<std::size_t>{6, 3});
  CHECK(years.last_month == std::vector<std::size_t>{5, 8});
  const auto whole = models::financial_years({2015, 4, 1}, 24);
  CHECK(whole.labels == std::vector<std::string>{"2015/16", "2016/17"});
  CHECK(whole.months == std::vector<std::size_t>{12, 12});
  CHECK(whole.last_month == std::vector<std::size_t>{11, 23});
  CHECK(models::financial_years({1999, 3, 1}, 2).labels == std::vector<std::string>{"1998/99", "1999/00"});
}

TEST_CASE("plan delivery: probabilities over the finished replications, by trust and financial year", "[plans]") {
  const auto years = models::financial_years({2015, 10, 1}, 9);  // 2015/16 (6 months), 2016/17 (3)
  auto runs = models::empty_national_runs(1, 4, 2, years);
  runs.point_names = {"baseline"};
  runs.trust_names = {"North", "South"};
  // Per replication, [trust][year]: North 2015/16, North 2016/17, South 2015/16, South 2016/17.
  const double met[4][4] = {{1, 1, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}};
  const double cip[4][4] = {{1.0, 0.5, 0.8, 1.1}, {0.8, 1.2, 0.9, 0.95}, {0.0, 0.0, 5.0, 5.0}, {1.2, 0.7, 0.7, 0.9}};
  const double attendances[2] = {1000, 1000}, breaches[2] = {100, 100};
  for (std::size_t r : {0, 1, 3}) {
    // The national series: the share of trusts meeting the control total and their mean CIP
    // share, month by month; only each year's last month (5 and 8) counts.
    auto series = [&](std::size_t metric, std::size_t month) {
      const std::size_t y = month == 5 ? 0 : month == 8 ? 1 : 2;
      if (y == 2) return 0.25;  // any other month: must not be read as a year's result
      if (metric == static_cast<std::size_t>(Metric::control_total_met)) return (met[r][y] + met[r][2 + y]) / 2.0;
      if (metric == static_cast<std::size_t>(Metric::cip_delivered_share)) return (cip[r][y] + cip[r][2 + y]) / 2.0;
      return 0.0;
    };
    runs.record(0, r, 9, series, attendances, breaches, met[r], cip[r]);
  }
  // Replication 2 never finished: its slots hold values that would change every answer.
  std::copy_n(met[2], 4, runs.control_total_met.begin() + 2 * 4);
  std::copy_n(cip[2], 4, runs.cip_delivered_share.begin() + 2 * 4);
  runs.national_control_total_met[2 * 2] = runs.national_control_total_met[2 * 2 + 1] = 1.0;
  REQUIRE(!runs.finished(0, 2));

  const auto rows = models::plan_delivery(runs);
  REQUIRE(rows.size() == 4);
  struct Expected {
    std::size_t trust, year;
    double met, full, mean;
  };
  // Over replications 0, 1 and 3 (a share of exactly 1 is the plan in full):
  const Expected expected[] = {{0, 0, 2.0 / 3, 2.0 / 3, (1.0 + 0.8 + 1.2) / 3},
                               {0, 1, 2.0 / 3, 1.0 / 3, (0.5 + 1.2 + 0.7) / 3},
                               {1, 0, 1.0 / 3, 0.0, (0.8 + 0.9 + 0.7) / 3},
                               {1, 1, 0.0, 1.0 / 3, (1.1 + 0.95 + 0.9) / 3}};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("row " << i);
    CHECK(rows[i].point == 0);
    CHECK(rows[i].trust == expected[i].trust);
    CHECK(rows[i].year == expected[i].year);
    CHECK(rows[i].replications == 3);
    CHECK(rows[i].control_total_met == Approx(expected[i].met));
    CHECK(rows[i].cip_in_full == Approx(expected[i].full));
    CHECK(rows[i].cip_share_mean == Approx(expected[i].mean));
  }

  SECTION("the printed table: a column group per year, the partial ones marked, and all trusts") {
    std::ostringstream out;
    models::print_summary(out, runs, "title");
    const std::string text = out.str();
    INFO(text);
    CHECK(text.find("Plans delivered, by financial year") != std::string::npos);
    CHECK(text.find("2015/16 (6 of 12 months)") != std::string::npos);
    CHECK(text.find("2016/17 (3 of 12 months)") != std::string::npos);
    CHECK(row_words(text, "North") == std::vector<std::string>{"North", "67%", "67%", "1.000", "67%", "33%", "0.800"});
    CHECK(row_words(text, "South") == std::vector<std::string>{"South", "33%", "0%", "0.800", "0%", "33%", "0.983"});
    // Shares of trusts meeting the control total: 2015/16 (0.5, 0, 1), 2016/17 (0.5, 0.5, 0);
    // mean CIP shares 2015/16 (0.9, 0.85, 0.95), 2016/17 (0.8, 1.075, 0.8).
    CHECK(row_words(text, "all") == std::vector<std::string>{"all", "trusts", "50%", "0.900", "33%", "0.892"});
  }
  SECTION("cut to fewer replications, the plans go with their replications") {
    const auto cut = models::plan_delivery(models::with_replications(runs, 2));
    CHECK(cut[0].replications == 2);
    CHECK(cut[0].control_total_met == Approx(0.5));
    CHECK(cut[0].cip_share_mean == Approx(0.9));
    const auto widened = models::plan_delivery(models::with_replications(runs, 6));
    CHECK(widened[3].replications == 3);
    CHECK(widened[3].cip_share_mean == Approx(rows[3].cip_share_mean));
  }
  SECTION("runs without trusts print the national row alone") {
    auto national = models::empty_national_runs(1, 1, 0, years);
    national.point_names = {"baseline"};
    national.record(
        0, 0, 9, [](std::size_t, std::size_t) { return 1.0; }, nullptr, nullptr, nullptr, nullptr);
    CHECK(models::plan_delivery(national).empty());
    std::ostringstream out;
    models::print_summary(out, national, "title");
    INFO(out.str());
    CHECK(row_words(out.str(), "all") == std::vector<std::string>{"all", "trusts", "100%", "1.000", "100%", "1.000"});
  }
  SECTION("a file written before the metrics existed says so") {
    std::fill(runs.national_control_total_met.begin(), runs.national_control_total_met.end(), std::nan(""));
    std::ostringstream out;
    models::print_summary(out, runs, "title");
    CHECK(out.str().find("  not in this file (written before the metric existed)\n") != std::string::npos);
  }
}

TEST_CASE("a sweep of many points prints its plans at the baseline only", "[plans]") {
  const auto years = models::financial_years({2015, 4, 1}, 12);
  auto runs = models::empty_national_runs(6, 1, 1, years);
  runs.trust_names = {"Only Trust"};
  runs.baseline = 2;
  for (std::size_t p = 0; p < 6; ++p) {
    runs.point_names.push_back("point " + std::to_string(p));
    const double met = p == 2 ? 1.0 : 0.0, share = 1.0;
    runs.record(
        p, 0, 12, [&](std::size_t, std::size_t) { return met; }, &share, &share, &met, &share);
  }
  std::ostringstream out;
  models::print_summary(out, runs, "title");
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("  point 'point 2' (baseline), 1 replications\n    ") != std::string::npos);
  CHECK(row_words(text, "Only") == std::vector<std::string>{"Only", "Trust", "100%", "100%", "1.000"});
  CHECK(text.find("the other 5 points are in the result file's /summary/plan_delivery") != std::string::npos);
}

TEST_CASE("plan delivery of a real run equals its trust-month outcomes at each year's last month", "[plans][threads]") {
  models::Scenario s = models::load_scenario("tests/data/small.yaml");
  s.scenario.months = 15;  // April 2015 to June 2016: 2015/16 whole, 2016/17 partial
  const std::uint64_t seed = 42;
  const int R = 8;
  // Control totals at the median of each trust's 2015/16 surplus over the replications, so
  // that some replications meet them and some do not.
  {
    const models::ScenarioSetup first(s);
    const auto run = models::run_replications(first, seed, R, 2);
    for (std::size_t t = 0; t < run.trusts; ++t) {
      std::vector<double> year;
      for (std::size_t r = 0; r < run.replications; ++r) {
        double surplus = 0.0;
        for (std::size_t m = 0; m < 12; ++m) surplus += run.trust_month(Metric::surplus, r, t, m);
        year.push_back(surplus);
      }
      s.trusts[t].finance.control_total_gbp_per_year = sim::quantile(year, 0.5);
    }
  }
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, seed, R, 2);
  const auto years = models::financial_years(setup.calendar.month_date(0), setup.months());
  REQUIRE(years.labels == std::vector<std::string>{"2015/16", "2016/17"});
  REQUIRE(years.months == std::vector<std::size_t>{12, 3});

  // The same tasks streamed into a result file as `breachsim run` does, then read back.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("breachsim_test_plans_" + std::to_string(getpid()) + ".h5")).string();
  models::RunSpec spec;
  spec.points = {&setup};
  spec.table.names = {"baseline"};
  spec.seed = seed;
  spec.replications = R;
  spec.threads = 2;
  models::StreamReport report;
  {
    auto file = sim::ResultFile::create(path, true);
    models::write_layout(file, spec, R);
    file.start_streaming();
    auto prior = models::empty_national_runs(1, R, setup.trusts(), years);
    prior.point_names = spec.table.names;
    for (const auto& t : s.trusts) prior.trust_names.push_back(t.name);
    const std::atomic<bool> stop{false};
    report = models::stream_tasks(file, spec, std::move(prior), 0, R, stop, {});
    file.finish_streaming();
    models::write_summary(file, report.runs);
    file.commit();
  }
  const models::SavedRun saved = models::read_saved_run(path);
  const sim::Table table = sim::ResultReader(path).read_table("/summary/plan_delivery");
  std::filesystem::remove(path);

  const auto written = models::plan_delivery(report.runs), read = models::plan_delivery(saved.runs);
  REQUIRE(written.size() == run.trusts * years.size());
  REQUIRE(read.size() == written.size());
  REQUIRE(column<std::string>(table, "trust").size() == written.size());
  std::size_t i = 0, both_outcomes = 0;
  for (std::size_t t = 0; t < run.trusts; ++t)
    for (std::size_t y = 0; y < years.size(); ++y, ++i) {
      double met = 0.0, full = 0.0, share = 0.0;
      for (std::size_t r = 0; r < run.replications; ++r) {
        const std::size_t last = years.last_month[y];
        met += run.trust_month(Metric::control_total_met, r, t, last);
        full += run.trust_month(Metric::cip_delivered_share, r, t, last) >= 1.0 ? 1.0 : 0.0;
        share += run.trust_month(Metric::cip_delivered_share, r, t, last);
      }
      const double n = static_cast<double>(run.replications);
      INFO(s.trusts[t].name << " " << years.labels[y] << ": P(met) " << met / n << ", P(CIP in full) " << full / n);
      for (const auto* rows : {&written, &read}) {
        const models::PlanDelivery& d = (*rows)[i];
        CHECK(d.trust == t);
        CHECK(d.year == y);
        CHECK(d.replications == run.replications);
        CHECK(d.control_total_met == Approx(met / n).epsilon(1e-12));
        CHECK(d.cip_in_full == Approx(full / n).epsilon(1e-12));
        CHECK(d.cip_share_mean == Approx(share / n).epsilon(1e-12));
      }
      CHECK(column<std::string>(table, "point")[i] == "baseline");
      CHECK(column<std::string>(table, "trust")[i] == s.trusts[t].name);
      CHECK(column<std::string>(table, "financial_year")[i] == years.labels[y]);
      CHECK(column<std::int64_t>(table, "months")[i] == static_cast<std::int64_t>(years.months[y]));
      CHECK(column<std::int64_t>(table, "replications")[i] == R);
      CHECK(column<double>(table, "control_total_met_probability")[i] == Approx(met / n).epsilon(1e-12));
      CHECK(column<double>(table, "cip_in_full_probability")[i] == Approx(full / n).epsilon(1e-12));
      CHECK(column<double>(table, "cip_delivered_share_mean")[i] == Approx(share / n).epsilon(1e-12));
      if (y == 0) {
        // The control totals were set so that both outcomes occur in the whole year.
        CHECK(met > 0.0);
        CHECK(met < n);
        both_outcomes += met > 0.0 && met < n ? 1 : 0;
      }
    }
  CHECK(both_outcomes == run.trusts);
  // The CIP draws vary too (the default share is gamma around 0.75): not always in full.
  CHECK(std::any_of(written.begin(), written.end(), [](const auto& d) { return d.cip_in_full < 1.0; }));
}
