// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <cstdint>
#include <iosfwd>

#include "models/run/metrics.hpp"

// Queues that grow without bound: demand above capacity for the whole run, so no steady state
// exists, the outcomes depend on how long the run is, and memory grows with the queue (a
// patient in a queue is a record in memory). Judged from month-end series the run reports, so
// a run in memory and a result file read back say the same; the summary names them.
namespace breachsim::models {

struct NationalRuns;

enum QueueGrowth : std::uint8_t {
  growing_ed = 1,            // ed_mean_minutes: the time in A&E of those who leave it
  growing_waiting_list = 2,  // rtt_waiting
  growing_cancer = 4,        // cancer_on_pathway
};

// Whether a month-end series grows without bound: over at least 4 months it rises in three
// steps of four or more, ends at least twice its first month and at or above `floor`, and
// still rises in its second half by at least half what it rose in the first (a queue filling
// up towards a steady state, such as a list started empty, slows down instead).
template <class Month>
bool grows_without_bound(Month&& value, std::size_t months, double floor) {
  if (months < 4) return false;
  std::size_t rises = 0;
  for (std::size_t m = 1; m < months; ++m) rises += value(m) > value(m - 1) ? 1 : 0;
  const double first = value(0), middle = value(months / 2), last = value(months - 1);
  return 4 * rises >= 3 * (months - 1) && last >= 2 * first && last >= floor && last - middle >= 0.5 * (middle - first);
}

// The QueueGrowth bits of one trust (or the nation), series(metric, month) its month-end values.
template <class Series>
std::uint8_t growing_queues(Series&& series, std::size_t months) {
  const auto of = [&series](Metric m) { return [&series, m](std::size_t month) { return series(m, month); }; };
  std::uint8_t bits = 0;
  // Half a day on average in A&E: past any department's capacity (12-hour trolley waits).
  if (grows_without_bound(of(Metric::ed_mean_minutes), months, 720)) bits |= growing_ed;
  if (grows_without_bound(of(Metric::rtt_waiting), months, 1000)) bits |= growing_waiting_list;
  if (grows_without_bound(of(Metric::cancer_on_pathway), months, 500)) bits |= growing_cancer;
  return bits;
}

// "Queues growing without bound: ..." with each trust (or the nation) and queue and in how
// many replications; nothing when none grew.
void print_growing_queues(std::ostream& out, const NationalRuns& runs);

}  // namespace breachsim::models
