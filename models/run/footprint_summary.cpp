// SPDX-License-Identifier: MIT
// Footprint plans (docs/sources.md §5) over replications: how often each footprint's outturn
// reached its plan, against how often its member trusts met their own control totals.
#include <cmath>
#include <limits>
#include <ostream>
#include <string>

#include "models/run/summary.hpp"

namespace breachsim::models {

void NationalRuns::set_footprints(std::vector<std::string> names, std::vector<std::vector<std::size_t>> trusts) {
  footprint_names = std::move(names);
  footprint_trusts = std::move(trusts);
  const std::size_t n = points * replications * footprint_names.size() * years.size();
  footprint_outturn.assign(n, std::numeric_limits<double>::quiet_NaN());
  footprint_plan.assign(n, std::numeric_limits<double>::quiet_NaN());
}

namespace {

constexpr double unknown = std::numeric_limits<double>::quiet_NaN();

// One footprint in one financial year at point p, over the finished replications. A member
// trust's control_total_met is 1 or 0 (NaN in a file written before the metric: then every
// probability about members is NaN too, never a plan counted as missed).
FootprintDelivery deliver(const NationalRuns& runs, std::size_t p, std::size_t f, std::size_t y) {
  const std::vector<std::size_t>& members = runs.footprint_trusts[f];
  const std::size_t R = runs.replications, F = runs.footprints(), T = runs.trusts, Y = runs.years.size();
  const bool by_trust = T > 0;
  FootprintDelivery d;
  d.point = p;
  d.footprint = f;
  d.year = y;
  std::vector<double> outturns;
  double plan = 0.0, delivered = 0.0, all_met = 0.0, delivered_missed = 0.0, missed_all_met = 0.0;
  std::vector<double> met(members.size(), 0.0), missed_delivered(members.size(), 0.0);
  for (std::size_t r = 0; r < R; ++r) {
    if (!runs.finished(p, r)) continue;
    const std::size_t i = ((p * R + r) * F + f) * Y + y;
    outturns.push_back(runs.footprint_outturn[i]);
    plan += runs.footprint_plan[i];
    const double ok = runs.footprint_outturn[i] >= runs.footprint_plan[i] ? 1.0 : 0.0;
    delivered += ok;
    if (!by_trust) continue;
    double every = 1.0;
    for (std::size_t k = 0; k < members.size(); ++k) {
      const double m = runs.control_total_met[((p * R + r) * T + members[k]) * Y + y];
      met[k] += m;
      missed_delivered[k] += ok * (1.0 - m);
      every = std::isnan(m) ? m : every * m;
    }
    all_met += every;
    delivered_missed += ok * (1.0 - every);
    missed_all_met += (1.0 - ok) * every;
  }
  const double n = outturns.empty() ? unknown : static_cast<double>(outturns.size());
  d.replications = outturns.size();
  d.plan = plan / n;
  d.outturn = sim::mean_interval(outturns);
  d.delivered = delivered / n;
  const double members_n = by_trust ? n : unknown;
  d.trusts_all_met = all_met / members_n;
  d.delivered_trust_missed = delivered_missed / members_n;
  d.missed_trusts_all_met = missed_all_met / members_n;
  if (by_trust)
    for (std::size_t k = 0; k < members.size(); ++k) {
      d.trust_met.push_back(met[k] / n);
      d.trust_missed_footprint_delivered.push_back(missed_delivered[k] / n);
    }
  return d;
}

// Columns: characters, not bytes ("£" is two bytes of UTF-8).
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}
void cell(std::ostream& out, const std::string& s, std::size_t width, bool right) {
  const std::string gap(width - std::min(width, width_of(s)), ' ');
  out << (right ? gap + s : s + gap);
}

constexpr std::size_t plan_width = 10, outturn_width = 10, delivered_width = 11;

// One row: a label, then per year the plan, mean outturn and a probability (any may be blank).
struct Row {
  std::string label;
  std::vector<std::string> plan, outturn, probability;
};

void print_rows(std::ostream& out, const NationalRuns& runs, const std::vector<Row>& rows, const std::string& indent) {
  std::size_t width = 10;
  for (const Row& row : rows) width = std::max(width, width_of(row.label));
  width += 2;
  std::string years_line = indent + std::string(width, ' ');
  for (std::size_t y = 0; y < runs.years.size(); ++y) {
    const std::size_t m = runs.years.months[y];
    const std::string label =
        "    " + runs.years.labels[y] + (m < 12 ? " (" + std::to_string(m) + " of 12)" : "");
    years_line += label + std::string(plan_width + outturn_width + delivered_width - std::min<std::size_t>(30, label.size()), ' ');
  }
  years_line.erase(years_line.find_last_not_of(' ') + 1);
  out << years_line << "\n" << indent << std::string(width, ' ');
  for (std::size_t y = 0; y < runs.years.size(); ++y) {
    cell(out, "plan", plan_width, true);
    cell(out, "outturn", outturn_width, true);
    cell(out, "delivered", delivered_width, true);
  }
  out << "\n";
  for (const Row& row : rows) {
    out << indent;
    cell(out, row.label, width, false);
    for (std::size_t y = 0; y < runs.years.size(); ++y) {
      cell(out, row.plan[y], plan_width, true);
      cell(out, row.outturn[y], outturn_width, true);
      cell(out, row.probability[y], delivered_width, true);
    }
    out << "\n";
  }
}

// Point p's rows: per footprint its plan, mean outturn and delivery, then each member trust's
// own control total met, then how often the footprint and its trusts disagreed.
std::vector<Row> footprint_rows(const NationalRuns& runs, const std::vector<FootprintDelivery>& all, std::size_t p) {
  const std::size_t F = runs.footprints(), Y = runs.years.size();
  const MetricInfo& gbp = info(Metric::surplus);
  std::vector<Row> rows;
  for (std::size_t f = 0; f < F; ++f) {
    const auto at = [&](std::size_t y) -> const FootprintDelivery& { return all[(p * F + f) * Y + y]; };
    Row head{runs.footprint_names[f], {}, {}, {}};
    Row both{"  delivered, a trust missed", {}, {}, {}}, neither{"  missed, every trust met", {}, {}, {}};
    std::vector<Row> members;
    if (runs.trusts > 0)  // a file of national detail has no member trusts' plans
      for (std::size_t t : runs.footprint_trusts[f]) members.push_back({"  " + runs.trust_names.at(t), {}, {}, {}});
    for (std::size_t y = 0; y < Y; ++y) {
      const FootprintDelivery& d = at(y);
      head.plan.push_back(format_value(d.plan, gbp));
      head.outturn.push_back(format_value(d.outturn.mean, gbp));
      head.probability.push_back(probability_text(d.delivered));
      for (Row* r : {&both, &neither}) r->plan.emplace_back(), r->outturn.emplace_back();
      both.probability.push_back(probability_text(d.delivered_trust_missed));
      neither.probability.push_back(probability_text(d.missed_trusts_all_met));
      for (std::size_t k = 0; k < members.size(); ++k) {
        members[k].plan.emplace_back();
        members[k].outturn.emplace_back();
        members[k].probability.push_back(probability_text(d.trust_met.at(k)));
      }
    }
    rows.push_back(std::move(head));
    for (Row& r : members) rows.push_back(std::move(r));
    rows.push_back(std::move(both));
    rows.push_back(std::move(neither));
  }
  return rows;
}

}  // namespace

std::vector<FootprintDelivery> footprint_delivery(const NationalRuns& runs) {
  std::vector<FootprintDelivery> out;
  for (std::size_t p = 0; p < runs.points; ++p)
    for (std::size_t f = 0; f < runs.footprints(); ++f)
      for (std::size_t y = 0; y < runs.years.size(); ++y) out.push_back(deliver(runs, p, f, y));
  return out;
}

void print_footprints_section(std::ostream& out, const NationalRuns& runs) {
  if (runs.footprints() == 0 || runs.years.size() == 0) return;
  out << "Footprint plans, by financial year over finished replications\n"
      << "  outturn: the footprint's trusts' surplus plus its commissioners' allocation less their spending (mean);\n"
      << "  plan: the trusts' control totals plus the commissioners' planned surpluses; delivered: probability the\n"
      << "  outturn reached the plan; under it, each member trust's probability of meeting its own control total,\n"
      << "  and how often the footprint and its trusts disagreed\n";
  const auto all = footprint_delivery(runs);
  const bool every_point = runs.points <= plan_points_printed;
  for (std::size_t p = 0; p < runs.points; ++p) {
    if (!every_point && p != runs.baseline) continue;
    std::string indent = "  ";
    if (runs.points > 1) {
      out << "  point '" << runs.point_names[p] << "'" << (p == runs.baseline ? " (baseline)" : "") << ", "
          << runs.finished_count(p) << " replications\n";
      indent = "    ";
    }
    if (runs.trusts == 0) out << indent << "(member trusts' own plans are not in a file of national detail)\n";
    print_rows(out, runs, footprint_rows(runs, all, p), indent);
  }
  if (!every_point)
    out << "  (the other " << runs.points - 1 << " points are in the result file's /summary/footprints)\n";
}

}  // namespace breachsim::models
