// SPDX-License-Identifier: MIT
// The A&E configured as an M/M/c queue (constant arrival rate, exponential treatment, a
// constant number of clinicians, nobody admitted) must reproduce queueing theory.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "tests/queueing.hpp"

using namespace breachsim;

using namespace breachsim::testing;

TEST_CASE("A&E as M/M/c matches Erlang C mean time and P(T > 4h)", "[ed][validation]") {
  struct Case {
    int c;
    double rho;
    double mean_treatment;
    int months;
    int replications;
  };
  // Moderate load, and heavy loads (rho >= 0.9) where queueing dominates the 4-hour tail.
  // Heavy traffic relaxes slowly (time scale ~ 1/(c mu (1 - rho)^2)), so those runs are longer.
  const Case cases[] = {{5, 0.70, 90.0, 6, 16}, {10, 0.92, 60.0, 12, 16}, {3, 0.95, 40.0, 96, 32}};
  for (const auto& k : cases) {
    DYNAMIC_SECTION("c = " << k.c << ", rho = " << k.rho) {
      const double mu = 1.0 / k.mean_treatment;
      const double lambda = k.rho * k.c * mu;
      const auto sim = replicate(mmc_scenario(k.c, lambda, k.mean_treatment, k.months), k.replications);
      const auto th = theory(k.c, lambda, mu, 240.0);
      check_close(sim.mean_sojourn, th.mean_sojourn, 0.02, "mean time in department (min)");
      check_close(sim.breach_share, th.tail, 0.05, "share over 240 min");
      check_close(sim.occupancy, lambda * th.mean_sojourn, 0.02, "mean patients present (L = lambda W)");
    }
  }
}

TEST_CASE("Little's law holds on every sample path", "[ed][validation]") {
  // L = lambda W holds exactly for a path that starts and ends empty; over six months the
  // patients present at the boundaries shift it by a few in 10^5, hence the 0.1% bound.
  const auto sim = replicate(mmc_scenario(8, 0.9 * 8 / 50.0, 50.0, 6), 6);
  for (double gap : sim.littles_gap) CHECK(std::fabs(gap) < 1e-3);
}

TEST_CASE("Erlang C reference values", "[ed][validation]") {
  // Textbook anchor: c = 2, a = 1 gives C = 1/3; c = 1 reduces to rho (M/M/1).
  CHECK(erlang_c(2, 1.0) == Approx(1.0 / 3.0));
  CHECK(erlang_c(1, 0.6) == Approx(0.6));
}
