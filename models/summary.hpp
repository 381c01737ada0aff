// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "models/metrics.hpp"
#include "sim/stats.hpp"

// What a run means, from the whole-run national value of every metric in every finished
// task: distributions per sweep point, paired differences against the baseline point (common
// random numbers make each replication a matched pair), and the deficit multiplier of fines
// (DOMAIN.md §1). Built the same way from a run in memory and from a result file, so
// `breachsim run` and `breachsim summary` print the same tables.
namespace breachsim::models {

struct NationalRuns {
  std::size_t points = 0, replications = 0, trusts = 0;
  std::vector<std::string> point_names, trust_names;
  std::size_t baseline = 0;
  std::vector<double> values;        // [point][replication][metric]
  std::vector<double> within_4h;     // [point][replication][trust]: share of attendances within 4 hours
  std::vector<std::uint8_t> done;    // [point][replication]: 1 where the task finished

  double value(std::size_t p, std::size_t r, Metric m) const {
    return values[(p * replications + r) * metric_count + static_cast<std::size_t>(m)];
  }
  bool finished(std::size_t p, std::size_t r) const { return done[p * replications + r] != 0; }
  std::size_t finished_count(std::size_t p) const;

  // Records a finished task from its national month series, series(metric index, month),
  // combined over months as the catalogue says, and its trusts' whole-run A&E attendances
  // and 4-hour breaches (not read when the runs keep no trusts).
  template <class Series>
  void record(std::size_t p, std::size_t r, std::size_t months, Series&& series, const double* attendances,
              const double* breaches) {
    const std::size_t task = p * replications + r;
    for (std::size_t mi = 0; mi < metric_count; ++mi) {
      const MetricInfo& m = metric_catalogue[mi];
      values[task * metric_count + mi] = combine_values(
          m.over_months, months, [&](std::size_t month) { return series(mi, month); },
          [&](std::size_t month) { return series(static_cast<std::size_t>(m.weight), month); });
    }
    for (std::size_t t = 0; t < trusts; ++t)
      within_4h[task * trusts + t] = attendances[t] > 0.0 ? 1.0 - breaches[t] / attendances[t] : 1.0;
    done[task] = 1;
  }
};

// Every task recorded from national month series, national_month[metric][(p R + r) M + month];
// `trust_attendances` / `trust_breaches` are whole-run sums per [point][replication][trust]
// (empty: no trusts kept). `done` says which tasks finished.
NationalRuns national_runs(std::size_t points, std::size_t replications, std::size_t months,
                           const std::vector<std::vector<double>>& national_month,  // [metric] -> [p][r][month]
                           const std::vector<double>& trust_attendances, const std::vector<double>& trust_breaches,
                           std::vector<std::uint8_t> done);

// Sized for points x replications tasks of `trusts` trusts, none finished.
NationalRuns empty_national_runs(std::size_t points, std::size_t replications, std::size_t trusts);

// The same runs with `replications` slots at every point: cut to the first ones, or padded
// with unfinished slots.
NationalRuns with_replications(const NationalRuns& runs, std::size_t replications);

// Point p against the baseline over the replications finished at both.
struct PairedDifference {
  sim::MeanInterval difference;  // of p minus baseline, 95% CI
  // (var(x_p) + var(x_baseline)) / var(x_p - x_baseline): how many times more replications
  // independent sampling would need for the same interval; infinite when every pair agrees.
  double variance_reduction = 0.0;
};
PairedDifference paired_difference(const NationalRuns& runs, std::size_t point, Metric m);

// The extra deficit fines caused, per pound of fines levied, for a point that levies more
// fines than the baseline (DOMAIN.md §1): a ratio of paired means with a delta-method 95% CI.
struct FinesMultiplier {
  std::size_t point = 0;
  std::size_t replications = 0;
  sim::MeanInterval extra_deficit;   // cumulative deficit at the end, point minus baseline
  sim::MeanInterval extra_fines;     // fines levied over the run, point minus baseline
  double multiplier = 0.0, low = 0.0, high = 0.0;
  double share_deepened = 0.0;       // replications whose deficit the fines deepened
  std::vector<std::pair<Metric, sim::MeanInterval>> extra_breaches;
};
// One entry per non-baseline point whose mean fines exceed the baseline's.
std::vector<FinesMultiplier> fines_multipliers(const NationalRuns& runs);

// The breach counts the multiplier table reports, one per standard.
inline constexpr Metric breach_metrics[] = {Metric::ed_breaches_4h, Metric::ed_trolley_waits_12h, Metric::rtt_over_18w,
                                            Metric::rtt_over_52w, Metric::cancer_breaches_62d};

// The printed summary: for one point every metric by section (median and 90% interval over
// replications) and 4-hour performance by trust; for a sweep, the headline metrics of every
// point, paired differences against the baseline and the fines multiplier. With `metric`
// non-empty, that metric alone in full for every point. Throws std::invalid_argument for an
// unknown metric name.
void print_summary(std::ostream& out, const NationalRuns& runs, const std::string& title,
                   const std::string& metric = "");

}  // namespace breachsim::models
