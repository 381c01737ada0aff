// SPDX-License-Identifier: MIT
#include "models/regulator/oversight.hpp"

#include <algorithm>
#include <numeric>

namespace breachsim::models {

void check_consequences(const TurnaroundParams& turnaround, const ManagementReplacementParams& management,
                        const RecruitmentPenaltyParams& recruitment, const CapitalFreedomParams& freedom,
                        const CapitalRewardsParams& rewards, const std::string& path, sim::config::Diagnostics& d) {
  const auto period = [&](const std::string& key, const sim::Date& from, const sim::Date& to) {
    if (!(from < to))
      d.error_at(path + "." + key + ".to", "must be after from (" + sim::format_date(from) + "), or no decision is ever taken");
  };
  period("turnaround", turnaround.from, turnaround.to);
  period("management_replacement", management.from, management.to);
  period("recruitment_penalty", recruitment.from, recruitment.to);
  period("capital_freedom", freedom.from, freedom.to);
  period("capital_rewards", rewards.from, rewards.to);
  if (rewards.award_month % 3 != 0)
    d.error_at(path + ".capital_rewards.award_month",
               "must end a quarter (3, 6, 9 or 12), got " + std::to_string(rewards.award_month));
}

std::vector<double> Oversight::after_ranking(int month, const std::vector<int>& segment,
                                             const std::vector<double>& ytd_surplus, const TurnaroundParams* turnaround,
                                             const ManagementReplacementParams* management,
                                             const RecruitmentPenaltyParams* recruitment,
                                             const CapitalFreedomParams* freedom) {
  std::vector<double> committed(trusts_.size(), 0.0);
  const int next = month + 1;
  for (std::size_t i = 0; i < trusts_.size(); ++i) {
    Trust& t = trusts_[i];
    const int s = segment[i];
    if (turnaround && turnaround->enabled && s >= turnaround->segment && t.team_until <= next) {
      const int first = next + turnaround->lag_months;
      t.team_until = first + turnaround->duration_months;
      t.effects.push_back({first, t.team_until, turnaround->productivity_factor, turnaround->cost_gbp_per_month, true});
    }
    if (management && management->enabled) {
      t.failing_quarters = s >= management->segment ? t.failing_quarters + 1 : 0;
      if (t.failing_quarters >= management->after_quarters && t.management_until <= next) {
        const int effect = next + management->disruption_months;
        t.management_until = effect + management->effect_months;
        t.replaced_in = next;
        t.failing_quarters = 0;
        t.effects.push_back({next, effect, management->disruption_productivity_factor, 0.0, false});
        t.effects.push_back({effect, t.management_until, management->effect_productivity_factor, 0.0, false});
      }
    } else {
      t.failing_quarters = 0;
    }
    t.recruitment_factor =
        recruitment && recruitment->enabled && s >= recruitment->segment ? recruitment->recruitment_factor : 1.0;
    if (freedom && freedom->enabled && s <= freedom->segment) {
      const double amount = freedom->surplus_share * std::max(0.0, ytd_surplus[i] - t.committed_this_year);
      if (amount > 0.0) {
        t.committed_this_year += amount;
        t.capital_due[month + freedom->lag_months].first += amount;
        committed[i] = amount;
      }
    }
    // Effects already over can go; the ones to come are few.
    t.effects.erase(std::remove_if(t.effects.begin(), t.effects.end(), [&](const Effect& e) { return e.end <= month; }),
                    t.effects.end());
  }
  return committed;
}

std::vector<double> Oversight::award_capital(int month, const std::vector<double>& within_4h,
                                             const CapitalRewardsParams& p) {
  const std::size_t n = trusts_.size();
  std::vector<double> award(n, 0.0);
  // Best first; equal values keep the trusts' order, so a tie never turns on sorting.
  const auto grant = [&](const std::vector<double>& value, const std::vector<std::size_t>& eligible) {
    std::vector<std::size_t> order = eligible;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value[a] > value[b]; });
    for (std::size_t k = 0; k < order.size(); ++k) {
      if (k < static_cast<std::size_t>(p.top_n)) award[order[k]] += p.top_gbp;
      else if (k < static_cast<std::size_t>(p.top_n + p.next_n)) award[order[k]] += p.next_gbp;
    }
  };
  std::vector<std::size_t> everyone(n);
  std::iota(everyone.begin(), everyone.end(), std::size_t{0});
  grant(within_4h, everyone);
  if (p.for_improvement) {
    std::vector<double> improvement(n, 0.0);
    std::vector<std::size_t> with_history;
    for (std::size_t i = 0; i < n; ++i) {
      const auto earlier = trusts_[i].within_4h.find(month - 12);
      if (earlier == trusts_[i].within_4h.end()) continue;
      improvement[i] = within_4h[i] - earlier->second;
      with_history.push_back(i);
    }
    grant(improvement, with_history);
  }
  for (std::size_t i = 0; i < n; ++i) {
    trusts_[i].within_4h[month] = within_4h[i];
    if (award[i] > 0.0) trusts_[i].capital_due[month + p.lag_months].second += award[i];
  }
  return award;
}

double Oversight::productivity(std::size_t t, int month) const {
  double factor = 1.0;
  for (const Effect& e : trusts_[t].effects)
    if (month >= e.first && month < e.end) factor *= e.productivity;
  return factor;
}

OversightMonth Oversight::in_month(std::size_t t, int month) const {
  const Trust& s = trusts_[t];
  OversightMonth m;
  m.productivity_factor = productivity(t, month);
  m.recruitment_factor = s.recruitment_factor;
  for (const Effect& e : s.effects) {
    if (month < e.first || month >= e.end) continue;
    m.turnaround_team = m.turnaround_team || e.team;
    m.turnaround_cost += e.cost_per_month;
  }
  m.management_replaced = s.replaced_in == month;
  if (const auto due = s.capital_due.find(month); due != s.capital_due.end()) {
    m.capital_own = due->second.first;
    m.capital_awarded = due->second.second;
  }
  return m;
}

}  // namespace breachsim::models
