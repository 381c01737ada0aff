// SPDX-License-Identifier: MIT
// The money loop in whole simulated runs: every pound fined is accounted for, a policy that
// starts mid-year starts on its date, and cost control cuts capacity only after its trigger,
// which then shows in longer waits.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/run.hpp"

using namespace breachsim;
using models::Metric;

namespace {

models::SchemeParams scheme(const char* type, const char* what, double rate, const char* destination) {
  models::SchemeParams p;
  p.type = type;
  if (std::string(type) == "per_incident") p.incident = what;
  else p.standard = what;
  p.rate_gbp = rate;
  p.tolerance = std::string(what) == "rtt_18w" ? 0.08 : 0.05;
  p.destination = destination;
  p.reinvest_lag_months = 2;
  return p;
}

// Two trusts of the default size, one of them short of A&E staff so that it breaches.
models::Scenario two_trusts(int months) {
  models::Scenario s;
  s.scenario.name = "money";
  s.scenario.months = months;
  s.scenario.warmup_months = 2;
  for (const char* name : {"Steady", "Stretched"}) {
    models::TrustParams t;
    t.name = name;
    t.region = name;
    if (std::string(name) == "Stretched") {
      t.staffing.ed_clinicians.establishment_wte *= 0.93;
      t.finance.costs.fixed_gbp_per_year *= 1.1;  // and in deficit, so pools pay it
    }
    s.trusts.push_back(t);
  }
  return s;
}

double sum_over(const models::RunOutcome& run, Metric m, std::size_t r) { return run.national_run(m, r); }

}  // namespace

TEST_CASE("every pound fined is withheld, returned, awaiting return or in a pool", "[money]") {
  models::Scenario s = two_trusts(12);
  s.schemes = {{"ed", scheme("excess_breaches", "ed_4h", 120.0, "reinvested")},
               {"rtt", scheme("excess_breaches", "rtt_18w", 300.0, "withheld")},
               {"trolley", scheme("per_incident", "ed_trolley_waits_12h", 1000.0, "pooled")},
               {"ed_pooled", scheme("excess_breaches", "ed_4h", 60.0, "pooled")}};
  s.schemes[3].second.pool = "Stretched";  // a regional pool: only that region's trust can draw on it
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, 11, 3, 2);
  for (std::size_t r = 0; r < run.replications; ++r) {
    const double fines = sum_over(run, Metric::fines, r);
    const double withheld = sum_over(run, Metric::fines_withheld, r);
    const double reinvested = sum_over(run, Metric::fines_reinvested, r);
    const double pooled = sum_over(run, Metric::fines_pooled, r);
    const double returned = sum_over(run, Metric::fines_returned, r);
    const double payouts = sum_over(run, Metric::pool_payouts, r);
    const auto& out = run.runs[r];
    INFO("replication " << r << ": fines " << fines << ", withheld " << withheld << ", reinvested " << reinvested
                        << ", pooled " << pooled << ", returned " << returned << ", payouts " << payouts);
    REQUIRE(fines > 0.0);
    CHECK(withheld > 0.0);
    CHECK(returned > 0.0);
    CHECK(payouts > 0.0);
    CHECK(fines == Approx(withheld + reinvested + pooled).epsilon(1e-12));
    CHECK(reinvested == Approx(returned + out.awaiting_return).epsilon(1e-12));
    CHECK(pooled == Approx(payouts + out.pool_balance).epsilon(1e-12));
    // Scheme by scheme, the fines add up to the total.
    double by_scheme = 0.0;
    for (std::size_t k = 0; k < run.schemes; ++k)
      for (std::size_t t = 0; t < run.trusts; ++t)
        for (std::size_t m = 0; m < run.months; ++m) by_scheme += run.scheme_fines(k, r, t, m);
    CHECK(by_scheme == Approx(fines).epsilon(1e-12));
    // Only the trust in deficit draws on the pools.
    CHECK(run.trust_run(Metric::pool_payouts, r, 0) == 0.0);
  }
}

TEST_CASE("a scheme that starts mid-year levies nothing before its date", "[money]") {
  models::Scenario s = two_trusts(12);  // April 2015 to March 2016
  auto ed = scheme("excess_breaches", "ed_4h", 120.0, "withheld");
  ed.from = sim::Date{2015, 10, 1};
  s.schemes = {{"ed_from_october", ed}};
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, 5, 2, 2);
  for (std::size_t r = 0; r < run.replications; ++r) {
    for (std::size_t m = 0; m < 6; ++m) CHECK(run.national_month(Metric::fines, r, m) == 0.0);
    double after = 0.0;
    for (std::size_t m = 6; m < 12; ++m) after += run.national_month(Metric::fines, r, m);
    CHECK(after > 0.0);
  }
}

TEST_CASE("cost control cuts capacity only after its trigger, and waits lengthen", "[money]") {
  // A trust whose fixed costs put it behind plan from the first month. With cost control on,
  // the months up to the first decision are identical to the run without it (same patients,
  // same draws); afterwards agency, beds and theatre sessions are cut and the list grows.
  models::Scenario base;
  base.scenario.name = "cost_control";
  base.scenario.months = 12;
  base.scenario.warmup_months = 2;
  models::TrustParams t;
  t.name = "Overspent";
  t.finance.costs.fixed_gbp_per_year *= 1.15;
  base.trusts.push_back(t);
  models::Scenario acting = base;
  acting.trusts[0].management.cost_control.enabled = true;
  acting.trusts[0].management.lag_months = 2;

  const auto off = models::run_replications(models::ScenarioSetup(base), 3, 4, 2);
  const auto on = models::run_replications(models::ScenarioSetup(acting), 3, 4, 2);
  double rtt_over_off = 0.0, rtt_over_on = 0.0;
  for (std::size_t r = 0; r < on.replications; ++r) {
    // Decided at the end of month 0 with a lag of 2: months 0 and 1 run as before.
    for (std::size_t m = 0; m < 2; ++m) {
      CHECK(on.trust_month(Metric::cost_control_acting, r, 0, m) == 0.0);
      CHECK(on.trust_month(Metric::ed_breaches_4h, r, 0, m) == off.trust_month(Metric::ed_breaches_4h, r, 0, m));
      CHECK(on.trust_month(Metric::rtt_treated, r, 0, m) == off.trust_month(Metric::rtt_treated, r, 0, m));
    }
    CHECK(on.trust_month(Metric::cost_control_acting, r, 0, 2) == 1.0);
    CHECK(on.trust_month(Metric::staff_agency_wte, r, 0, 2) < off.trust_month(Metric::staff_agency_wte, r, 0, 2));
    CHECK(on.trust_month(Metric::beds_open, r, 0, 2) < off.trust_month(Metric::beds_open, r, 0, 2));
    for (std::size_t m = 6; m < 12; ++m) {
      rtt_over_off += off.trust_month(Metric::rtt_over_18w, r, 0, m);
      rtt_over_on += on.trust_month(Metric::rtt_over_18w, r, 0, m);
    }
    // The cuts save money: the deficit at the year end is smaller.
    CHECK(on.trust_run(Metric::cumulative_deficit, r, 0) < off.trust_run(Metric::cumulative_deficit, r, 0));
  }
  INFO("RTT over 18 weeks, months 6-11 summed: " << rtt_over_off << " without cost control, " << rtt_over_on << " with");
  CHECK(rtt_over_on > 1.5 * rtt_over_off);
}
