// SPDX-License-Identifier: MIT
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "models/run/metrics.hpp"
#include "models/run/sensitivity_study.hpp"
#include "sim/calendar.hpp"
#include "sim/stats.hpp"

// What a run means, from the whole-run national value of every metric in every finished
// task: distributions per sweep point, paired differences against the baseline point (common
// random numbers make each replication a matched pair), and the deficit multiplier of fines
// (docs/sources.md §1). Built the same way from a run in memory and from a result file, so
// `breachsim run` and `breachsim summary` print the same tables.
namespace breachsim::models {

// "2015/16" for the financial year starting in April 2015.
std::string financial_year_label(int year);

// The financial years (1 April to 31 March) a run's reported months fall in, in order. A run
// that starts or ends mid-year has a partial first or last year, judged at its last reported
// month like any other (control totals are pro rata to date).
struct FinancialYears {
  std::vector<std::string> labels;       // "2015/16"
  std::vector<std::size_t> months;       // reported months of the year in the run (12 unless partial)
  std::vector<std::size_t> last_month;   // index of the year's last reported month
  std::size_t size() const { return labels.size(); }
};
FinancialYears financial_years(const sim::Date& first_month, std::size_t months);

struct NationalRuns {
  std::size_t points = 0, replications = 0, trusts = 0;
  std::vector<std::string> point_names, trust_names;
  std::size_t baseline = 0;
  // [point]: the point each point is compared with (Sweep::references); empty: the baseline.
  std::vector<std::size_t> references;
  // The sensitivity study whose design made the points (Sweep::study); none for a sweep.
  std::shared_ptr<const SensitivityStudy> study;
  FinancialYears years;
  std::vector<double> values;        // [point][replication][metric]
  std::vector<double> within_4h;     // [point][replication][trust]: share of attendances within 4 hours
  // At each financial year's last reported month (NaN: the file predates the metric).
  std::vector<double> control_total_met;            // [point][replication][trust][year]: 1 or 0
  std::vector<double> cip_delivered_share;          // [point][replication][trust][year]
  std::vector<double> national_control_total_met;   // [point][replication][year]: share of trusts
  std::vector<double> national_cip_delivered_share; // [point][replication][year]: mean over trusts
  std::vector<std::uint8_t> done;    // [point][replication]: 1 where the task finished
  // [point][replication][trust], or [point][replication] without trusts (the nation's):
  // QueueGrowth bits of the queues that grew without bound (models/run/queue_growth.hpp).
  std::vector<std::uint8_t> growing;
  // [point][replication]: the point's sanctions levied on its reference point's breaches of
  // that replication, over the run, all trusts; NaN until the reference's task has run, or in
  // a file written before it existed.
  std::vector<double> first_round_levy;
  // [point]: the swept keys other than sanctions on which the point differs from its reference
  // (non_sanction_differences); empty for a reference and for points differing in sanctions alone.
  std::vector<std::vector<std::string>> differs_in;
  // Footprints (docs/sources.md §5): names, each one's member trusts (indices), and at each
  // financial year's last reported month its outturn and plan (FootprintToDate),
  // [point][replication][footprint][year]; sized by set_footprints.
  std::vector<std::string> footprint_names;
  std::vector<std::vector<std::size_t>> footprint_trusts;
  std::vector<double> footprint_outturn, footprint_plan;

  std::size_t footprints() const { return footprint_names.size(); }
  // Names the footprints and sizes their slots for every task, unknown (NaN) until recorded.
  void set_footprints(std::vector<std::string> names, std::vector<std::vector<std::size_t>> trusts);
  // Task (p, r)'s footprints from its year-to-date series [footprint][month] of `months` months.
  void record_footprints(std::size_t p, std::size_t r, std::size_t months, const double* outturn, const double* plan) {
    const std::size_t F = footprints(), Y = years.size(), task = p * replications + r;
    for (std::size_t f = 0; f < F; ++f)
      for (std::size_t y = 0; y < Y; ++y) {
        footprint_outturn[(task * F + f) * Y + y] = outturn[f * months + years.last_month[y]];
        footprint_plan[(task * F + f) * Y + y] = plan[f * months + years.last_month[y]];
      }
  }

  double value(std::size_t p, std::size_t r, Metric m) const {
    return values[(p * replications + r) * metric_count + static_cast<std::size_t>(m)];
  }
  bool finished(std::size_t p, std::size_t r) const { return done[p * replications + r] != 0; }
  std::size_t finished_count(std::size_t p) const;

  std::size_t growth_slots() const { return std::max<std::size_t>(trusts, 1); }
  // Task (p, r)'s QueueGrowth bits, one per growth slot.
  void record_growth(std::size_t p, std::size_t r, const std::uint8_t* bits) {
    const std::size_t n = growth_slots();
    std::copy_n(bits, n, growing.begin() + static_cast<std::ptrdiff_t>((p * replications + r) * n));
  }

  std::size_t reference(std::size_t p) const { return references.empty() ? baseline : references.at(p); }
  // The task of replication r of the reference point of `compared`: what each of their
  // sanctions levied on its breaches, levy[k] for point compared[k].
  void record_first_round(std::size_t r, const std::vector<std::size_t>& compared, const std::vector<double>& levy) {
    for (std::size_t k = 0; k < compared.size() && k < levy.size(); ++k)
      first_round_levy[compared[k] * replications + r] = levy[k];
  }

  // Records a finished task from its national month series, series(metric index, month),
  // combined over months as the catalogue says; its trusts' whole-run A&E attendances and
  // 4-hour breaches; and its trusts' control_total_met and cip_delivered_share at each
  // financial year's last reported month, [trust][year] (none read when the runs keep no
  // trusts).
  template <class Series>
  void record(std::size_t p, std::size_t r, std::size_t months, Series&& series, const double* attendances,
              const double* breaches, const double* plan_met, const double* cip_share) {
    const std::size_t task = p * replications + r, Y = years.size();
    for (std::size_t mi = 0; mi < metric_count; ++mi) {
      const MetricInfo& m = metric_catalogue[mi];
      values[task * metric_count + mi] = combine_values(
          m.over_months, months, [&](std::size_t month) { return series(mi, month); },
          [&](std::size_t month) { return series(static_cast<std::size_t>(m.weight), month); });
    }
    for (std::size_t t = 0; t < trusts; ++t)
      within_4h[task * trusts + t] = attendances[t] > 0.0 ? 1.0 - breaches[t] / attendances[t] : 1.0;
    // Element by element: runs without trusts may pass null, which std::copy_n would hand to
    // memmove even for nothing to copy (undefined behaviour; GCC's -Wnonnull said so).
    for (std::size_t i = 0; i < trusts * Y; ++i) {
      control_total_met[task * trusts * Y + i] = plan_met[i];
      cip_delivered_share[task * trusts * Y + i] = cip_share[i];
    }
    for (std::size_t y = 0; y < Y; ++y) {
      national_control_total_met[task * Y + y] =
          series(static_cast<std::size_t>(Metric::control_total_met), years.last_month[y]);
      national_cip_delivered_share[task * Y + y] =
          series(static_cast<std::size_t>(Metric::cip_delivered_share), years.last_month[y]);
    }
    done[task] = 1;
  }
};

// Every task recorded from national month series, national_month[metric][(p R + r) M + month];
// `trust_attendances` / `trust_breaches` are whole-run sums per [point][replication][trust]
// (empty: no trusts kept), `trust_plan_met` / `trust_cip_share` the values at each of `years`'
// last reported months, [point][replication][trust][year]. `done` says which tasks finished.
NationalRuns national_runs(std::size_t points, std::size_t replications, std::size_t months,
                           const std::vector<std::vector<double>>& national_month,  // [metric] -> [p][r][month]
                           const std::vector<double>& trust_attendances, const std::vector<double>& trust_breaches,
                           const FinancialYears& years, const std::vector<double>& trust_plan_met,
                           const std::vector<double>& trust_cip_share, std::vector<std::uint8_t> done);

// NationalRuns::differs_in from the swept paths, each point's values of them, [point][path]
// as YAML text (PointsTable; the /points table of a result file), and each point's reference.
std::vector<std::vector<std::string>> differs_from_references(const std::vector<std::string>& paths,
                                                              const std::vector<std::vector<std::string>>& values,
                                                              const std::vector<std::size_t>& references);

// Sized for points x replications tasks of `trusts` trusts over `years`, none finished.
NationalRuns empty_national_runs(std::size_t points, std::size_t replications, std::size_t trusts,
                                 const FinancialYears& years = {});

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

// The extra cumulative deficit of a point against the baseline, paired by replication, in
// its parts (docs/sources.md §1), and for a point that differs from the baseline in sanctions
// alone the deficit multiplier of fines: the extra deficit per pound of first-round fines.
// Per replication, with every metric the whole-run national value, point minus baseline:
//   first_round_fines  the point's sanctions on the baseline's breaches (first_round_levy)
//                      less the fines the baseline itself levied: the bill if nobody responded
//   induced_fines      the rest of the extra fines: fines on the breaches the response added
//   lost_income        -(income_activity + income_other + income_incentives)
//   cost_change        cost_pay + cost_agency + cost_other
//   interest           interest
//   returned           fines_returned + pool_payouts: fines that came back to the trusts
// and delta_deficit = first_round + induced + lost_income + cost_change + interest - returned
// (the balance sheet's identity; exact up to rounding).
struct DeficitMultiplier {
  std::size_t point = 0;
  std::size_t replications = 0;  // finished at both the point and the baseline
  sim::MeanInterval first_round_fines, induced_fines, lost_income, cost_change, interest, returned, delta_deficit;
  // Ratio of paired means, delta-method 95% CI; NaN unless the point differs in sanctions
  // alone and its mean first-round fines are positive.
  double multiplier = 0.0, low = 0.0, high = 0.0;
  double share_deepened = 0.0;          // replications whose cumulative deficit the point deepened
  std::vector<std::string> differs_in;  // NationalRuns::differs_in of the point
  std::vector<std::pair<Metric, sim::MeanInterval>> extra_breaches;
};
// One entry per point but the baseline, in point order.
std::vector<DeficitMultiplier> deficit_multipliers(const NationalRuns& runs);

// The breach counts the multiplier table reports, one per standard.
inline constexpr Metric breach_metrics[] = {Metric::ed_breaches_4h, Metric::ed_trolley_waits_12h, Metric::rtt_over_18w,
                                            Metric::rtt_over_52w, Metric::cancer_breaches_62d};

// Whether one trust delivered its plan in one financial year, over the finished replications
// of a point; probabilities and the mean are NaN without a finished replication.
struct PlanDelivery {
  std::size_t point = 0, trust = 0, year = 0;  // year: index into NationalRuns::years
  std::size_t replications = 0;
  double control_total_met = 0.0;  // P(year-to-date surplus >= control total at the year's last reported month)
  double cip_in_full = 0.0;        // P(cip_delivered_share >= 1)
  double cip_share_mean = 0.0;     // mean share of the year's CIP target delivered
};
// One row per point x trust x financial year, in that order; none when the runs keep no trusts.
std::vector<PlanDelivery> plan_delivery(const NationalRuns& runs);

// Whether a footprint delivered its plan in one financial year, over the finished
// replications of a point, against its member trusts' own plans. Probabilities are NaN
// without a finished replication; the ones about member trusts also without trust detail.
struct FootprintDelivery {
  std::size_t point = 0, footprint = 0, year = 0;
  std::size_t replications = 0;
  double plan = 0.0;                    // GBP, the year's (the same in every replication)
  sim::MeanInterval outturn;            // GBP, over replications
  double delivered = 0.0;               // P(outturn >= plan)
  double trusts_all_met = 0.0;          // P(every member trust met its own control total)
  double delivered_trust_missed = 0.0;  // P(the footprint delivered while a member trust missed)
  double missed_trusts_all_met = 0.0;   // P(the footprint missed while every member trust met)
  std::vector<double> trust_met;        // per member trust (NationalRuns::footprint_trusts order)
  std::vector<double> trust_missed_footprint_delivered;  // per member trust: P(it missed, the footprint delivered)
};
// One row per point x footprint x financial year, in that order.
std::vector<FootprintDelivery> footprint_delivery(const NationalRuns& runs);

// A sweep of more points prints its plans and footprints at the baseline only: every point's
// tables would bury the rest of the summary (the file's /summary tables have them all).
inline constexpr std::size_t plan_points_printed = 4;

// How the summary prints a probability ("35%", "<1%", ">99%", "n/a") and a metric's value
// ("-£2.31m", "0.412", "1520").
std::string probability_text(double p);
std::string format_value(double v, const MetricInfo& m);

// The footprints table of `print_summary`, for the points print_summary shows plans for.
void print_footprints_section(std::ostream& out, const NationalRuns& runs);

// The printed summary: for one point every metric by section (median and 90% interval over
// replications) and 4-hour performance by trust; for a sweep, the headline metrics of every
// point, paired differences against the baseline and the fines multiplier; then, for both,
// the plans delivered by trust and financial year (for a sweep of many points, at the
// baseline only: the file's /summary/plan_delivery has every point). With `metric`
// non-empty, that metric alone in full for every point. Throws std::invalid_argument for an
// unknown metric name.
void print_summary(std::ostream& out, const NationalRuns& runs, const std::string& title,
                   const std::string& metric = "");

}  // namespace breachsim::models
