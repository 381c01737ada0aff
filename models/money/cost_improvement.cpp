// SPDX-License-Identifier: MIT
#include "models/money/cost_improvement.hpp"

#include <algorithm>

#include "models/money/costs.hpp"

namespace breachsim::models {

double CipCapacity::cut_wte_total() const {
  double total = 0.0;
  for (double w : cut_wte) total += w;
  return total;
}

CipCapacity plan_cip_capacity(const CostParams& cost, const std::array<StaffPosts, staff_group_count>& posts,
                              double savings_gbp_year) {
  CipCapacity c;
  c.planned_gbp_year = std::max(0.0, savings_gbp_year);
  const std::array<double, staff_group_count> rates = substantive_rates(cost);
  double pay_bill = cost.other_pay_gbp_per_year;
  for (std::size_t g = 0; g < staff_group_count; ++g) pay_bill += posts[g].establishment_wte * rates[g];
  if (pay_bill <= 0.0) {
    c.blocked_gbp_year = c.planned_gbp_year;  // no pay to save
    return c;
  }
  // In proportion to pay: every group gives up the same share of its posts, so a group's
  // pounds are its pay bill times that share. What a floor keeps is counted group by group, so
  // it is exactly 0 when no floor binds.
  const double share = c.planned_gbp_year / pay_bill;
  for (std::size_t g = 0; g < staff_group_count; ++g) {
    const double taken = std::min(share, std::max(0.0, 1.0 - posts[g].floor_share));
    c.cut_wte[g] = taken * posts[g].establishment_wte;
    c.taken_gbp_year += c.cut_wte[g] * rates[g];
    c.blocked_gbp_year += (share - taken) * posts[g].establishment_wte * rates[g];
  }
  c.other_pay_cut_share = std::min(share, std::max(0.0, 1.0 - cost.other_pay_floor_share));
  c.taken_gbp_year += c.other_pay_cut_share * cost.other_pay_gbp_per_year;
  c.blocked_gbp_year += (share - c.other_pay_cut_share) * cost.other_pay_gbp_per_year;
  return c;
}

}  // namespace breachsim::models
