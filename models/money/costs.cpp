// SPDX-License-Identifier: MIT
#include "models/money/costs.hpp"

#include <algorithm>
#include <cmath>

#include "models/care/trust.hpp"

namespace breachsim::models {

double charge_costs(const CostParams& cost, const AgencyRulesParams& rules, const TrustMonth& tm, double cip_delivered,
                    double other_pay_cut_share, double extra_sessions_gbp, MoneyMonth& m) {
  double premium =
      cost.agency_premium_cap > 0.0 ? std::min(cost.agency_premium, cost.agency_premium_cap) : cost.agency_premium;
  if (rules.price_cap > 0.0) premium = std::min(premium, rules.price_cap);
  const std::array<double, staff_group_count> rates = substantive_rates(cost);
  // Staff not modelled as groups: their agency part scales with the month's agency lever (at
  // most the usual share: protecting performance buys front-line cover only); work the cut
  // moves to substantive or bank staff costs the substantive rate. Posts cost improvement took
  // out of their establishment are not paid at all.
  const double other = cost.other_pay_gbp_per_year / 12.0 * (1.0 - other_pay_cut_share);
  const double share = cost.other_pay_agency_share;
  const double kept = std::min(1.0, tm.agency_factor);
  m.cost_pay = other * (1.0 - share) + other * share * (1.0 - kept) / (1.0 + cost.agency_premium);
  m.cost_agency = other * share * kept * (1.0 + premium) / (1.0 + cost.agency_premium);
  for (std::size_t g = 0; g < staff_group_count; ++g) {
    m.cost_pay += tm.staff[g].substantive_wte * rates[g] / 12.0;
    m.cost_agency += tm.staff[g].agency_wte * rates[g] * (1.0 + premium) / 12.0;
  }
  const double day_cases = static_cast<double>(tm.wards.elective_day_cases);
  const double inpatients = static_cast<double>(tm.wards.elective_inpatients);
  const double non_surgical = static_cast<double>(tm.cancer.treated - tm.cancer.treated_surgical);
  m.cost_other = cost.bed_day_gbp * tm.wards.occupied_bed_minutes / sim::minutes_per_day +
                 cost.procedure_gbp * (day_cases + inpatients + non_surgical) +
                 cost.ed_attendance_gbp * static_cast<double>(tm.ed.attendances) +
                 cost.outpatient_gbp * static_cast<double>(tm.electives.outpatient_treated) +
                 cost.fixed_gbp_per_year / 12.0 + extra_sessions_gbp;
  // Savings are a share of what the month cost, delivered as far as the year's luck allows;
  // here only the productivity part: the capacity part is in the pay above, as fewer posts.
  const double gross = m.cost_pay + m.cost_agency + m.cost_other;
  m.cip_savings_productivity = cost.cip_target_share * cip_delivered * (1.0 - cost.cip_capacity_share) * gross;
  m.cip_savings = m.cip_savings_productivity;
  m.cost_other -= m.cip_savings_productivity;
  return gross;
}

std::array<double, staff_group_count> substantive_rates(const CostParams& cost) {
  return {cost.ed_clinician_gbp_per_wte_year, cost.ward_nurse_gbp_per_wte_year, cost.theatre_team_gbp_per_wte_year};
}

double cip_delivered_share(const CostParams& cost, double execution) {
  const double target = cost.cip_target_share, headroom = cost.cip_headroom_share;
  // h (1 - exp(-T/h)) / T; its limit as T -> 0 is 1 (the first pound of savings is free).
  const double returns = headroom > 0.0 && target > 0.0 ? -headroom * std::expm1(-target / headroom) / target : 1.0;
  return std::max(0.0, execution) * returns;
}

}  // namespace breachsim::models
