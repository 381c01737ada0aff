// SPDX-License-Identifier: MIT
// One medium trust-year on one core (issue 3's yardstick): about 120k A&E attendances and 60k
// RTT clock starts, every department on, no output written. Prints nanoseconds per event and
// seconds per trust-year, best of several replications.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "models/run/run.hpp"

using namespace breachsim;

int main(int argc, char** argv) {
  const int replications = argc > 1 ? std::atoi(argv[1]) : 5;
  models::Scenario s;
  s.scenario.first_month = {2015, 4, 1};
  s.scenario.months = 12;
  s.scenario.warmup_months = 0;
  models::TrustParams t;
  t.name = "medium";
  t.ed.arrivals_per_year = 120000.0;
  t.elective.referrals_per_week = 60000.0 / 52.0;
  if (argc > 2) t.elective.leave_list_per_year = std::atof(argv[2]);
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);

  double best = 1e300;
  std::uint64_t events = 0;
  double attendances = 0.0, clock_starts = 0.0;
  for (int r = 0; r < replications; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const auto out = models::simulate_replication(setup, 1, static_cast<std::uint32_t>(r));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds < best) {
      best = seconds;
      events = out.events;
    }
    models::RunOutcome one;
    one.replications = 1;
    one.trusts = 1;
    one.months = setup.months();
    one.runs.push_back(out);
    attendances = one.national_run(models::Metric::ed_attendances, 0);
    clock_starts = one.national_run(models::Metric::rtt_clock_starts, 0);
  }
  std::printf("medium trust-year: %.0f A&E attendances, %.0f RTT clock starts, %llu events (incl. warm-up-free start)\n",
              attendances, clock_starts, static_cast<unsigned long long>(events));
  std::printf("  %.3f s per trust-year (goal <= 0.15 s), %.1f ns per event (goal <= 150 ns), best of %d\n", best,
              best / static_cast<double>(events) * 1e9, replications);
  return 0;
}
