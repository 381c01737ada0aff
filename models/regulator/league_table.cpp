// SPDX-License-Identifier: MIT
#include "models/regulator/league_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <stdexcept>

namespace breachsim::models {

namespace {

struct Indicator {
  const char* name;
  double LeagueTrustQuarter::*value;
  bool higher_is_better;
};

const Indicator kIndicators[] = {
    {"ed_4h", &LeagueTrustQuarter::ed_within_4h, true},
    {"ed_12h", &LeagueTrustQuarter::trolley_waits_per_1000, false},
    {"rtt_18w", &LeagueTrustQuarter::rtt_within_18w, true},
    {"cancer_62d", &LeagueTrustQuarter::cancer_within_62d, true},
    {"finance", &LeagueTrustQuarter::surplus_share_of_income, true},
};

std::vector<std::string> indicator_names() {
  std::vector<std::string> names;
  for (const Indicator& i : kIndicators) names.emplace_back(i.name);
  return names;
}

const Indicator* find_indicator(const std::string& name) {
  for (const Indicator& i : kIndicators)
    if (name == i.name) return &i;
  return nullptr;
}

// The quartile (1-4) of each trust by `key`, lower key better; equal keys share the quartile
// of the first of them in sorted order.
std::vector<int> quartiles(const std::vector<double>& key) {
  const std::size_t n = key.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key[a] < key[b]; });
  std::vector<int> q(n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool tied_with_previous = i > 0 && key[order[i]] == key[order[i - 1]];
    q[order[i]] = tied_with_previous ? q[order[i - 1]] : static_cast<int>(4 * i / n) + 1;
  }
  return q;
}

}  // namespace

LeagueResult rank_trusts(const LeagueTableParams& p, const std::vector<LeagueTrustQuarter>& trusts) {
  if (p.indicators.empty()) throw std::invalid_argument("rank_trusts: no indicators");
  const std::size_t n = trusts.size();

  // Summed as whole numbers so that trusts with the same scores get exactly the same mean,
  // and tie for their segment.
  std::vector<int> total(n, 0);
  std::vector<double> key(n);
  for (const std::string& name : p.indicators) {
    const Indicator* ind = find_indicator(name);
    if (!ind) throw std::invalid_argument("rank_trusts: unknown indicator '" + name + "'");
    for (std::size_t t = 0; t < n; ++t) {
      const double v = trusts[t].*(ind->value);
      // NaN would break the sort's ordering, and an infinity is a division gone wrong upstream.
      if (!std::isfinite(v))
        throw std::invalid_argument("rank_trusts: " + name + " of trust " + std::to_string(t) + " is not finite");
      key[t] = ind->higher_is_better ? -v : v;  // negation is exact, so ties stay ties
    }
    const std::vector<int> q = quartiles(key);
    for (std::size_t t = 0; t < n; ++t) total[t] += q[t];
  }

  LeagueResult r;
  r.score.resize(n);
  for (std::size_t t = 0; t < n; ++t)
    r.score[t] = static_cast<double>(total[t]) / static_cast<double>(p.indicators.size());

  r.segment = quartiles(r.score);
  for (std::size_t t = 0; t < n; ++t) {
    int& s = r.segment[t];
    if (trusts[t].surplus_share_of_income < 0 && s < p.deficit_best_segment) s = p.deficit_best_segment;
    if (s == 4 && r.score[t] >= p.intensive_support_score) s = 5;
  }

  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r.score[a] < r.score[b]; });
  r.rank.resize(n);
  for (std::size_t i = 0; i < n; ++i) r.rank[order[i]] = static_cast<int>(i) + 1;
  return r;
}

void check_league_table(const LeagueTableParams& p, const std::string& path, sim::config::Diagnostics& d) {
  if (p.indicators.empty()) d.error_at(path + ".indicators", "must name at least one indicator");
  const std::vector<std::string> known = indicator_names();
  for (std::size_t i = 0; i < p.indicators.size(); ++i) {
    const std::string& name = p.indicators[i];
    const std::string item = path + ".indicators[" + std::to_string(i) + "]";
    if (!find_indicator(name)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      std::string message = "must be one of " + list + " (got '" + name + "')";
      const std::string guess = sim::config::closest_match(name, known);
      if (!guess.empty()) message += "; did you mean '" + guess + "'?";
      d.error_at(item, message);
      continue;
    }
    // Listed twice, an indicator would silently count double in the mean.
    const auto first = std::find(p.indicators.begin(), p.indicators.end(), name);
    if (first != p.indicators.begin() + static_cast<std::ptrdiff_t>(i))
      d.error_at(
          item, "'" + name + "' is already listed as indicators[" + std::to_string(first - p.indicators.begin()) + "]");
  }
  if (!(p.from < p.to))
    d.error_at(path + ".to", "must be after from (" + sim::format_date(p.from) + "), or trusts are never ranked");
  if (p.deficit_best_segment < 1 || p.deficit_best_segment > 4)
    d.error_at(path + ".deficit_best_segment",
               "must be in [1, 4] (got " + std::to_string(p.deficit_best_segment) + ")");
  if (!(p.intensive_support_score >= 1 && p.intensive_support_score <= 4))
    d.error_at(path + ".intensive_support_score",
               "must be in [1, 4] (got " + sim::config::format_number(p.intensive_support_score) + ")");
}

}  // namespace breachsim::models
