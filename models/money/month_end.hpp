// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>

#include "models/money/incentive_fund.hpp"
#include "models/regulator/regulator.hpp"
#include "models/money/money_draws.hpp"
#include "sim/calendar.hpp"

// What every stage of the month end knows about the month being settled.
namespace breachsim::models {

struct MonthEnd {
  int month = 0;                 // reported month index, 0-based
  sim::Date date;                // its first day
  int elapsed = 0;               // months of this financial year settled, this one included
  bool quarter_end = false, year_end = false;
  sim::Date quarter_start;       // first day of the quarter this month ends (or of the run)
  const IncentiveFundParams* fund = nullptr;  // the fund settling this month's quarter, if any
  AgencyRulesParams agency;      // every national agency rule in force this month

  // An annual amount pro rata to the months settled: a run that starts in January judges its
  // first three months against three twelfths of the year's control total, not ten.
  double to_date(double per_year) const { return per_year * elapsed / 12.0; }
};

}  // namespace breachsim::models
