// SPDX-License-Identifier: MIT
#include "models/money/costs.hpp"

#include <algorithm>

#include "models/care/trust.hpp"

namespace breachsim::models {

void charge_costs(const CostParams& cost, const AgencyRulesParams& rules, const TrustMonth& tm, double cip_delivered,
                  double extra_sessions_gbp, MoneyMonth& m) {
  double premium =
      cost.agency_premium_cap > 0.0 ? std::min(cost.agency_premium, cost.agency_premium_cap) : cost.agency_premium;
  if (rules.price_cap > 0.0) premium = std::min(premium, rules.price_cap);
  const double rates[staff_group_count] = {cost.ed_clinician_gbp_per_wte_year, cost.ward_nurse_gbp_per_wte_year,
                                           cost.theatre_team_gbp_per_wte_year};
  m.cost_pay = cost.other_pay_gbp_per_year / 12.0;
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
  // Savings are a share of what the month cost, delivered as far as the year's luck allows.
  m.cip_savings = cost.cip_target_share * cip_delivered * (m.cost_pay + m.cost_agency + m.cost_other);
  m.cost_other -= m.cip_savings;
}

}  // namespace breachsim::models
