// SPDX-License-Identifier: MIT
#pragma once
#include <map>

#include "models/finance.hpp"
#include "models/trust.hpp"

// The management stage of the month end (docs/sources.md §1, the feedback loop): each trust's
// managers look at the year so far and the month just gone and decide the capacity of a month
// `lag_months` ahead. Each policy is a function of what they see; a plan holds what the
// policies decided for one month.
namespace breachsim::models {

// What management decided for one coming month.
struct Plan {
  Levers levers;
  double extra_sessions = 0, extra_cost = 0;  // theatre sessions bought, and their cost in GBP
  bool cost_control = false, protect_performance = false;
};

// What the managers of one trust see at a month end.
struct ManagementView {
  int month = 0;                   // the month just settled
  double behind_plan = 0;          // year-to-date control total less year-to-date surplus, GBP
  double ytd_income = 0;           // GBP
  double ed_within_4h = 1;         // the month's shares within the standards
  double rtt_within_18w = 1;
  double fines_returned = 0;       // reinvested fines paid back this month, GBP
  double planned_sessions = 0;     // theatre sessions a month in the plan
  double extra_session_premium_gbp = 0;
};

class Management {
 public:
  // Decides the plan for month view.month + p.lag_months.
  void decide(const ManagementParams& p, const ManagementView& view);
  // What was decided for `month` (the neutral plan when nothing was).
  Plan plan_for(int month) const;
  // Plans for months up to `month` have been used.
  void forget_through(int month) { plans_.erase(plans_.begin(), plans_.upper_bound(month)); }

 private:
  // Cut agency cover, recruitment, beds and sessions while behind plan; relax once back on it.
  void control_costs(const CostControlParams& p, const ManagementView& view, Plan& plan);
  // More agency cover while A&E misses its standard; extra sessions while the list does.
  // Returns the sessions bought.
  double protect_performance(const ProtectPerformanceParams& p, const ManagementView& view, Plan& plan,
                             double& cost) const;

  std::map<int, Plan> plans_;  // month -> what was decided for it
  bool cost_control_ = false;  // the policy's state, with hysteresis
};

}  // namespace breachsim::models
