// SPDX-License-Identifier: MIT
#pragma once
#include <array>

#include "models/care/staffing.hpp"
#include "models/money/finance.hpp"

// Where cost improvement savings come from (docs/management.md, "Cost improvement"). A year's
// delivered savings split by costs.cip_capacity_share: the productivity part is non-pay
// (procurement, drugs, estates) and is taken off cost_other month by month with no effect on
// care; the capacity part is pay, and is taken the way trusts mostly take it, by vacancy
// control: posts come out of the funded establishment, spread over all staff in proportion to
// their pay, never below a group's safe-staffing floor. Nothing is subtracted for it: pay falls
// because fewer people are paid (recruitment to the posts stops, agency covers a smaller gap,
// staff above the new establishment leave by turnover), so the ledger shows it in cost_pay and
// cost_agency, and the modelled groups' capacity falls with it. What the floors keep from
// being taken is not delivered.
namespace breachsim::models {

// One modelled staff group's funded posts as configured (TrustFinanceSetup).
struct StaffPosts {
  double establishment_wte = 0.0;
  double floor_share = 0.0;  // the safe-staffing floor, a share of establishment_wte
};

// The capacity part of one financial year's cost improvement plan.
struct CipCapacity {
  std::array<double, staff_group_count> cut_wte{};  // posts out of each modelled group's establishment
  double other_pay_cut_share = 0.0;                 // share of other staff's pay bill taken out
  double planned_gbp_year = 0.0;                    // the capacity part of the savings delivered
  double taken_gbp_year = 0.0;                      // a year's pay, at substantive rates, of the posts taken out
  double blocked_gbp_year = 0.0;                    // planned but kept by the floors: not delivered

  // Of the planned capacity savings, the share the floors kept (0 with nothing planned).
  double blocked_share() const { return planned_gbp_year > 0.0 ? blocked_gbp_year / planned_gbp_year : 0.0; }
  double cut_wte_total() const;
};

// The posts `savings_gbp_year` of pay takes out: the same share of every group's pay bill at
// its substantive rate (modelled groups at establishment, other staff at other_pay_gbp_per_year),
// each group's share at most down to its floor (other staff: costs.other_pay_floor_share).
CipCapacity plan_cip_capacity(const CostParams& cost, const std::array<StaffPosts, staff_group_count>& posts,
                              double savings_gbp_year);

}  // namespace breachsim::models
