// SPDX-License-Identifier: MIT
#pragma once
#include <vector>

#include "models/money/management.hpp"

// One trust-month of money, as the month-end stages fill it in (docs/architecture.md).
namespace breachsim::models {

// GBP; a deficit is a negative surplus.
struct MoneyMonth {
  double income_activity = 0;          // tariff (or block) for the month's activity, coding outcome included
  double income_other = 0;             // activity not simulated patient by patient
  double income_incentives = 0;        // incentive fund and CQUIN
  double readmission_nonpayment = 0;   // tariff not paid for readmissions (already left out of income_activity)
  double rebooking_nonpayment = 0;     // tariff not paid for operations rebooked beyond 28 days (likewise)
  double coding_uplift = 0;            // of income_activity, the coding uplift kept after any challenge
  double fines = 0;                    // levied after caps, waivers and suspensions
  double fines_waived = 0;             // assessed but waived, suspended or cut by caps: assessed = fines + fines_waived
  double fines_withheld = 0, fines_reinvested = 0, fines_pooled = 0;  // where this month's fines went
  double fines_returned = 0;           // reinvested fines coming back this month
  double pool_payouts = 0;             // received from fine pools as a trust in deficit
  double commissioner_payment = 0;     // paid by the trust's commissioner: activity and CQUIN, with fines
                                       // returned, less fines it kept back (set at the fine stage)
  double fund_unearned = 0;            // incentive-fund allocation not earned this quarter
  double cost_pay = 0;                 // substantive pay, modelled groups and the rest
  double cost_agency = 0;
  double cost_other = 0;               // activity, fixed and extra-session costs, less CIP productivity savings
  double cip_savings = 0;              // productivity + capacity
  double cip_savings_productivity = 0; // non-pay: already taken off cost_other
  double cip_savings_capacity = 0;     // a month's pay of the posts out of the establishment (in cost_pay and
                                       // cost_agency as fewer staff, not subtracted)
  double cip_capacity_blocked = 0;     // a month of the capacity savings the safe-staffing floors kept
  double cip_establishment_cut_wte = 0;  // posts out of the modelled groups' establishment this month
  double interest = 0;
  double surplus = 0;
  double cumulative_deficit = 0;
  double debt = 0;
  double cash = 0;
  bool special_measures = false;
  PoliciesActing acting;               // which management policies acted on this month's capacity
  double extra_sessions = 0;           // bought with returned fines or to protect performance
  double referral_share = 1.0;         // share of referrals the commissioner let through
  double league_rank = 0, league_segment = 0;  // the latest quarter's league table; 0: not yet ranked
  bool control_total_met = false;      // year-to-date surplus at least the year-to-date control total
  double cip_delivered_share = 0;      // of this financial year's CIP target
  bool turnaround_team = false;        // the regulator's consequences in force this month
  double turnaround_cost = 0;          // (already in cost_other)
  bool management_replaced = false;
  double productivity_factor = 1.0, recruitment_factor = 1.0;
  double capital_rewards = 0, capital_committed = 0, capital_invested = 0;
  double capital_beds = 0;             // beds opened with capital so far
  std::vector<double> fines_by_scheme;

  double income() const { return income_activity + income_other + income_incentives + fines_returned + pool_payouts; }
  // Before interest, which the balance sheet charges. The deficit multiplier splits the extra
  // deficit into these terms (DeficitMultiplier in models/run/summary.hpp): a new one needs its
  // place there, or the parts stop adding up.
  double operating_surplus() const { return income() - fines - cost_pay - cost_agency - cost_other; }
};

}  // namespace breachsim::models
