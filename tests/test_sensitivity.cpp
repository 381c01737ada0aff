// SPDX-License-Identifier: MIT
#include "sim/sensitivity.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace breachsim::sim::sensitivity;

namespace {

constexpr double pi = 3.14159265358979323846;
using Model = std::function<double(const std::vector<double>&)>;

// The model at every row of a design, as the simulator will run it: unit point to factor values.
std::vector<double> evaluate(const std::vector<Factor>& factors, const std::vector<std::vector<double>>& points,
                             const Model& f) {
  std::vector<double> y;
  y.reserve(points.size());
  for (const auto& point : points) y.push_back(f(factor_values(factors, point)));
  return y;
}

Factor uniform(const std::string& name, double low, double high, const std::string& group = "") {
  return Factor{name, Factor::Scale::uniform, low, high, group};
}

// Ishigami and Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi), with the
// usual a = 7, b = 0.1. Its partial variances (Saltelli et al. 2008, Primer, section 4.9):
// V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225, and
// V3 = V12 = V23 = V123 = 0.
constexpr double ishigami_a = 7.0;
constexpr double ishigami_b = 0.1;
double ishigami(const std::vector<double>& x) {
  return std::sin(x[0]) + ishigami_a * std::sin(x[1]) * std::sin(x[1]) +
         ishigami_b * std::pow(x[2], 4) * std::sin(x[0]);
}
struct IshigamiVariances {
  double v1, v2, v13, total;
};
IshigamiVariances ishigami_variances() {
  const double pi4 = std::pow(pi, 4);
  const double pi8 = std::pow(pi, 8);
  const double v1 = 0.5 * (1.0 + ishigami_b * pi4 / 5.0) * (1.0 + ishigami_b * pi4 / 5.0);
  const double v2 = ishigami_a * ishigami_a / 8.0;
  const double v13 = 8.0 * ishigami_b * ishigami_b * pi8 / 225.0;
  return {v1, v2, v13, v1 + v2 + v13};
}
std::vector<Factor> ishigami_factors() {
  return {uniform("x1", -pi, pi), uniform("x2", -pi, pi), uniform("x3", -pi, pi)};
}

// Sobol's g-function on [0, 1]^k: prod (|4 x_i - 2| + a_i) / (1 + a_i). Each term has mean 1 and
// variance V_i = 1 / (3 (1 + a_i)^2), so V = prod (1 + V_i) - 1, S_i = V_i / V and
// ST_i = V_i prod_{j != i} (1 + V_j) / V (Saltelli et al. 2010, section 5; Primer, 3.6).
const std::vector<double> g_a = {0, 1, 4.5, 9, 99, 99, 99, 99};
double g_function(const std::vector<double>& x) {
  double f = 1.0;
  for (std::size_t i = 0; i < x.size(); ++i) f *= (std::abs(4.0 * x[i] - 2.0) + g_a[i]) / (1.0 + g_a[i]);
  return f;
}
std::vector<Factor> g_factors() {
  std::vector<Factor> factors;
  for (std::size_t i = 0; i < g_a.size(); ++i) factors.push_back(uniform("x" + std::to_string(i + 1), 0.0, 1.0));
  return factors;
}
struct Indices {
  std::vector<double> first, total;
};
Indices g_indices() {
  std::vector<double> v;
  double product = 1.0;
  for (double a : g_a) {
    v.push_back(1.0 / (3.0 * (1.0 + a) * (1.0 + a)));
    product *= 1.0 + v.back();
  }
  const double variance = product - 1.0;
  Indices s;
  for (double vi : v) {
    s.first.push_back(vi / variance);
    s.total.push_back(vi * product / (1.0 + vi) / variance);
  }
  return s;
}

void check_estimate(const Estimate& e, double truth, double tolerance) {
  INFO("estimate " << e.value << " in [" << e.low << ", " << e.high << "], analytic " << truth);
  CHECK(std::abs(e.value - truth) <= tolerance);
  CHECK(e.low <= truth);
  CHECK(truth <= e.high);
}

}  // namespace

TEST_CASE("Sobol indices of the Ishigami function match the analytic values", "[sensitivity]") {
  const auto factors = ishigami_factors();
  const auto design = saltelli_design(factors, 8192, 11);
  const auto result = sobol_indices(design, evaluate(factors, design.unit_points, ishigami), 1000, 12);
  const IshigamiVariances v = ishigami_variances();
  // The published values (Saltelli et al. 2010, table 3) to the 4 decimals given there.
  CHECK(v.v1 / v.total == Approx(0.3139).margin(5e-5));
  CHECK(v.v2 / v.total == Approx(0.4424).margin(5e-5));
  CHECK((v.v1 + v.v13) / v.total == Approx(0.5576).margin(5e-5));
  CHECK(v.v13 / v.total == Approx(0.2437).margin(5e-5));
  // Tolerance 0.02: at N = 8192 the bootstrap's 95% half-widths are 0.018-0.022 for S and
  // 0.010-0.031 for ST. The bootstrap treats the rows as independent draws, and the Sobol rows
  // do better: over 25 seeds the errors of every index here and in the g-function and group
  // cases were at most 0.003 (0.0014 with this seed). A wrong block or estimator errs by 0.1 or
  // more.
  REQUIRE(result.groups.size() == 3);
  check_estimate(result.groups[0].first_order, v.v1 / v.total, 0.02);
  check_estimate(result.groups[1].first_order, v.v2 / v.total, 0.02);
  check_estimate(result.groups[2].first_order, 0.0, 0.02);
  check_estimate(result.groups[0].total, (v.v1 + v.v13) / v.total, 0.02);
  check_estimate(result.groups[1].total, v.v2 / v.total, 0.02);
  check_estimate(result.groups[2].total, v.v13 / v.total, 0.02);
  CHECK(result.variance == Approx(v.total).epsilon(0.02));
  // The convergence check on 1024, 2048, 4096 and 8192 base rows ends with the estimate itself.
  REQUIRE(result.convergence.size() == 4);
  CHECK(result.convergence[0].base_samples == 1024);
  CHECK(result.convergence[3].base_samples == 8192);
  CHECK(result.convergence[3].first_order[1] == result.groups[1].first_order.value);
  CHECK(result.convergence[3].total[2] == result.groups[2].total.value);
}

TEST_CASE("Sobol indices of the g-function match the analytic values", "[sensitivity]") {
  const auto factors = g_factors();
  const auto design = saltelli_design(factors, 4096, 21);
  const auto result = sobol_indices(design, evaluate(factors, design.unit_points, g_function), 1000, 22);
  const Indices truth = g_indices();
  // S1 = 0.716 and S2 = 0.179 down to 7e-5 for the a = 99 factors. At N = 4096 the widest 95%
  // half-widths are 0.035 (S1 and ST1), 0.022 (S2) and under 0.01 for the rest; the errors are
  // at most 0.0015 (0.003 over 25 seeds), so a tolerance of 0.02 holds with room.
  REQUIRE(result.groups.size() == g_a.size());
  for (std::size_t i = 0; i < g_a.size(); ++i) {
    INFO("factor x" << i + 1);
    check_estimate(result.groups[i].first_order, truth.first[i], 0.02);
    check_estimate(result.groups[i].total, truth.total[i], 0.02);
  }
}

TEST_CASE("A factor the model ignores has no index and no elementary effect", "[sensitivity]") {
  auto factors = ishigami_factors();
  factors.push_back(uniform("dummy", 0.0, 1.0));
  // f(AB_dummy) is f(A) exactly, so both estimators' sums are exactly zero, and so is every
  // elementary effect: not merely within a sampling error of zero.
  const auto design = saltelli_design(factors, 1024, 31);
  const auto sobol = sobol_indices(design, evaluate(factors, design.unit_points, ishigami), 200, 32);
  CHECK(sobol.groups[3].name == "dummy");
  CHECK(sobol.groups[3].first_order.value == 0.0);
  CHECK(sobol.groups[3].total.value == 0.0);
  CHECK(sobol.groups[3].total.high == 0.0);
  const auto morris = morris_design(factors, 20, 4, 33);
  const auto effects = morris_indices(morris, evaluate(factors, morris.unit_points, ishigami), 200, 34);
  CHECK(effects.groups[3].mu_star.value == 0.0);
  CHECK(effects.groups[3].sigma == 0.0);
  CHECK(effects.groups[0].mu_star.value > 0.0);
}

TEST_CASE("Morris effects of a linear function are its slopes times the ranges", "[sensitivity]") {
  // f = 2 x1 - 3 x2 + 0.5 x3 over [0, 10], [1, 2], [-5, 5]: each elementary effect, per unit of
  // the unit cube, is the slope times the range, whatever the point: 20, -3 and 5, sigma 0.
  const std::vector<Factor> factors = {uniform("x1", 0, 10), uniform("x2", 1, 2), uniform("x3", -5, 5)};
  const Model linear = [](const std::vector<double>& x) { return 2 * x[0] - 3 * x[1] + 0.5 * x[2]; };
  const auto design = morris_design(factors, 10, 4, 41);
  const auto result = morris_indices(design, evaluate(factors, design.unit_points, linear), 100, 42);
  const std::vector<double> slope_times_range = {20, -3, 5};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("factor x" << i + 1);
    CHECK(result.groups[i].mu == Approx(slope_times_range[i]).epsilon(1e-12));
    CHECK(result.groups[i].mu_star.value == Approx(std::abs(slope_times_range[i])).epsilon(1e-12));
    CHECK(result.groups[i].sigma == Approx(0.0).margin(1e-12));
    CHECK(result.groups[i].mu_star.low == Approx(std::abs(slope_times_range[i])).epsilon(1e-12));
    CHECK(result.groups[i].mu_star.high == Approx(std::abs(slope_times_range[i])).epsilon(1e-12));
  }
}

TEST_CASE("Morris sigma shows an interaction", "[sensitivity]") {
  // f = x1 x2 + x3 on [0, 1]^3 at 4 levels: x1's effect is x2 where x1 moves, which is each of
  // 0, 1/3, 2/3, 1 with probability 1/4 (a trajectory starts x2 at any level and moves it by
  // 2 levels), so mu = 1/2 and sigma = sqrt(5/36) = 0.373. Over 1000 trajectories their standard
  // errors are 0.012 and 0.005; the tolerances are 4 of them. x3's effect is always 1.
  const std::vector<Factor> factors = {uniform("x1", 0, 1), uniform("x2", 0, 1), uniform("x3", 0, 1)};
  const Model f = [](const std::vector<double>& x) { return x[0] * x[1] + x[2]; };
  const auto design = morris_design(factors, 1000, 4, 51);
  const auto result = morris_indices(design, evaluate(factors, design.unit_points, f), 0, 52);
  CHECK(result.groups[0].mu == Approx(0.5).margin(0.05));
  CHECK(result.groups[0].sigma == Approx(std::sqrt(5.0 / 36.0)).margin(0.02));
  CHECK(result.groups[1].sigma == Approx(std::sqrt(5.0 / 36.0)).margin(0.02));
  CHECK(result.groups[2].mu == Approx(1.0).epsilon(1e-12));
  CHECK(result.groups[2].sigma == Approx(0.0).margin(1e-12));
  // No resamples asked for: no interval.
  CHECK(std::isnan(result.groups[0].mu_star.low));
}

TEST_CASE("Morris ranks the g-function's factors in the order of their importance", "[sensitivity]") {
  // Importance falls as a_i grows (0, 1, 4.5, 9, then 99 four times): mu_star must fall with it
  // over the first four, and each of the last four must rank below the fourth.
  const auto factors = g_factors();
  const auto design = morris_design(factors, 100, 4, 61);
  const auto result = morris_indices(design, evaluate(factors, design.unit_points, g_function), 500, 62);
  for (std::size_t i = 1; i < 4; ++i) CHECK(result.groups[i].mu_star.value < result.groups[i - 1].mu_star.value);
  for (std::size_t i = 4; i < 8; ++i) CHECK(result.groups[i].mu_star.value < result.groups[3].mu_star.value);
  // The top factor is clear of the second, beyond sampling error.
  CHECK(result.groups[1].mu_star.high < result.groups[0].mu_star.low);
}

TEST_CASE("Morris convergence is the answer of the smaller designs the larger one starts with", "[sensitivity]") {
  // A design of 25 trajectories begins with the 6 and 12 of smaller ones from the same seed,
  // so its convergence entries must equal those designs' mu* exactly, and the last its own.
  const auto factors = g_factors();
  const auto design = morris_design(factors, 25, 4, 71);
  const auto result = morris_indices(design, evaluate(factors, design.unit_points, g_function), 0, 72);
  REQUIRE(result.convergence.size() == 3);
  for (const std::size_t c : {0, 1}) {
    const std::size_t t = c == 0 ? 6 : 12;
    CHECK(result.convergence[c].trajectories == t);
    const auto smaller = morris_design(factors, t, 4, 71);
    const auto expected = morris_indices(smaller, evaluate(factors, smaller.unit_points, g_function), 0, 72);
    for (std::size_t h = 0; h < factors.size(); ++h)
      CHECK(result.convergence[c].mu_star[h] == expected.groups[h].mu_star.value);
  }
  CHECK(result.convergence[2].trajectories == 25);
  CHECK(result.convergence[2].mu_star[0] == result.groups[0].mu_star.value);
  // Two or three trajectories are too few to halve: one entry, the whole design.
  const auto tiny = morris_design(factors, 3, 4, 73);
  CHECK(morris_indices(tiny, evaluate(factors, tiny.unit_points, g_function), 0, 74).convergence.size() == 1);
}

TEST_CASE("A group's first-order index is the closed index of its factors", "[sensitivity]") {
  // x1 and x3 in one group: its first-order index is the closed index S1 + S3 + S13 =
  // (V1 + V13) / V = 0.5576, which is also its total index (x2 does not interact with it).
  auto factors = ishigami_factors();
  factors[0].group = "x1 and x3";
  factors[2].group = "x1 and x3";
  CHECK(group_names(factors) == std::vector<std::string>{"x1 and x3", "x2"});
  CHECK(group_factors(factors).of_factor == std::vector<std::size_t>{0, 1, 0});
  const auto design = saltelli_design(factors, 8192, 71);
  CHECK(design.unit_points.size() == std::size_t{8192} * 4);
  const auto result = sobol_indices(design, evaluate(factors, design.unit_points, ishigami), 1000, 72);
  const IshigamiVariances v = ishigami_variances();
  REQUIRE(result.groups.size() == 2);
  CHECK(result.groups[0].name == "x1 and x3");
  // Tolerances as for the ungrouped Ishigami function: the half-widths are 0.014-0.027 here.
  check_estimate(result.groups[0].first_order, (v.v1 + v.v13) / v.total, 0.02);
  check_estimate(result.groups[0].total, (v.v1 + v.v13) / v.total, 0.02);
  check_estimate(result.groups[1].first_order, v.v2 / v.total, 0.02);
  check_estimate(result.groups[1].total, v.v2 / v.total, 0.02);
}

TEST_CASE("Morris steps move one group at a time, by Delta, on the grid", "[sensitivity]") {
  std::vector<Factor> factors = {uniform("a", 0, 1, "pair"), uniform("b", 0, 1), uniform("c", 0, 1, "pair"),
                                 Factor{"d", Factor::Scale::log_uniform, 0.1, 10, ""}};
  const auto design = morris_design(factors, 25, 4, 81);
  const std::size_t g = 3;  // pair, b, d
  REQUIRE(design.groups.names == std::vector<std::string>{"pair", "b", "d"});
  REQUIRE(design.unit_points.size() == 25 * (g + 1));
  REQUIRE(design.steps.size() == 25 * g);
  CHECK(design.delta == Approx(2.0 / 3.0).epsilon(1e-15));
  for (const auto& point : design.unit_points) {
    for (double u : point) {
      CHECK(u >= 0.0);
      CHECK(u <= 1.0);
      CHECK(u * 3 == Approx(std::round(u * 3)).margin(1e-12));  // one of 0, 1/3, 2/3, 1
    }
  }
  for (std::size_t t = 0; t < 25; ++t) {
    std::vector<int> moves(g, 0);
    for (std::size_t s = 0; s < g; ++s) {
      const MorrisStep& step = design.steps[t * g + s];
      const auto& before = design.unit_points[t * (g + 1) + s];
      const auto& after = design.unit_points[t * (g + 1) + s + 1];
      CHECK(std::abs(step.delta) == design.delta);
      ++moves[step.group];
      for (std::size_t i = 0; i < factors.size(); ++i) {
        const double moved = design.groups.of_factor[i] == step.group ? step.delta : 0.0;
        CHECK(after[i] - before[i] == Approx(moved).margin(1e-12));
      }
    }
    CHECK(moves == std::vector<int>(g, 1));  // every group exactly once
  }
}

TEST_CASE("Saltelli rows are A, B, then A with each group's columns from B", "[sensitivity]") {
  std::vector<Factor> factors = {uniform("a", 0, 1, "pair"), uniform("b", 0, 1), uniform("c", 0, 1, "pair")};
  const auto design = saltelli_design(factors, 100, 91);
  const std::size_t n = 100;
  CHECK(design.skip == 128);  // the next power of two
  REQUIRE(design.unit_points.size() == n * 4);
  CHECK(saltelli_row(design, 3, 7) == 3 * n + 7);
  for (std::size_t j = 0; j < n; ++j) {
    const auto& a = design.unit_points[saltelli_row(design, 0, j)];
    const auto& b = design.unit_points[saltelli_row(design, 1, j)];
    const auto& ab_pair = design.unit_points[saltelli_row(design, 2, j)];
    const auto& ab_b = design.unit_points[saltelli_row(design, 3, j)];
    CHECK(ab_pair == std::vector<double>{b[0], a[1], b[2]});
    CHECK(ab_b == std::vector<double>{a[0], b[1], a[2]});
    for (double u : a) CHECK((u >= 0.0 && u < 1.0));
    for (double u : b) CHECK((u >= 0.0 && u < 1.0));
  }
  // A and B are the halves of one low-discrepancy sequence: in every coordinate, each of the 4
  // quarters of [0, 1) holds 32 of the first 128 rows (a power of two, so a whole net).
  const auto net = saltelli_design(factors, 128, 92);
  for (std::size_t block = 0; block < 2; ++block) {
    for (std::size_t c = 0; c < 3; ++c) {
      std::vector<int> quarters(4, 0);
      for (std::size_t j = 0; j < 128; ++j)
        ++quarters[static_cast<int>(net.unit_points[saltelli_row(net, block, j)][c] * 4)];
      CHECK(quarters == std::vector<int>(4, 32));
    }
  }
}

TEST_CASE("Sobol indices do not move when a constant is added to the output", "[sensitivity]") {
  const auto factors = ishigami_factors();
  const auto design = saltelli_design(factors, 1024, 101);
  auto y = evaluate(factors, design.unit_points, ishigami);
  const auto plain = sobol_indices(design, y, 100, 102);
  for (double& v : y) v += 1e6;
  const auto shifted = sobol_indices(design, y, 100, 102);
  for (std::size_t h = 0; h < 3; ++h) {
    CHECK(shifted.groups[h].first_order.value == Approx(plain.groups[h].first_order.value).margin(1e-6));
    CHECK(shifted.groups[h].total.value == Approx(plain.groups[h].total.value).margin(1e-6));
  }
}

TEST_CASE("The same seed gives the same designs and results", "[sensitivity]") {
  const auto factors = ishigami_factors();
  const auto s1 = saltelli_design(factors, 256, 5);
  const auto s2 = saltelli_design(factors, 256, 5);
  CHECK(s1.unit_points == s2.unit_points);
  CHECK(saltelli_design(factors, 256, 6).unit_points != s1.unit_points);
  const auto y = evaluate(factors, s1.unit_points, ishigami);
  const auto r1 = sobol_indices(s1, y, 200, 7);
  const auto r2 = sobol_indices(s2, y, 200, 7);
  for (std::size_t h = 0; h < 3; ++h) {
    CHECK(r1.groups[h].first_order.value == r2.groups[h].first_order.value);
    CHECK(r1.groups[h].first_order.low == r2.groups[h].first_order.low);
    CHECK(r1.groups[h].total.high == r2.groups[h].total.high);
  }
  CHECK(sobol_indices(s1, y, 200, 8).groups[0].first_order.low != r1.groups[0].first_order.low);

  const auto m1 = morris_design(factors, 10, 4, 5);
  const auto m2 = morris_design(factors, 10, 4, 5);
  CHECK(m1.unit_points == m2.unit_points);
  CHECK(morris_design(factors, 10, 4, 6).unit_points != m1.unit_points);
  // Trajectory t draws from its own stream: more trajectories extend the design.
  const auto longer = morris_design(factors, 12, 4, 5);
  CHECK(std::equal(m1.unit_points.begin(), m1.unit_points.end(), longer.unit_points.begin()));
  const auto ym = evaluate(factors, m1.unit_points, ishigami);
  const auto e1 = morris_indices(m1, ym, 200, 7);
  const auto e2 = morris_indices(m2, ym, 200, 7);
  for (std::size_t h = 0; h < 3; ++h) {
    CHECK(e1.groups[h].mu_star.low == e2.groups[h].mu_star.low);
    CHECK(e1.groups[h].mu_star.high == e2.groups[h].mu_star.high);
  }
}

TEST_CASE("Designs' first points are pinned", "[sensitivity]") {
  // Printed once from these designs. The Sobol sequence (Boost's Joe-Kuo table), the digital
  // shift and the Morris draws all come from fixed algorithms, so any change here changes every
  // analysis already run with a seed.
  const auto factors = ishigami_factors();
  const auto s = saltelli_design(factors, 8, 2026);
  const std::vector<double> a0 = {0x1.e5a092adcaaadp-1, 0x1.8220f0ea897f9p-1, 0x1.dc90da7e77d4bp-1};
  const std::vector<double> b0 = {0x1.289d73dbb0148p-2, 0x1.b31ac97d0bcd4p-1, 0x1.5eacb2c7f5b89p-1};
  CHECK(s.unit_points[0] == a0);
  CHECK(s.unit_points[8] == b0);
  const auto m = morris_design(factors, 2, 4, 2026);
  std::vector<std::size_t> groups;
  for (const MorrisStep& step : m.steps) groups.push_back(step.group);
  const std::vector<double> start = {0x1.5555555555555p-1, 0x1.5555555555555p-1, 0.0};
  CHECK(m.unit_points[0] == start);
  CHECK(groups == std::vector<std::size_t>{2, 0, 1, 2, 0, 1});
}

TEST_CASE("Invalid factors and arguments are refused with a reason", "[sensitivity]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(validate(uniform("beds", 5, 3)), Contains("beds") && Contains("must be below high"));
  CHECK_THROWS_WITH(validate(uniform("beds", 5, 5)), Contains("must be below high"));
  CHECK_THROWS_WITH(validate(Factor{"rate", Factor::Scale::log_uniform, 0.0, 1.0, ""}), Contains("low > 0"));
  CHECK_THROWS_WITH(validate(uniform("x", 0, std::numeric_limits<double>::infinity())), Contains("finite"));
  CHECK_THROWS_AS(validate(std::vector<Factor>{}), std::invalid_argument);
  CHECK_THROWS_WITH(validate(std::vector<Factor>{uniform("x", 0, 1), uniform("x", 0, 2)}), Contains("named twice"));
  CHECK_THROWS_WITH(validate(std::vector<Factor>{uniform("x", 0, 1), uniform("y", 0, 1, "x")}),
                    Contains("has the name of factor 'x'"));
  CHECK_THROWS_WITH(value_of(uniform("x", 0, 1), 1.5), Contains("outside [0, 1]"));
  CHECK_THROWS_AS(morris_design(ishigami_factors(), 1, 4, 1), std::invalid_argument);
  CHECK_THROWS_WITH(morris_design(ishigami_factors(), 10, 3, 1), Contains("even"));
  CHECK_THROWS_AS(saltelli_design(ishigami_factors(), 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(saltelli_design({uniform("x", 1, 0)}, 64, 1), std::invalid_argument);
}

TEST_CASE("Outputs that are missing, failed or constant are refused, naming the row", "[sensitivity]") {
  using Catch::Matchers::Contains;
  const auto factors = ishigami_factors();
  const auto s = saltelli_design(factors, 16, 1);
  auto y = evaluate(factors, s.unit_points, ishigami);
  CHECK_THROWS_WITH(sobol_indices(s, std::vector<double>(y.begin(), y.end() - 1), 10, 1), Contains("80 rows"));
  y[saltelli_row(s, 3, 5)] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(sobol_indices(s, y, 10, 1), Contains("row 53 (base row 5 of block AB 'x2')") && Contains("nan"));
  CHECK_THROWS_WITH(sobol_indices(s, std::vector<double>(y.size(), 4.0), 10, 1), Contains("all equal"));
  CHECK_THROWS_WITH(sobol_indices(s, std::vector<double>(y.size(), 4.0), 10, 1, 1.0), Contains("confidence"));

  const auto m = morris_design(factors, 5, 4, 1);
  auto ym = evaluate(factors, m.unit_points, ishigami);
  ym[9] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(morris_indices(m, ym, 10, 1), Contains("row 9 (point 1 of trajectory 2)") && Contains("inf"));
}

TEST_CASE("Factor values span the range, uniformly or by order of magnitude", "[sensitivity]") {
  const Factor beds = uniform("beds", 100, 300);
  CHECK(value_of(beds, 0.0) == 100.0);
  CHECK(value_of(beds, 1.0) == 300.0);
  CHECK(value_of(beds, 0.25) == Approx(150.0).epsilon(1e-15));
  const Factor rate{"rate", Factor::Scale::log_uniform, 0.01, 100.0, ""};
  CHECK(value_of(rate, 0.0) == 0.01);
  CHECK(value_of(rate, 1.0) == 100.0);
  CHECK(value_of(rate, 0.5) == Approx(1.0).epsilon(1e-14));  // the geometric midpoint
  CHECK(value_of(rate, 0.75) == Approx(10.0).epsilon(1e-14));
  CHECK(factor_values({beds, rate}, {0.5, 0.25}) == std::vector<double>{200.0, value_of(rate, 0.25)});
}
