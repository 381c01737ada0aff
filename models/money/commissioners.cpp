// SPDX-License-Identifier: MIT
#include "models/money/commissioners.hpp"

#include <algorithm>

namespace breachsim::models {

void Commissioners::start_year() { std::fill(state_.begin(), state_.end(), State{}); }

void Commissioners::review(const MonthEnd& me) {
  for (std::size_t c = 0; c < state_.size(); ++c) {
    State& s = state_[c];
    s.ytd_spend += month_spend_[c];
    month_spend_[c] = 0.0;
    const double allocation = (*params_)[c].allocation_gbp_per_year;
    if (allocation > 0.0 && s.ytd_spend > me.to_date(allocation)) s.restricting = true;
  }
}

double Commissioners::referral_share_next(int c, const MonthEnd& me) const {
  // The restriction runs to the financial-year end, so it never reaches into the next year.
  if (c < 0 || me.year_end || !state_[static_cast<std::size_t>(c)].restricting) return 1.0;
  return (*params_)[static_cast<std::size_t>(c)].restricted_referral_share;
}

}  // namespace breachsim::models
