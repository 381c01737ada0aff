// SPDX-License-Identifier: MIT
#pragma once
#include "models/care/wards.hpp"

namespace breachsim::testing {

// Discharges at any hour and early discharges unrationed: the wards before exit block, for
// the tests of queueing theory and of stay lengths (a window holds some stays past their
// drawn end) and for comparisons with the model before it.
inline void without_window(models::BedParams& b) {
  b.discharge_window_opens_hour = 0.0;
  b.discharge_window_closes_hour = 24.0;
  b.early_discharge_daily_limit_share = 0.0;
}

}  // namespace breachsim::testing
