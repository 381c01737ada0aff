// SPDX-License-Identifier: MIT
// Long validations (label `long`, `scripts/test -L long`): the A&E as M/M/c over a grid of
// servers and loads, against the whole sojourn-time distribution, and the bed pool as an
// M/M/c/c loss system over a grid of loads. Minutes of CPU; kept out of the default run.
#include <catch2/catch.hpp>

#include "tests/queueing.hpp"
#include "tests/wards_any_hour.hpp"

using namespace breachsim;
using namespace breachsim::testing;

TEST_CASE("M/M/c sojourn distribution over a grid of servers and loads", "[long][validation]") {
  // Heavy traffic relaxes on a time scale ~ 1/(c mu (1 - rho)^2), so the months grow with
  // load; with 24 replications each assertion is within 4 SE of theory, and the SE itself is
  // below `precision` of the value (rho = 0.95 at c = 10 needs 40 years for 2%).
  struct Case {
    int c;
    double rho;
    int months;
    double precision;
  };
  const Case cases[] = {{1, 0.5, 12, 0.015},  {1, 0.8, 48, 0.015},   {2, 0.9, 60, 0.015},
                        {10, 0.5, 6, 0.015},  {10, 0.95, 480, 0.02}, {30, 0.8, 6, 0.015}};
  const double mean_treatment = 60.0;
  for (const auto& k : cases) {
    DYNAMIC_SECTION("c = " << k.c << ", rho = " << k.rho) {
      const double mu = 1.0 / mean_treatment;
      const double lambda = k.rho * k.c * mu;
      const auto sim = replicate(mmc_scenario(k.c, lambda, mean_treatment, k.months), 24);
      const auto th = theory(k.c, lambda, mu, 240.0);
      check_close(sim.mean_sojourn, th.mean_sojourn, k.precision, "mean time in department");
      check_close(sim.breach_share, th.tail, 0.05, "P(T > 240 min)");
      check_close(sim.occupancy, lambda * th.mean_sojourn, k.precision, "L = lambda W");
    }
  }
}


TEST_CASE("bed pool blocking matches Erlang B over a grid of loads", "[long][validation]") {
  // 50 beds, mean stay 5 days, offered loads from light to overloaded. Erlang B is
  // insensitive to the stay distribution, so lognormal stays must give the same blocking.
  for (double a : {35.0, 45.0, 55.0}) {
    for (auto kind : {sim::Distribution::Kind::exponential, sim::Distribution::Kind::lognormal}) {
      DYNAMIC_SECTION("a = " << a << ", " << sim::to_string(kind) << " stays") {
        models::BedParams p;
        p.general_acute_beds = 50;
        p.elective_day_case_share = 0.0;
        p.readmission_share_after_elective = 0.0;
        p.elective_stay_days = {kind, 0.0, 5.0, 4.0, {}, {}, {}};
        // Stays that end when drawn, at any hour: the discharge window would lengthen them.
        testing::without_window(p);
        const auto shares = blocked_shares(p, sim::days(5.0) / a, 16, sim::days(200), sim::days(20000), 71);
        check_close(shares, erlang_b(50, a), 0.03, "blocked share");
      }
    }
  }
}
