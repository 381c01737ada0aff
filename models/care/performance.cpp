// SPDX-License-Identifier: MIT
#include "models/care/performance.hpp"

#include "models/care/trust.hpp"

namespace breachsim::models {

BreachCounts count_breaches(const TrustMonth& tm) {
  BreachCounts c;
  tm.add_to(c);
  return c;
}

namespace {

std::array<Tally, standard_count> month_tallies(const BreachCounts& c) {
  std::array<Tally, standard_count> t{};
  t[static_cast<std::size_t>(Standard::ed_4h)] = {c.ed_attendances, c.ed_breaches_4h};
  t[static_cast<std::size_t>(Standard::ed_12h)] = {c.emergency_admissions, c.ed_trolley_waits_12h};
  t[static_cast<std::size_t>(Standard::rtt_18w)] = {c.rtt_waiting, c.rtt_over_18w};
  t[static_cast<std::size_t>(Standard::cancer_62d)] = {c.cancer_treated, c.cancer_breaches_62d};
  return t;
}

// Adds a month to a period's tallies; a snapshot standard is replaced, not added.
void accumulate(std::array<Tally, standard_count>& period, const std::array<Tally, standard_count>& month) {
  for (std::size_t s = 0; s < standard_count; ++s) {
    if (s == static_cast<std::size_t>(Standard::rtt_18w)) {
      period[s] = month[s];
    } else {
      period[s].total += month[s].total;
      period[s].breaches += month[s].breaches;
    }
  }
}

}  // namespace

const PerformanceRecord& PerformanceLedger::measure(std::size_t trust, const TrustMonth& tm, bool new_quarter,
                                                    bool new_year) {
  PerformanceRecord& r = records_[trust];
  auto& [month, quarter, year] = r.tallies;
  if (new_quarter) quarter = {};
  if (new_year) year = {};
  r.counts = count_breaches(tm);
  month = month_tallies(r.counts);
  accumulate(quarter, month);
  accumulate(year, month);
  return r;
}

}  // namespace breachsim::models
