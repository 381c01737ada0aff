// SPDX-License-Identifier: MIT
#include "sim/stats.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace breachsim::sim;

TEST_CASE("quantile interpolates between order statistics (type 7)", "[stats]") {
  // Type 7: h = (n - 1) p, then x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]) on the
  // sorted sample; numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) gives 1.75, 2.5, 3.25.
  const std::vector<double> v = {1, 2, 3, 4};
  CHECK(quantile(v, 0.25) == Approx(1.75).epsilon(1e-15));
  CHECK(quantile(v, 0.5) == Approx(2.5).epsilon(1e-15));
  CHECK(quantile(v, 0.75) == Approx(3.25).epsilon(1e-15));
  CHECK(quantile(v, 0.0) == 1.0);
  CHECK(quantile(v, 1.0) == 4.0);
  // Order of the input does not matter, and the caller's vector is left alone.
  std::vector<double> shuffled = {4, 1, 3, 2};
  CHECK(quantile(shuffled, 0.25) == Approx(1.75).epsilon(1e-15));
  CHECK(shuffled == std::vector<double>{4, 1, 3, 2});
  // 10..100 in tens: h = 9 * 0.9 = 8.1 -> 90 + 0.1 * 10 = 91; h = 0.9 -> 10 + 0.9 * 10 = 19.
  const std::vector<double> tens = {100, 90, 80, 70, 60, 50, 40, 30, 20, 10};
  CHECK(quantile(tens, 0.9) == Approx(91.0).epsilon(1e-14));
  CHECK(quantile(tens, 0.1) == Approx(19.0).epsilon(1e-14));
  CHECK(quantile({5, 5, 5, 1}, 0.5) == 5.0);  // h = 1.5 between two equal order statistics
  // Unequal gaps tell interpolating from the floor (type 7) apart from other anchors:
  // {1, 2, 10, 100} at 0.3: h = 0.9 -> 1 + 0.9 * 1; at 0.6: h = 1.8 -> 2 + 0.8 * 8;
  // at 0.9: h = 2.7 -> 10 + 0.7 * 90.
  const std::vector<double> uneven = {100, 1, 10, 2};
  CHECK(quantile(uneven, 0.3) == Approx(1.9).epsilon(1e-14));
  CHECK(quantile(uneven, 0.6) == Approx(8.4).epsilon(1e-14));
  CHECK(quantile(uneven, 0.9) == Approx(73.0).epsilon(1e-14));
}

TEST_CASE("quantile of a single value and of nothing", "[stats]") {
  for (double p : {0.0, 0.3, 1.0}) CHECK(quantile({7.5}, p) == 7.5);
  CHECK(std::isnan(quantile({}, 0.5)));
}

TEST_CASE("student_t_critical matches published two-sided table values", "[stats]") {
  // Two-sided critical values t_{1 - (1 - c)/2, df} from standard tables (e.g. NIST/SEMATECH
  // e-Handbook 1.3.6.7.2), given there to 3 decimals.
  CHECK(student_t_critical(1, 0.95) == Approx(12.706).margin(5e-4));
  CHECK(student_t_critical(10, 0.95) == Approx(2.228).margin(5e-4));
  CHECK(student_t_critical(7, 0.95) == Approx(2.365).margin(5e-4));
  CHECK(student_t_critical(30, 0.99) == Approx(2.750).margin(5e-4));
  CHECK(student_t_critical(2, 0.90) == Approx(2.920).margin(5e-4));
  // df -> infinity tends to the normal quantile 1.959964; at 10^6 df the difference is
  // (z^3 + z) / (4 df) = 2.4e-6.
  CHECK(student_t_critical(1000000, 0.95) == Approx(1.959964).margin(1e-5));
  CHECK(student_t_critical(0, 0.95) == std::numeric_limits<double>::infinity());
}

TEST_CASE("mean_interval on a small known sample", "[stats]") {
  // {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sum of squared deviations 32, so sd = sqrt(32 / 7);
  // half-width = t_{0.975, 7} sd / sqrt(8) = 2.364624 * 2.138090 / 2.828427 = 1.787491.
  const auto r = mean_interval({2, 4, 4, 4, 5, 5, 7, 9});
  CHECK(r.n == 8);
  CHECK(r.mean == 5.0);
  CHECK(r.sd == Approx(std::sqrt(32.0 / 7.0)).epsilon(1e-14));
  CHECK(r.low == Approx(5.0 - 1.787491).margin(1e-6));
  CHECK(r.high == Approx(5.0 + 1.787491).margin(1e-6));
  // A higher confidence widens the interval around the same mean.
  const auto wide = mean_interval({2, 4, 4, 4, 5, 5, 7, 9}, 0.99);
  CHECK(wide.mean == 5.0);
  CHECK(wide.high - wide.low > r.high - r.low);
}

TEST_CASE("mean_interval of one value is unbounded and of none is NaN", "[stats]") {
  const auto one = mean_interval({3.0});
  CHECK(one.n == 1);
  CHECK(one.mean == 3.0);
  CHECK(one.sd == 0.0);
  CHECK(one.low == -std::numeric_limits<double>::infinity());
  CHECK(one.high == std::numeric_limits<double>::infinity());
  const auto none = mean_interval({});
  CHECK(none.n == 0);
  CHECK(std::isnan(none.mean));
  CHECK(std::isnan(none.low));
  CHECK(std::isnan(none.high));
  CHECK(std::isnan(none.sd));
}

TEST_CASE("quantile refuses a probability outside [0, 1]", "[stats]") {
  // An out-of-range p would index past the sorted values.
  CHECK_THROWS_AS(quantile({1.0, 2.0, 3.0, 4.0}, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(quantile({1.0, 2.0}, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(quantile({1.0, 2.0}, std::nan("")), std::invalid_argument);
}
