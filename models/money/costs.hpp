// SPDX-License-Identifier: MIT
#pragma once
#include <array>

#include "models/care/staffing.hpp"
#include "models/money/finance.hpp"
#include "models/money/money_month.hpp"
#include "models/regulator/regulator.hpp"

// The costs stage of the month end (docs/sources.md §7): substantive pay at its rates, agency
// cover at the premium (capped by the trust and by the national price cap), the costs of
// activity, fixed costs and any extra sessions management bought, less what the cost
// improvement programme delivered in productivity (its capacity part is fewer posts:
// models/money/cost_improvement.hpp).
namespace breachsim::models {

struct TrustMonth;

// Sets cost_pay, cost_agency, cost_other, cip_savings_productivity and cip_savings (so far the
// productivity part), and returns the month's costs before savings. `cip_delivered` is the
// share of the year's CIP target this trust delivers; `other_pay_cut_share` the share of other
// staff's pay bill cost improvement took out of their establishment; `extra_sessions_gbp`
// what the sessions bought for this month cost.
double charge_costs(const CostParams& cost, const AgencyRulesParams& rules, const TrustMonth& tm, double cip_delivered,
                    double other_pay_cut_share, double extra_sessions_gbp, MoneyMonth& m);

// A year's pay of one WTE of each modelled staff group at its substantive rate.
std::array<double, staff_group_count> substantive_rates(const CostParams& cost);

// The share of the year's CIP target delivered, given `execution` (a draw of
// cip_delivered_share): execution times the diminishing-returns factor of the target's ambition.
double cip_delivered_share(const CostParams& cost, double execution);

}  // namespace breachsim::models
