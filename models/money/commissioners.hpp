// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <vector>

#include "models/money/month_end.hpp"
#include "sim/config.hpp"

// Commissioners pay trusts out of annual allocations (docs/sources.md §1). One whose payments
// run ahead of its allocation restricts elective referrals until the financial year ends.
namespace breachsim::models {

struct CommissionerParams {
  std::string name;
  double allocation_gbp_per_year = 0.0;
  double restricted_referral_share = 0.9;
  double planned_surplus_gbp_per_year = 0.0;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("name", name, Doc{"", "Commissioner name, referred to by trusts' `commissioner` (required).", ""});
    v.field("allocation_gbp_per_year", allocation_gbp_per_year,
            Doc{"GBP a year", "What the commissioner can spend on its trusts' activity in a year; 0: unlimited.", "assumption",
                Range::non_negative()});
    v.field("restricted_referral_share", restricted_referral_share,
            Doc{"share", "Share of elective referrals let through, from the month after an overspend to the financial-year end.",
                "assumption", Range::fraction()});
    v.field("planned_surplus_gbp_per_year", planned_surplus_gbp_per_year,
            Doc{"GBP a year", "What the commissioner plans to leave unspent of its allocation in a year (negative: a planned overspend); with its footprint's trusts' control totals, the footprint's plan (`footprints`).",
                "assumption: break even; in 2016/17 commissioners also held 1% of their allocations back as a risk reserve (docs/sources.md §5)",
                Range::any()});
  }
};

class Commissioners {
 public:
  explicit Commissioners(const std::vector<CommissionerParams>& params)
      : params_(&params), state_(params.size()), month_spend_(params.size(), 0.0) {}

  // A new financial year: spending starts again from nothing and restrictions lift.
  void start_year();
  // What commissioner c pays a trust this month (-1: a trust's own, unlimited commissioner).
  void pay(int c, double gbp) {
    if (c >= 0) month_spend_[static_cast<std::size_t>(c)] += gbp;
  }
  // At the month end, after every trust is paid: a commissioner whose year-to-date spending
  // has passed its allocation to date restricts referrals for the rest of the year.
  void review(const MonthEnd& me);
  // What commissioner c has paid its trusts in the financial year so far (after review()).
  double ytd_spend(std::size_t c) const { return state_[c].ytd_spend; }
  // The share of referrals commissioner c lets through next month.
  double referral_share_next(int c, const MonthEnd& me) const;

 private:
  struct State {
    double ytd_spend = 0;
    bool restricting = false;
  };
  const std::vector<CommissionerParams>* params_;
  std::vector<State> state_;
  std::vector<double> month_spend_;
};

}  // namespace breachsim::models
