// SPDX-License-Identifier: MIT
// Long validations (label `long`, `scripts/test -L long`): the A&E as M/M/c over a grid of
// servers and loads, against the whole sojourn-time distribution, and the bed pool as an
// M/M/c/c loss system over a grid of loads. Minutes of CPU; kept out of the default run.
#include <catch2/catch.hpp>

#include "tests/queueing.hpp"

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

namespace {

struct LossHarness {
  models::Wards& wards;
  sim::RandomStream gaps;
  double mean_gap;
  std::uint64_t requests = 0, refused = 0;

  void on_event(const models::TrustEvent& e, models::TrustSimulator& s) {
    if (e.kind == models::TrustEventKind::bed_discharge) {
      wards.discharge(e.id, s);
      return;
    }
    ++requests;
    if (!wards.admit_elective(requests, s)) ++refused;
    s.schedule(s.now() + sim::sample_exponential(gaps, mean_gap), sim::Priority::arrival,
               {models::TrustEventKind::ed_arrival, 0});
  }
};

}  // namespace

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
        const models::WardSetup setup(p);
        std::vector<double> shares;
        for (std::uint32_t r = 0; r < 16; ++r) {
          models::Wards wards(setup, sim::StreamKey{71, r, 0});
          LossHarness h{wards, sim::RandomStream(sim::StreamKey{71, r, 0}, 0, 99), sim::days(5.0) / a};
          models::TrustSimulator s;
          s.schedule(0.0, sim::Priority::arrival, {models::TrustEventKind::ed_arrival, 0});
          s.run_until(sim::days(200), h);
          h.requests = h.refused = 0;
          s.run_until(sim::days(20200), h);
          shares.push_back(static_cast<double>(h.refused) / static_cast<double>(h.requests));
        }
        check_close(shares, erlang_b(50, a), 0.03, "blocked share");
      }
    }
  }
}
