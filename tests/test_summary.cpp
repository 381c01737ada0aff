// SPDX-License-Identifier: MIT
// The summary statistics on hand-built runs: paired differences and their variance
// reduction, the deficit multiplier of fines with its interval and the extra deficit in its
// parts, unfinished tasks left out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "models/run/queue_growth.hpp"
#include "models/run/summary.hpp"

using namespace breachsim;
using models::Metric;

namespace {

// Two points x four replications, every metric zero but the ones set.
models::NationalRuns two_points() {
  models::NationalRuns runs;
  runs.points = 2;
  runs.replications = 4;
  runs.point_names = {"fines off", "fines on"};
  runs.values.assign(2 * 4 * models::metric_count, 0.0);
  runs.done.assign(8, 1);
  runs.growing.assign(8, 0);
  return runs;
}

void set(models::NationalRuns& runs, std::size_t p, std::size_t r, Metric m, double v) {
  runs.values[(p * runs.replications + r) * models::metric_count + static_cast<std::size_t>(m)] = v;
}

}  // namespace

TEST_CASE("paired differences: mean, interval and the variance common random numbers removed", "[summary]") {
  auto runs = two_points();
  // Replications differ a lot (100, 200, 300, 400) but the point adds 10, 12, 8, 10.
  const double base[] = {100, 200, 300, 400}, add[] = {10, 12, 8, 10};
  for (std::size_t r = 0; r < 4; ++r) {
    set(runs, 0, r, Metric::ed_breaches_4h, base[r]);
    set(runs, 1, r, Metric::ed_breaches_4h, base[r] + add[r]);
  }
  const auto d = models::paired_difference(runs, 1, Metric::ed_breaches_4h);
  CHECK(d.difference.mean == Approx(10.0));
  CHECK(d.difference.n == 4);
  // Differences 10, 12, 8, 10: sd sqrt(8/3); half-width t(3) 3.182 x sd / 2.
  const double half = 3.182446 * std::sqrt(8.0 / 3.0) / 2.0;
  CHECK(d.difference.high - d.difference.mean == Approx(half).epsilon(1e-5));
  // var(base) = 50000 / 3, var(110, 212, 308, 410) = 49608 / 3, var(diff) = 8 / 3 (hand-computed).
  CHECK(d.variance_reduction == Approx((50000.0 + 49608.0) / 8.0).epsilon(1e-12));

  SECTION("identical pairs: no variance left") {
    for (std::size_t r = 0; r < 4; ++r) set(runs, 1, r, Metric::ed_breaches_4h, base[r] + 10.0);
    CHECK(std::isinf(models::paired_difference(runs, 1, Metric::ed_breaches_4h).variance_reduction));
  }
  SECTION("a task not finished at either point drops the pair") {
    runs.done[0 * 4 + 1] = 0;  // baseline, replication 1
    const auto three = models::paired_difference(runs, 1, Metric::ed_breaches_4h);
    CHECK(three.difference.n == 3);
    CHECK(three.difference.mean == Approx((10.0 + 8.0 + 10.0) / 3.0));
  }
}

TEST_CASE("the deficit multiplier is the ratio of paired means, with a delta-method interval", "[summary]") {
  auto runs = two_points();
  runs.differs_in.assign(2, {});
  // First-round fines F (the point's sanctions on the baseline's breaches) and extra deficit
  // D per replication; the point levied F plus induced fines I.
  const double F[] = {1e6, 2e6, 3e6, 2e6}, D[] = {1.5e6, 2.4e6, 4.2e6, 1.9e6}, I[] = {0.1e6, 0.2e6, 0.0, 0.1e6};
  runs.first_round_levy.assign(8, 0.0);
  for (std::size_t r = 0; r < 4; ++r) {
    set(runs, 0, r, Metric::cumulative_deficit, 5e6);
    set(runs, 1, r, Metric::cumulative_deficit, 5e6 + D[r]);
    set(runs, 1, r, Metric::fines, F[r] + I[r]);
    set(runs, 1, r, Metric::cost_agency, D[r] - F[r] - I[r]);  // the rest of the deficit
    set(runs, 1, r, Metric::ed_breaches_4h, 3.0);
    runs.first_round_levy[4 + r] = F[r];
  }
  const auto all = models::deficit_multipliers(runs);
  REQUIRE(all.size() == 1);
  const auto& f = all[0];
  // mean D = 2.5e6, mean F = 2e6: multiplier 1.25. Residuals D - 1.25 F: 0.25, -0.1, 0.45,
  // -0.6 (x 1e6), sample variance 0.635e12 / 3; se = sqrt(variance / 4) / 2e6.
  CHECK(f.multiplier == Approx(1.25));
  const double se = std::sqrt(0.635e12 / 3.0 / 4.0) / 2e6;
  CHECK(f.high - f.multiplier == Approx(3.182446 * se).epsilon(1e-5));
  CHECK(f.multiplier - f.low == Approx(3.182446 * se).epsilon(1e-5));
  CHECK(f.first_round_fines.mean == Approx(2e6));
  CHECK(f.induced_fines.mean == Approx(0.1e6));
  CHECK(f.cost_change.mean == Approx(2.5e6 - 2.1e6));
  CHECK(f.delta_deficit.mean == Approx(2.5e6));
  CHECK(f.share_deepened == 1.0);
  CHECK(f.replications == 4);
  REQUIRE(!f.extra_breaches.empty());
  CHECK(f.extra_breaches[0].first == Metric::ed_breaches_4h);
  CHECK(f.extra_breaches[0].second.mean == Approx(3.0));

  SECTION("the baseline's own fines are not first-round fines") {
    for (std::size_t r = 0; r < 4; ++r) {
      set(runs, 0, r, Metric::fines, 0.5e6);
      runs.first_round_levy[4 + r] = F[r] + 0.5e6;
      runs.first_round_levy[r] = 0.5e6;
    }
    CHECK(models::deficit_multipliers(runs)[0].first_round_fines.mean == Approx(2e6));
  }
  SECTION("no multiplier for a point whose sanctions levy nothing more on the baseline's breaches") {
    std::fill(runs.first_round_levy.begin(), runs.first_round_levy.end(), 0.0);
    const auto none = models::deficit_multipliers(runs);
    REQUIRE(none.size() == 1);
    CHECK(std::isnan(none[0].multiplier));
    CHECK(none[0].delta_deficit.mean == Approx(2.5e6));
  }
  SECTION("no multiplier for a point that differs in more than sanctions") {
    runs.differs_in[1] = {"defaults.ed.arrivals_per_year"};
    const auto row = models::deficit_multipliers(runs)[0];
    CHECK(std::isnan(row.multiplier));
    CHECK(row.differs_in == runs.differs_in[1]);
    std::ostringstream out;
    models::print_summary(out, runs, "title");
    CHECK(out.str().find("not a multiplier: this point also differs in defaults.ed.arrivals_per_year") !=
          std::string::npos);
  }
  SECTION("first-round fines unknown (a file written before them): no multiplier") {
    runs.first_round_levy.assign(8, std::numeric_limits<double>::quiet_NaN());
    std::ostringstream out;
    models::print_summary(out, runs, "title");
    CHECK(std::isnan(models::deficit_multipliers(runs)[0].multiplier));
    CHECK(out.str().find("no multiplier: first-round fines not in this file") != std::string::npos);
  }
  SECTION("the printed summary carries the multiplier, its interval and the parts") {
    std::ostringstream out;
    models::print_summary(out, runs, "title");
    INFO(out.str());
    CHECK(out.str().find("multiplier 1.250 [95% CI") != std::string::npos);
    CHECK(out.str().find("deeper in 100% of 4 replications") != std::string::npos);
    CHECK(out.str().find("= first-round fines   +£2.00m [") != std::string::npos);
    CHECK(out.str().find("+ induced fines       +£100.0k [") != std::string::npos);
  }
}

TEST_CASE("months combine into a run value as the catalogue says", "[summary]") {
  // One point, one replication, two months.
  std::vector<std::vector<double>> series(models::metric_count, std::vector<double>{0.0, 0.0});
  auto at = [&](Metric m) -> std::vector<double>& { return series[static_cast<std::size_t>(m)]; };
  at(Metric::ed_attendances) = {1000, 3000};
  at(Metric::ed_breaches_4h) = {50, 300};
  at(Metric::ed_mean_minutes) = {100, 200};     // weighted by attendances: 175
  at(Metric::rtt_waiting) = {10, 20};           // a level: mean 15
  at(Metric::cumulative_deficit) = {5, 7};      // a stock: last, 7
  at(Metric::control_total_met) = {1, 0};       // judged at the year's last month: 0
  at(Metric::cip_delivered_share) = {0.9, 0.9};
  const auto years = models::financial_years({2015, 4, 1}, 2);
  const auto runs = models::national_runs(1, 1, 2, series, {4000.0}, {350.0}, years, {0.0}, {0.9}, {1});
  CHECK(runs.value(0, 0, Metric::ed_attendances) == 4000.0);
  CHECK(runs.value(0, 0, Metric::ed_mean_minutes) == Approx(175.0));
  CHECK(runs.value(0, 0, Metric::rtt_waiting) == Approx(15.0));
  CHECK(runs.value(0, 0, Metric::cumulative_deficit) == 7.0);
  CHECK(runs.within_4h[0] == Approx(1.0 - 350.0 / 4000.0));
  REQUIRE(runs.years.size() == 1);
  CHECK(runs.control_total_met[0] == 0.0);
  CHECK(runs.national_control_total_met[0] == 0.0);
  CHECK(runs.national_cip_delivered_share[0] == 0.9);
}

TEST_CASE("a queue grows without bound when it rises steadily, doubles and keeps rising", "[summary]") {
  using models::grows_without_bound;
  auto test = [](std::vector<double> v, double floor) {
    return grows_without_bound([&v](std::size_t m) { return v[m]; }, v.size(), floor);
  };
  // Demand above capacity: a list growing by 600 a month from 10,000.
  std::vector<double> linear;
  for (int m = 0; m < 24; ++m) linear.push_back(10000 + 600 * m);
  CHECK(test(linear, 1000));
  CHECK_FALSE(test(linear, 30000));  // below the floor at the end
  // A list started empty filling towards its steady state of 10,000 (time constant 2 months):
  // it rises every month and ends far above its first month, but slows down.
  std::vector<double> filling;
  for (int m = 0; m < 24; ++m) filling.push_back(10000 * (1 - std::exp(-(m + 1) / 2.0)));
  CHECK_FALSE(test(filling, 1000));
  // Winter: up for five months, down again.
  std::vector<double> seasonal;
  for (int m = 0; m < 24; ++m) seasonal.push_back(300 + 150 * std::sin(m * 3.14159 / 6));
  CHECK_FALSE(test(seasonal, 100));
  // Too short to judge.
  CHECK_FALSE(test({100, 300, 900}, 10));
  // Rising with noise: a fall in one step of five still counts.
  CHECK(test({1000, 1500, 1400, 2100, 2600, 3100, 3000, 3800, 4400}, 1000));
  // One that doubled early and then flattened out.
  CHECK_FALSE(test({1000, 2000, 2500, 2600, 2610, 2620, 2630, 2640}, 1000));
}

TEST_CASE("the summary names each trust whose queue grew without bound, in how many replications", "[summary]") {
  models::NationalRuns runs = models::empty_national_runs(1, 3, 2, models::financial_years(sim::Date{2015, 4, 1}, 12));
  runs.point_names = {"baseline"};
  runs.trust_names = {"North", "South"};
  runs.done = {1, 1, 0};
  const std::uint8_t first[] = {0, models::growing_ed | models::growing_waiting_list}, second[] = {0, models::growing_ed},
                     unfinished[] = {models::growing_cancer, 0};
  runs.record_growth(0, 0, first);
  runs.record_growth(0, 1, second);
  runs.record_growth(0, 2, unfinished);  // not finished: not counted
  std::ostringstream out;
  models::print_growing_queues(out, runs);
  const std::string text = out.str();
  CHECK(text.find("South: A&E (time in the department, ed_mean_minutes) in 2 of 2 replications") != std::string::npos);
  CHECK(text.find("South: waiting list (rtt_waiting) in 1 of 2 replications") != std::string::npos);
  CHECK(text.find("North") == std::string::npos);
  CHECK(text.find("cancer") == std::string::npos);
  std::ostringstream none;
  models::print_growing_queues(none, models::empty_national_runs(1, 3, 2, runs.years));
  CHECK(none.str().empty());
}
