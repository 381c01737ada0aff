// SPDX-License-Identifier: MIT
// One medium trust-year on one core (issue 3's yardstick): about 120k A&E attendances and 60k
// RTT clock starts, every department on, no output written. Prints nanoseconds per event and
// seconds per trust-year, best of several replications; then the same trust without the
// stages of the RTT pathway before the treatment list, lost pathways and list validation
// (issue 13's per-patient work: a random stream, three draws, a hold and a release for every
// referral, and no extra events), so what that work costs per event is measured, not guessed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "models/run/run.hpp"

using namespace breachsim;

namespace {

void measure(const char* label, const models::TrustParams& t, int replications) {
  models::Scenario s;
  s.scenario.first_month = {2015, 4, 1};
  s.scenario.months = 12;
  s.scenario.warmup_months = 0;
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
  std::printf("%s: %.0f A&E attendances, %.0f RTT clock starts, %llu events (incl. warm-up-free start)\n", label,
              attendances, clock_starts, static_cast<unsigned long long>(events));
  std::printf("  %.3f s per trust-year (goal <= 0.15 s), %.1f ns per event (goal <= 150 ns), best of %d\n", best,
              best / static_cast<double>(events) * 1e9, replications);
}

}  // namespace

int main(int argc, char** argv) {
  const int replications = argc > 1 ? std::atoi(argv[1]) : 5;
  models::TrustParams t;
  t.name = "medium";
  t.ed.arrivals_per_year = 120000.0;
  t.elective.referrals_per_week = 60000.0 / 52.0;
  if (argc > 2) t.elective.leave_list_per_year = std::atof(argv[2]);
  measure("medium trust-year", t, replications);

  sim::config::DistributionSpec booked_at_once;
  booked_at_once.kind = sim::Distribution::Kind::constant;
  booked_at_once.value = 0.0;
  t.elective.weeks_before_booking_non_admitted = booked_at_once;
  t.elective.weeks_before_booking_admitted = booked_at_once;
  t.elective.lost_share = 0.0;
  t.elective.validation_removal_share = 0.0;
  measure("the same without pathway stages, lost pathways and validation", t, replications);
  return 0;
}
