// SPDX-License-Identifier: MIT
#include "models/run/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <ostream>
#include <stdexcept>

#include "models/run/sensitivity_summary.hpp"
#include "models/run/queue_growth.hpp"
#include "models/run/scenario.hpp"

namespace breachsim::models {

// Money in £k/£m/£bn, fractions to three places, counts whole.
std::string format_value(double v, const MetricInfo& m) {
  char buf[64];
  const std::string unit = m.unit;
  if (unit == "GBP") {
    const double a = std::fabs(v);
    const char* sign = v < 0 ? "-" : "";
    if (a >= 1e9) std::snprintf(buf, sizeof buf, "%s£%.2fbn", sign, a / 1e9);
    else if (a >= 1e6) std::snprintf(buf, sizeof buf, "%s£%.2fm", sign, a / 1e6);
    else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%s£%.1fk", sign, a / 1e3);
    else std::snprintf(buf, sizeof buf, "%s£%.0f", sign, a);
  } else if (unit == "fraction") {
    std::snprintf(buf, sizeof buf, "%.3f", v);
  } else if (unit == "%") {
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v);
  } else if (m.integer || std::fabs(v) >= 1000.0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  }
  return buf;
}

// Whole percentages, except that a probability near but not at 0 or 1 never prints as one:
// "never" and "always" are claims a finite number of replications can make only when true.
std::string probability_text(double p) {
  if (std::isnan(p)) return "n/a";
  if (p > 0.0 && p < 0.005) return "<1%";
  if (p < 1.0 && p >= 0.995) return ">99%";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * p);
  return buf;
}

namespace {

double variance(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double sd = sim::mean_interval(v).sd;
  return sd * sd;
}

std::string signed_value(double v, const MetricInfo& m) {
  const std::string s = format_value(v, m);
  return v > 0 ? "+" + s : s;
}

const char* over_months_note(const MetricInfo& m) {
  return m.over_months == Combine::sum ? "" : m.over_months == Combine::last ? " (at the end)" : " (mean)";
}

std::vector<double> finished_values(const NationalRuns& runs, std::size_t p, Metric m) {
  std::vector<double> v;
  for (std::size_t r = 0; r < runs.replications; ++r)
    if (runs.finished(p, r)) v.push_back(runs.value(p, r, m));
  return v;
}

// A metric newer than the file being read has no values there (NaN, see read_saved_run).
bool absent(const std::vector<double>& v) { return !v.empty() && std::isnan(v.front()); }
constexpr const char* absent_text = "not in this file (written before the metric existed)";

std::string median_interval(const std::vector<double>& v, const MetricInfo& m) {
  if (v.empty()) return "no finished replication";
  return format_value(sim::quantile(v, 0.5), m) + " [" + format_value(sim::quantile(v, 0.05), m) + ", " +
         format_value(sim::quantile(v, 0.95), m) + "]";
}

std::string mean_ci(const sim::MeanInterval& ci, const MetricInfo& m) {
  return signed_value(ci.mean, m) + " [" + signed_value(ci.low, m) + ", " + signed_value(ci.high, m) + "]";
}

std::string reduction(double x) {
  if (std::isinf(x)) return "identical in every pair";
  char buf[64];
  std::snprintf(buf, sizeof buf, "CRN variance reduction x%.1f", x);
  return buf;
}

constexpr Metric headline[] = {Metric::ed_breaches_4h,     Metric::ed_trolley_waits_12h, Metric::rtt_over_18w,
                               Metric::rtt_over_52w,       Metric::cancer_breaches_62d,  Metric::fines,
                               Metric::income_activity,    Metric::cost_agency,          Metric::surplus,
                               Metric::cumulative_deficit, Metric::special_measures,     Metric::cost_control_acting};

void pad(std::ostream& out, const std::string& s, std::size_t width) {
  out << s;
  for (std::size_t i = s.size(); i < width; ++i) out << ' ';
}

void pad_left(std::ostream& out, const std::string& s, std::size_t width) {
  for (std::size_t i = s.size(); i < width; ++i) out << ' ';
  out << s;
}

std::string share_text(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}


// Columns of one financial year in the plans table: the label above three values.
constexpr std::size_t plan_met_width = 8, plan_full_width = 10, plan_mean_width = 10;
constexpr std::size_t plan_year_width = plan_met_width + plan_full_width + plan_mean_width;

// The plans table of point p, rows indented by `indent`, one column group per financial year.
// The "all trusts" row comes from the national series (so national-detail runs have it too):
// the mean share of trusts that met their control total, and the mean CIP share delivered.
void print_plans(std::ostream& out, const NationalRuns& runs, std::size_t p, const std::string& indent) {
  const std::size_t T = runs.trusts, Y = runs.years.size();
  std::size_t width = 10;
  for (const auto& n : runs.trust_names) width = std::max(width, n.size());
  width += 2;
  std::string years_line = indent + std::string(width, ' ');
  for (std::size_t y = 0; y < Y; ++y) {
    const std::size_t m = runs.years.months[y];
    const std::string label =
        "  " + runs.years.labels[y] + (m < 12 ? " (" + std::to_string(m) + " of 12 months)" : "");
    years_line += label + std::string(plan_year_width - std::min(plan_year_width, label.size()), ' ');
  }
  years_line.erase(years_line.find_last_not_of(' ') + 1);
  out << years_line << "\n" << indent;
  pad(out, "", width);
  for (std::size_t y = 0; y < Y; ++y) {
    pad_left(out, "CT met", plan_met_width);
    pad_left(out, "CIP full", plan_full_width);
    pad_left(out, "CIP mean", plan_mean_width);
  }
  out << "\n";
  const auto rows = plan_delivery(runs);
  for (std::size_t t = 0; t < T; ++t) {
    out << indent;
    pad(out, runs.trust_names[t], width);
    for (std::size_t y = 0; y < Y; ++y) {
      const PlanDelivery& d = rows[(p * T + t) * Y + y];
      pad_left(out, probability_text(d.control_total_met), plan_met_width);
      pad_left(out, probability_text(d.cip_in_full), plan_full_width);
      pad_left(out, share_text(d.cip_share_mean), plan_mean_width);
    }
    out << "\n";
  }
  out << indent;
  pad(out, "all trusts", width);
  for (std::size_t y = 0; y < Y; ++y) {
    double met = 0.0, share = 0.0, n = 0.0;
    for (std::size_t r = 0; r < runs.replications; ++r) {
      if (!runs.finished(p, r)) continue;
      met += runs.national_control_total_met[(p * runs.replications + r) * Y + y];
      share += runs.national_cip_delivered_share[(p * runs.replications + r) * Y + y];
      n += 1.0;
    }
    pad_left(out, probability_text(met / n), plan_met_width);
    pad_left(out, "", plan_full_width);
    pad_left(out, share_text(share / n), plan_mean_width);
  }
  out << "\n";
}

}  // namespace

std::string financial_year_label(int year) {
  const int next = (year + 1) % 100;
  return std::to_string(year) + "/" + (next < 10 ? "0" : "") + std::to_string(next);
}

FinancialYears financial_years(const sim::Date& first_month, std::size_t months) {
  FinancialYears years;
  for (std::size_t m = 0; m < months; ++m) {
    const sim::Date date = sim::add_months(first_month, static_cast<int>(m));
    const std::string label = financial_year_label(sim::financial_year(date));
    if (years.labels.empty() || years.labels.back() != label) {
      years.labels.push_back(label);
      years.months.push_back(0);
      years.last_month.push_back(m);
    }
    ++years.months.back();
    years.last_month.back() = m;
  }
  return years;
}

std::size_t NationalRuns::finished_count(std::size_t p) const {
  std::size_t n = 0;
  for (std::size_t r = 0; r < replications; ++r) n += finished(p, r) ? 1 : 0;
  return n;
}

NationalRuns national_runs(std::size_t points, std::size_t replications, std::size_t months,
                           const std::vector<std::vector<double>>& national_month,
                           const std::vector<double>& trust_attendances, const std::vector<double>& trust_breaches,
                           const FinancialYears& years, const std::vector<double>& trust_plan_met,
                           const std::vector<double>& trust_cip_share, std::vector<std::uint8_t> done) {
  const std::size_t tasks = points * replications;
  const std::size_t trusts = tasks > 0 ? trust_attendances.size() / tasks : 0;
  NationalRuns runs = empty_national_runs(points, replications, trusts, years);
  const std::size_t per_task = runs.trusts * years.size();
  for (std::size_t p = 0; p < points; ++p)
    for (std::size_t r = 0; r < replications; ++r) {
      const std::size_t task = p * replications + r;
      runs.record(
          p, r, months, [&](std::size_t metric, std::size_t month) { return national_month[metric][task * months + month]; },
          trust_attendances.data() + task * runs.trusts, trust_breaches.data() + task * runs.trusts,
          trust_plan_met.data() + task * per_task, trust_cip_share.data() + task * per_task);
    }
  runs.done = std::move(done);
  return runs;
}

std::vector<std::vector<std::string>> differs_from_references(const std::vector<std::string>& paths,
                                                              const std::vector<std::vector<std::string>>& values,
                                                              const std::vector<std::size_t>& references) {
  std::vector<std::vector<std::string>> out(values.size());
  for (std::size_t p = 0; p < values.size(); ++p)
    if (p != references.at(p)) out[p] = non_sanction_differences(paths, values[p], values.at(references[p]));
  return out;
}

NationalRuns empty_national_runs(std::size_t points, std::size_t replications, std::size_t trusts,
                                 const FinancialYears& years) {
  NationalRuns runs;
  runs.points = points;
  runs.replications = replications;
  runs.trusts = trusts;
  runs.years = years;
  const std::size_t tasks = points * replications, Y = years.size();
  runs.values.assign(tasks * metric_count, 0.0);
  runs.within_4h.assign(tasks * trusts, 0.0);
  runs.control_total_met.assign(tasks * trusts * Y, 0.0);
  runs.cip_delivered_share.assign(tasks * trusts * Y, 0.0);
  runs.national_control_total_met.assign(tasks * Y, 0.0);
  runs.national_cip_delivered_share.assign(tasks * Y, 0.0);
  runs.done.assign(tasks, 0);
  runs.growing.assign(tasks * runs.growth_slots(), 0);
  runs.first_round_levy.assign(tasks, std::numeric_limits<double>::quiet_NaN());
  runs.differs_in.assign(points, {});
  return runs;
}

namespace {

void copy_footprints(const NationalRuns& from_runs, NationalRuns& to_runs, std::size_t from, std::size_t to) {
  const std::size_t n = from_runs.footprints() * from_runs.years.size();
  for (auto member : {&NationalRuns::footprint_outturn, &NationalRuns::footprint_plan})
    std::copy_n((from_runs.*member).begin() + static_cast<std::ptrdiff_t>(from * n), n,
                (to_runs.*member).begin() + static_cast<std::ptrdiff_t>(to * n));
}

}  // namespace

NationalRuns with_replications(const NationalRuns& runs, std::size_t replications) {
  NationalRuns out = empty_national_runs(runs.points, replications, runs.trusts, runs.years);
  out.set_footprints(runs.footprint_names, runs.footprint_trusts);
  out.point_names = runs.point_names;
  out.trust_names = runs.trust_names;
  out.baseline = runs.baseline;
  out.references = runs.references;
  out.study = runs.study;
  out.differs_in = runs.differs_in;
  const std::size_t R = std::min(replications, runs.replications), T = runs.trusts, Y = runs.years.size();
  auto copy = [](const std::vector<double>& from, std::vector<double>& to, std::size_t from_task, std::size_t to_task,
                 std::size_t n) {
    std::copy_n(from.begin() + static_cast<std::ptrdiff_t>(from_task * n), n,
                to.begin() + static_cast<std::ptrdiff_t>(to_task * n));
  };
  for (std::size_t p = 0; p < runs.points; ++p)
    for (std::size_t r = 0; r < R; ++r) {
      const std::size_t from = p * runs.replications + r, to = p * replications + r;
      copy(runs.values, out.values, from, to, metric_count);
      copy(runs.within_4h, out.within_4h, from, to, T);
      copy(runs.control_total_met, out.control_total_met, from, to, T * Y);
      copy(runs.cip_delivered_share, out.cip_delivered_share, from, to, T * Y);
      copy(runs.national_control_total_met, out.national_control_total_met, from, to, Y);
      copy(runs.national_cip_delivered_share, out.national_cip_delivered_share, from, to, Y);
      copy_footprints(runs, out, from, to);
      out.done[to] = runs.done[from];
      const std::size_t G = runs.growth_slots();
      std::copy_n(runs.growing.begin() + static_cast<std::ptrdiff_t>(from * G), G,
                  out.growing.begin() + static_cast<std::ptrdiff_t>(to * G));
      if (runs.first_round_levy.size() == runs.points * runs.replications)
        out.first_round_levy[to] = runs.first_round_levy[from];
    }
  return out;
}

std::vector<PlanDelivery> plan_delivery(const NationalRuns& runs) {
  const std::size_t T = runs.trusts, Y = runs.years.size();
  std::vector<PlanDelivery> out;
  out.reserve(runs.points * T * Y);
  for (std::size_t p = 0; p < runs.points; ++p)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t y = 0; y < Y; ++y) {
        double met = 0.0, full = 0.0, share = 0.0;
        std::size_t n = 0;
        for (std::size_t r = 0; r < runs.replications; ++r) {
          if (!runs.finished(p, r)) continue;
          const std::size_t i = ((p * runs.replications + r) * T + t) * Y + y;
          const double cip = runs.cip_delivered_share[i];
          met += runs.control_total_met[i];
          // An unknown share (NaN) must not count as a plan missed.
          full += std::isnan(cip) ? cip : cip >= 1.0 ? 1.0 : 0.0;
          share += cip;
          ++n;
        }
        const double count = n > 0 ? static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
        out.push_back({p, t, y, n, met / count, full / count, share / count});
      }
  return out;
}

PairedDifference paired_difference(const NationalRuns& runs, std::size_t point, Metric m) {
  std::vector<double> diff, x, base;
  const std::size_t reference = runs.reference(point);
  for (std::size_t r = 0; r < runs.replications; ++r) {
    if (!runs.finished(point, r) || !runs.finished(reference, r)) continue;
    x.push_back(runs.value(point, r, m));
    base.push_back(runs.value(reference, r, m));
    diff.push_back(x.back() - base.back());
  }
  PairedDifference d;
  d.difference = sim::mean_interval(diff);
  const double paired = variance(diff), independent = variance(x) + variance(base);
  d.variance_reduction = paired > 0.0 ? independent / paired : std::numeric_limits<double>::infinity();
  return d;
}

namespace {

// One point's extra deficit and its parts, replication by replication, over the replications
// finished at both the point and its reference (DeficitMultiplier says what each part is).
struct PairedParts {
  std::vector<double> first_round, induced, lost_income, cost_change, interest, returned, delta;
};

PairedParts paired_parts(const NationalRuns& runs, std::size_t p) {
  const std::size_t b = runs.reference(p), R = runs.replications;
  const bool levied = runs.first_round_levy.size() == runs.points * R;
  PairedParts parts;
  for (std::size_t r = 0; r < R; ++r) {
    if (!runs.finished(p, r) || !runs.finished(b, r)) continue;
    const auto extra = [&](std::initializer_list<Metric> metrics) {
      double d = 0.0;
      for (Metric m : metrics) d += runs.value(p, r, m) - runs.value(b, r, m);
      return d;
    };
    // The reference may fine already: only what the point's sanctions add to its own is first round.
    const double first = (levied ? runs.first_round_levy[p * R + r] : std::numeric_limits<double>::quiet_NaN()) -
                         runs.value(b, r, Metric::fines);
    parts.first_round.push_back(first);
    parts.induced.push_back(extra({Metric::fines}) - first);
    parts.lost_income.push_back(-extra({Metric::income_activity, Metric::income_other, Metric::income_incentives}));
    parts.cost_change.push_back(extra({Metric::cost_pay, Metric::cost_agency, Metric::cost_other}));
    parts.interest.push_back(extra({Metric::interest}));
    parts.returned.push_back(extra({Metric::fines_returned, Metric::pool_payouts}));
    parts.delta.push_back(extra({Metric::cumulative_deficit}));
  }
  return parts;
}

// mean(deficit) / mean(fines) with its delta-method 95% interval:
// Var(ratio) ~ Var(deficit - ratio x fines) / (n mean(fines)^2). One pair gives no interval.
void ratio_of_means(const std::vector<double>& deficit, const std::vector<double>& fines, double fines_mean,
                    DeficitMultiplier& d) {
  d.multiplier = sim::mean_interval(deficit).mean / fines_mean;
  std::vector<double> residual(deficit.size());
  for (std::size_t i = 0; i < deficit.size(); ++i) residual[i] = deficit[i] - d.multiplier * fines[i];
  const std::size_t n = deficit.size();
  const double half =
      n > 1 ? sim::student_t_critical(n - 1, 0.95) * std::sqrt(variance(residual) / static_cast<double>(n)) / fines_mean
            : std::numeric_limits<double>::infinity();
  d.low = d.multiplier - half;
  d.high = d.multiplier + half;
}

}  // namespace

std::vector<DeficitMultiplier> deficit_multipliers(const NationalRuns& runs) {
  std::vector<DeficitMultiplier> out;
  for (std::size_t p = 0; p < runs.points; ++p) {
    if (p == runs.reference(p)) continue;
    const PairedParts parts = paired_parts(runs, p);
    DeficitMultiplier d;
    d.point = p;
    d.replications = parts.delta.size();
    d.first_round_fines = sim::mean_interval(parts.first_round);
    d.induced_fines = sim::mean_interval(parts.induced);
    d.lost_income = sim::mean_interval(parts.lost_income);
    d.cost_change = sim::mean_interval(parts.cost_change);
    d.interest = sim::mean_interval(parts.interest);
    d.returned = sim::mean_interval(parts.returned);
    d.delta_deficit = sim::mean_interval(parts.delta);
    if (p < runs.differs_in.size()) d.differs_in = runs.differs_in[p];
    const auto deepened = std::count_if(parts.delta.begin(), parts.delta.end(), [](double x) { return x > 0.0; });
    d.share_deepened =
        parts.delta.empty() ? 0.0 : static_cast<double>(deepened) / static_cast<double>(parts.delta.size());
    // A point that differs in more than sanctions changes the deficit by more than its fines:
    // a ratio to its first-round fines would not be a multiplier of fines.
    if (d.differs_in.empty() && d.first_round_fines.mean > 0.0) {
      ratio_of_means(parts.delta, parts.first_round, d.first_round_fines.mean, d);
    } else {
      d.multiplier = d.low = d.high = std::numeric_limits<double>::quiet_NaN();
    }
    for (Metric m : breach_metrics) d.extra_breaches.emplace_back(m, paired_difference(runs, p, m).difference);
    out.push_back(std::move(d));
  }
  return out;
}

namespace {

std::string point_label(const NationalRuns& runs, std::size_t p) {
  return "'" + runs.point_names[p] + "'" + (p == runs.baseline && runs.points > 1 ? " (baseline)" : "") + ", " +
         std::to_string(runs.finished_count(p)) + " replications";
}

// One metric of point p: its name padded to `width`, then median [90% interval] and unit.
void print_metric_line(std::ostream& out, const NationalRuns& runs, std::size_t p, Metric m, std::size_t width) {
  const MetricInfo& mi = info(m);
  out << "    ";
  pad(out, mi.name, width);
  const std::string unit = std::string(mi.unit) == "GBP" ? "" : std::string(" ") + mi.unit;
  const auto v = finished_values(runs, p, m);
  if (absent(v)) out << absent_text << "\n";
  else out << median_interval(v, mi) << unit << over_months_note(mi) << "\n";
}

// The plans delivered by trust and financial year: every point's table, or for a sweep of
// many points the baseline's only; nothing for a run without financial years.
void print_plans_section(std::ostream& out, const NationalRuns& runs) {
  const std::size_t Y = runs.years.size();
  if (Y == 0) return;
  out << "Plans delivered, by financial year over finished replications\n"
      << "  CT met: probability the trust met its control total (year-to-date surplus at the year's last reported\n"
      << "  month); CIP full: probability it delivered its cost improvement plan in full; CIP mean: mean share of\n"
      << "  the plan delivered; all trusts: the mean share of trusts meeting the control total\n";
  const std::size_t tasks = runs.points * runs.replications;
  std::size_t first = 0;
  while (first < tasks && !runs.done[first]) ++first;
  // A file written before the plan metrics existed has NaN in their place.
  if (first < tasks && std::isnan(runs.national_control_total_met[first * Y])) {
    out << "  " << absent_text << "\n";
    return;
  }
  if (runs.points == 1) {
    print_plans(out, runs, 0, "  ");
    return;
  }
  const bool all = runs.points <= plan_points_printed;
  for (std::size_t p = 0; p < runs.points; ++p) {
    if (!all && p != runs.baseline) continue;
    out << "  point " << point_label(runs, p) << "\n";
    print_plans(out, runs, p, "    ");
  }
  if (!all)
    out << "  (the other " << runs.points - 1
        << " points are in the result file's /summary/plan_delivery)\n";
}

// Whether the points are compared with reference points of their own (monte_carlo.reference_path)
// rather than all with the baseline.
bool paired_within(const NationalRuns& runs) {
  for (std::size_t p = 0; p < runs.references.size(); ++p)
    if (runs.references[p] != runs.baseline) return true;
  return false;
}

// What point p is compared with, for the printed tables: "baseline" or "'its reference'";
// `paired` is paired_within(runs), worked out once per table (it reads every point).
std::string against(const NationalRuns& runs, std::size_t p, bool paired) {
  return paired ? "'" + runs.point_names[runs.reference(p)] + "'" : "baseline";
}

// `breachsim summary --metric M`: that metric in full at every point, and against the baseline.
void print_metric_in_full(std::ostream& out, const NationalRuns& runs, const std::string& metric) {
  const auto found = metric_by_name(metric);
  if (!found) throw std::invalid_argument("no metric named '" + metric + "' (the catalogue is /metrics)");
  const Metric m = *found;
  const MetricInfo& mi = info(m);
  out << mi.name << " (" << mi.unit << over_months_note(mi) << "), whole-run national value: " << mi.description << "\n";
  const bool paired = paired_within(runs);
  for (std::size_t p = 0; p < runs.points; ++p) {
    const auto v = finished_values(runs, p, m);
    out << "  point " << point_label(runs, p) << "\n";
    if (v.empty()) continue;
    if (absent(v)) {
      out << "    " << absent_text << "\n";
      continue;
    }
    const auto ci = sim::mean_interval(v);
    out << "    mean " << format_value(ci.mean, mi) << " [95% CI " << format_value(ci.low, mi) << ", "
        << format_value(ci.high, mi) << "]; median [90% interval] " << median_interval(v, mi) << "\n";
    if (p != runs.reference(p)) {
      const auto d = paired_difference(runs, p, m);
      out << "    minus " << against(runs, p, paired) << ": " << mean_ci(d.difference, mi) << " ("
          << reduction(d.variance_reduction) << ")\n";
    }
  }
}

// A run of one point: every metric by section, then 4-hour performance by trust and overall.
void print_single_point(std::ostream& out, const NationalRuns& runs) {
  out << "Whole-run national values: median [90% interval over replications]\n";
  for (const MetricSection& section : metric_sections) {
    out << "  " << section.title << "\n";
    for (std::size_t i = 0; i < section.size; ++i) print_metric_line(out, runs, 0, section.metrics[i], 32);
  }
  out << "Seen within 4 hours, whole run: median [90% interval]\n";
  std::size_t width = 10;
  for (const auto& n : runs.trust_names) width = std::max(width, n.size());
  const MetricInfo share{"", "%", "", false, Combine::mean, Combine::mean, Metric::ed_attendances, nullptr};
  for (std::size_t t = 0; t <= runs.trusts; ++t) {
    std::vector<double> v;
    for (std::size_t r = 0; r < runs.replications; ++r) {
      if (!runs.finished(0, r)) continue;
      v.push_back(t < runs.trusts ? runs.within_4h[r * runs.trusts + t]
                                  : 1.0 - runs.value(0, r, Metric::ed_breaches_4h) / runs.value(0, r, Metric::ed_attendances));
    }
    out << "  ";
    pad(out, t < runs.trusts ? runs.trust_names[t] : "all trusts", width + 2);
    out << median_interval(v, share) << "\n";
  }
}

// A sweep's headline metrics at every point, then each point minus the baseline.
void print_sweep_points(std::ostream& out, const NationalRuns& runs) {
  out << "Headline whole-run national values by point: median [90% interval over replications]\n";
  for (std::size_t p = 0; p < runs.points; ++p) {
    out << "  point " << point_label(runs, p) << "\n";
    for (Metric m : headline) print_metric_line(out, runs, p, m, 24);
  }
  const bool paired = paired_within(runs);
  if (paired)
    out << "Paired differences, each point minus its reference point (monte_carlo.reference_path; same patients "
           "at every point): mean [95% CI]\n";
  else
    out << "Paired differences from the baseline '" << runs.point_names[runs.baseline]
        << "' (same patients at every point): mean [95% CI]\n";
  for (std::size_t p = 0; p < runs.points; ++p) {
    if (p == runs.reference(p)) continue;
    out << "  point '" << runs.point_names[p] << "'" << (paired ? " minus " + against(runs, p, paired) : "")
        << "\n";
    for (Metric m : headline) {
      const auto d = paired_difference(runs, p, m);
      out << "    ";
      pad(out, info(m).name, 24);
      out << mean_ci(d.difference, info(m)) << "  (" << reduction(d.variance_reduction) << ")\n";
    }
  }
}

// Only the first-round levy can be missing from a part (a file of format 1 lacks it).
constexpr const char* no_first_round = "not in this file (written before first-round fines existed)";

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : ", ") + w;
  return text;
}

// What a point's row says in place of a multiplier, or the multiplier with its interval.
std::string multiplier_text(const DeficitMultiplier& d, const std::string& reference) {
  if (d.replications == 0) return "no replication finished at both this point and " + reference;
  if (!d.differs_in.empty()) return "not a multiplier: this point also differs in " + joined(d.differs_in);
  if (std::isnan(d.first_round_fines.mean))
    return std::string("no multiplier: first-round fines ") + no_first_round;
  if (std::isnan(d.multiplier))
    return "no multiplier: its sanctions levy no more than " + reference + "'s on " + reference + "'s breaches";
  char buf[160];
  std::snprintf(buf, sizeof buf, "multiplier %.3f [95%% CI %.3f, %.3f]", d.multiplier, d.low, d.high);
  return buf;
}

// Every point but the baseline: the multiplier (or why there is none), then the extra deficit
// as the sum of its parts, each mean [95% CI] over the paired replications.
void print_deficit_multipliers(std::ostream& out, const NationalRuns& runs) {
  const bool paired = paired_within(runs);
  const std::string reference = paired ? "the reference" : "the baseline";
  if (paired)
    out << "The deficit multiplier of fines, each point against its reference point (monte_carlo.reference_path):\n";
  else
    out << "The deficit multiplier of fines, against the baseline '" << runs.point_names[runs.baseline] << "':\n";
  out << "  extra cumulative deficit per pound of first-round fines (the point's sanctions on " << reference
      << "'s own\n  breaches, less " << reference
      << "'s fines: the bill if nobody responded), and the extra deficit in its parts;\n"
      << "  mean [95% CI] over paired replications\n";
  const MetricInfo& gbp = info(Metric::fines);
  for (const DeficitMultiplier& d : deficit_multipliers(runs)) {
    out << "  point '" << runs.point_names[d.point] << "'" << (paired ? " against " + against(runs, d.point, paired) : "")
        << ": " << multiplier_text(d, reference) << "\n";
    if (d.replications == 0) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * d.share_deepened);
    out << "    extra cumulative deficit  " << mean_ci(d.delta_deficit, gbp) << ", deeper in " << buf << " of "
        << d.replications << " replications\n";
    const std::pair<const char*, const sim::MeanInterval*> parts[] = {
        {"= first-round fines   ", &d.first_round_fines}, {"+ induced fines       ", &d.induced_fines},
        {"+ lost income         ", &d.lost_income},       {"+ cost change         ", &d.cost_change},
        {"+ interest            ", &d.interest},          {"- returned to trusts  ", &d.returned}};
    for (const auto& [label, ci] : parts)
      out << "      " << label << (std::isnan(ci->mean) ? no_first_round : mean_ci(*ci, gbp)) << "\n";
    out << "    extra breaches:";
    for (const auto& [m, ci] : d.extra_breaches) out << " " << info(m).name << " " << mean_ci(ci, info(m)) << ";";
    out << "\n";
  }
}

}  // namespace

void print_summary(std::ostream& out, const NationalRuns& runs, const std::string& title, const std::string& metric) {
  out << title << "\n";
  print_growing_queues(out, runs);
  if (!metric.empty()) {
    print_metric_in_full(out, runs, metric);
    return;
  }
  if (runs.study) {  // its points are design rows: the file's /summary tables have each one
    print_sensitivity(out, *runs.study, sensitivity_outputs(*runs.study, runs), runs.replications);
  } else if (runs.points == 1) {
    print_single_point(out, runs);
  } else {
    print_sweep_points(out, runs);
    print_deficit_multipliers(out, runs);
  }
  print_plans_section(out, runs);
  print_footprints_section(out, runs);
}

}  // namespace breachsim::models
