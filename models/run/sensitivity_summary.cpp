// SPDX-License-Identifier: MIT
#include "models/run/sensitivity_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <ostream>
#include <stdexcept>

namespace breachsim::models {

namespace gsa = sim::sensitivity;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The mean of a metric over the finished replications of point p (NaN with none).
double finished_mean(const NationalRuns& runs, std::size_t p, Metric m) {
  double sum = 0.0;
  std::size_t n = 0;
  for (std::size_t r = 0; r < runs.replications; ++r)
    if (runs.finished(p, r)) {
      sum += runs.value(p, r, m);
      ++n;
    }
  return n ? sum / static_cast<double>(n) : nan;
}

std::vector<double> output_rows(const SensitivityStudy& study, const NationalRuns& runs, const std::string& name,
                                const std::vector<DeficitMultiplier>& pairs) {
  const std::size_t per_row = study.paired ? 2 : 1;
  std::vector<double> rows(study.rows(), nan);
  for (std::size_t row = 0; row < study.rows(); ++row) {
    const std::size_t p = row * per_row + per_row - 1;  // the row's point with fines (or its only one)
    if (const auto metric = metric_by_name(name)) {
      rows[row] = finished_mean(runs, p, *metric);
      continue;
    }
    const auto pair = std::find_if(pairs.begin(), pairs.end(), [&](const DeficitMultiplier& d) { return d.point == p; });
    if (pair == pairs.end() || pair->replications == 0) continue;
    rows[row] = name == "multiplier" ? pair->multiplier : pair->delta_deficit.mean;
  }
  return rows;
}

// Why some rows have no value, or empty when all have one.
std::string missing_rows(const std::vector<double>& rows, const std::string& output) {
  std::size_t missing = 0, first = rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!std::isfinite(rows[i])) {
      ++missing;
      first = std::min(first, i);
    }
  if (missing == 0) return "";
  const std::string reason = output == "multiplier"
                                 ? " (unfinished, or the fines levied nothing first-round there: no multiplier)"
                                 : " (unfinished)";
  return std::to_string(missing) + " of " + std::to_string(rows.size()) + " rows have no value, row " +
         std::to_string(first) + " first" + reason + ": no indices";
}

}  // namespace

std::vector<SensitivityOutput> sensitivity_outputs(const SensitivityStudy& study, const NationalRuns& runs) {
  const std::vector<DeficitMultiplier> pairs = study.paired ? deficit_multipliers(runs) : std::vector<DeficitMultiplier>{};
  const std::uint64_t seed = study.params.seed;
  const auto bootstrap = static_cast<std::size_t>(study.params.bootstrap);
  std::vector<SensitivityOutput> out;
  for (const std::string& name : study.params.outputs) {
    SensitivityOutput o;
    o.output = name;
    o.rows = output_rows(study, runs, name, pairs);
    o.missing = missing_rows(o.rows, name);
    if (o.missing.empty() && std::all_of(o.rows.begin(), o.rows.end(), [&](double v) { return v == o.rows.front(); })) {
      char text[64];
      std::snprintf(text, sizeof text, "%.6g", o.rows.front());
      o.missing = std::string("the same at every row (") + text + "): no assumption of the study moves it";
    }
    if (o.missing.empty()) {
      try {
        if (study.morris) o.morris = gsa::morris_indices(*study.morris, o.rows, bootstrap, seed);
        if (study.sobol) o.sobol = gsa::sobol_indices(*study.sobol, o.rows, bootstrap, seed);
      } catch (const std::invalid_argument& e) {  // an output that does not vary
        o.missing = std::string(e.what()) + ": no indices";
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<SensitivityConvergence> sensitivity_convergence(const SensitivityOutput& o) {
  std::vector<SensitivityConvergence> steps;
  if (o.morris) {
    std::vector<std::string> names;
    for (const auto& g : o.morris->groups) names.push_back(g.name);
    for (const auto& c : o.morris->convergence) steps.push_back({c.trajectories, names, c.mu_star, {}});
  } else if (o.sobol) {
    std::vector<std::string> names;
    for (const auto& g : o.sobol->groups) names.push_back(g.name);
    for (const auto& c : o.sobol->convergence) steps.push_back({c.base_samples, names, c.total, c.first_order});
  }
  return steps;
}

std::vector<std::size_t> ranked_groups(const SensitivityOutput& o) {
  const std::size_t g = o.morris ? o.morris->groups.size() : o.sobol ? o.sobol->groups.size() : 0;
  std::vector<std::size_t> order(g);
  std::iota(order.begin(), order.end(), 0);
  const auto key = [&](std::size_t i) {
    return o.morris ? o.morris->groups[i].mu_star.value : o.sobol->groups[i].total.value;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
  return order;
}

namespace {

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, std::fabs(v) >= 1e5 || (v != 0 && std::fabs(v) < 1e-3) ? "%.3g" : "%.3f", v);
  return text;
}

std::string interval(const gsa::Estimate& e) {
  return number(e.value) + " [" + number(e.low) + ", " + number(e.high) + "]";
}

// The interval that ranks a group: mu* (Morris) or the total index (Sobol).
const gsa::Estimate& ranking_estimate(const SensitivityOutput& o, std::size_t group) {
  return o.morris ? o.morris->groups[group].mu_star : o.sobol->groups[group].total;
}

// The top three (or fewer) groups a smaller design, the first part of this one, would have
// ranked: the convergence check in one line.
void print_convergence(std::ostream& out, const SensitivityOutput& o) {
  const std::vector<SensitivityConvergence> steps = sensitivity_convergence(o);
  if (steps.size() < 2) return;
  out << "    top groups from the first part of the design:";
  for (std::size_t s = 0; s + 1 < steps.size(); ++s) {
    const SensitivityConvergence& step = steps[s];
    std::vector<std::size_t> order(step.index.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return step.index[a] > step.index[b]; });
    out << (s ? "; " : " ") << step.size << (o.morris ? " trajectories: " : " base samples: ");
    for (std::size_t k = 0; k < std::min<std::size_t>(3, order.size()); ++k)
      out << (k ? ", " : "") << step.groups[order[k]];
  }
  out << " (the whole: " << steps.back().size << ")\n";
}

void print_output(std::ostream& out, const SensitivityOutput& o) {
  out << "  " << o.output << "\n";
  if (!o.missing.empty()) {
    out << "    " << o.missing << "\n";
    return;
  }
  const std::vector<std::size_t> order = ranked_groups(o);
  std::size_t width = 12;
  for (const std::size_t i : order)
    width = std::max(width, (o.morris ? o.morris->groups[i].name : o.sobol->groups[i].name).size());
  std::vector<std::string> unranked;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    const std::string& name = o.morris ? o.morris->groups[i].name : o.sobol->groups[i].name;
    out << "    " << k + 1 << ". " << name << std::string(width + 2 - name.size(), ' ');
    if (o.morris)
      out << "mu* " << interval(o.morris->groups[i].mu_star) << "  mu " << number(o.morris->groups[i].mu) << "  sigma "
          << number(o.morris->groups[i].sigma) << "\n";
    else
      out << "ST " << interval(o.sobol->groups[i].total) << "  S " << interval(o.sobol->groups[i].first_order) << "\n";
    // Ranked above the next only if its interval clears the next one's.
    if (k + 1 < order.size() && ranking_estimate(o, i).low <= ranking_estimate(o, order[k + 1]).high)
      unranked.push_back(name);
  }
  if (!unranked.empty()) {
    out << "    too close to rank against the next (their 95% intervals overlap):";
    for (const std::string& n : unranked) out << " " << n << ";";
    out << "\n";
  }
  print_convergence(out, o);
}

}  // namespace

void print_sensitivity(std::ostream& out, const SensitivityStudy& study, const std::vector<SensitivityOutput>& outputs,
                       std::size_t replications) {
  const bool morris = study.morris.has_value();
  out << "Sensitivity (" << (morris ? "Morris elementary effects, " : "Sobol indices by Saltelli's design, ")
      << study.rows() << " design rows";
  if (morris)
    out << ": " << study.params.trajectories << " trajectories at " << study.params.levels << " levels";
  else
    out << ": " << study.params.base_samples << " base samples";
  out << "; each row the mean of " << replications << " replications on the same patients"
      << (study.paired ? ", with and without fines" : "") << "):\n";
  out << (morris ? "  mu*: mean |effect| of moving the group across its whole range (the ranking); mu: mean effect; "
                   "sigma: its spread (interactions, non-linearity)\n"
                 : "  ST: share of the output's variance the group takes part in (the ranking); S: the share it "
                   "explains alone\n")
      << "  [95% bootstrap interval]; Monte Carlo noise is in every row's mean: more replications narrow the intervals\n";
  for (const SensitivityOutput& o : outputs) print_output(out, o);
}

}  // namespace breachsim::models
