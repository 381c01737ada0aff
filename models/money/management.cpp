// SPDX-License-Identifier: MIT
#include "models/money/management.hpp"

namespace breachsim::models {

void Management::control_costs(const CostControlParams& p, const ManagementView& view, Plan& plan) {
  if (!cost_control_ && view.behind_plan > p.trigger_share_of_income * view.ytd_income) cost_control_ = true;
  else if (cost_control_ && view.behind_plan <= 0.0) cost_control_ = false;
  if (!cost_control_) {
    frozen_months_ = 0;
    return;
  }
  Levers& l = plan.levers;
  l.agency_factor *= p.agency_factor;
  if (p.freeze_recruitment && frozen_months_ < p.freeze_max_months) {
    l.recruitment_frozen = true;
    ++frozen_months_;
  }
  if (!view.paid_by_activity || p.cut_capacity_under_tariff) {
    l.open_bed_factor *= 1.0 - p.close_beds_share;
    l.theatre_factor *= 1.0 - p.cancel_sessions_share;
  }
  plan.acting.cost_control = true;
}

double Management::protect_performance(const ProtectPerformanceParams& p, const ManagementView& view, Plan& plan,
                                       double& cost) const {
  double sessions = 0.0;
  bool acting = false;
  if (view.behind_plan >= p.stop_behind_plan_share * view.ytd_income && view.behind_plan > 0.0) return 0.0;
  if (p.stop_in_special_measures && view.special_measures) return 0.0;
  if (view.ed_within_4h < p.ed_standard) {
    plan.levers.agency_factor *= p.agency_factor;
    acting = true;
  }
  if (view.rtt_within_18w < p.rtt_standard) {
    const double extra = p.extra_sessions_share * view.planned_sessions;
    sessions += extra;
    cost += extra * view.extra_session_premium_gbp;
    acting = true;
  }
  if (acting) plan.acting.protect_performance = true;
  return sessions;
}

void Management::decide(const ManagementParams& p, const ManagementView& view) {
  Plan& plan = plans_[view.month + p.lag_months];
  double sessions = 0.0, cost = 0.0;
  if (p.cost_control.enabled) control_costs(p.cost_control, view, plan);
  if (p.protect_performance.enabled) sessions += protect_performance(p.protect_performance, view, plan, cost);
  if (p.reinvest_fines.enabled && view.fines_returned > 0.0) {
    sessions += view.fines_returned / p.reinvest_fines.gbp_per_theatre_session;
    cost += view.fines_returned;
  }
  if (sessions > 0.0 && view.planned_sessions > 0.0) plan.levers.theatre_factor *= 1.0 + sessions / view.planned_sessions;
  plan.extra_sessions += sessions;
  plan.extra_cost += cost;
}

Plan Management::plan_for(int month) const {
  const auto it = plans_.find(month);
  return it == plans_.end() ? Plan{} : it->second;
}

}  // namespace breachsim::models
