// SPDX-License-Identifier: MIT
#pragma once
#include <string>

#include "sim/config.hpp"

// One trust's cash, loans and interest, posted a month at a time (docs/sources.md §7). A deficit
// drains cash; below a minimum balance the trust draws on a revolving working-capital
// facility, and later surpluses pay that back. Interest on the debt is charged as a cost, so
// it deepens the deficit that caused the borrowing. A trust whose deficit grows too large, or
// (optionally) which misses its control total, enters financial special measures and pays the
// penal rate on all its debt: the loop by which a deficit can feed itself.
namespace breachsim::models {

struct BorrowingParams {
  double opening_cash_gbp = 20e6;
  double minimum_cash_gbp = 5e6;
  double opening_long_term_debt_gbp = 0.0;
  double revolving_rate = 0.035;
  double long_term_rate = 0.015;
  double penal_rate = 0.06;
  bool convert_revolving_at_year_end = true;
  double special_measures_deficit_share = 0.05;
  bool special_measures_on_missed_control_total = false;
  int special_measures_min_months = 12;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("opening_cash_gbp", opening_cash_gbp,
            Doc{"GBP", "Cash at the start of the run.",
                "assumption: about two weeks of a medium trust's costs (£400-600m a year, docs/sources.md §7)",
                Range::non_negative()});
    v.field("minimum_cash_gbp", minimum_cash_gbp,
            Doc{"GBP",
                "Cash the trust keeps at every month end: a shortfall is borrowed on the revolving facility, and only "
                "cash above it repays that debt.",
                "assumption: about four days of a medium trust's costs", Range::non_negative()});
    v.field("opening_long_term_debt_gbp", opening_long_term_debt_gbp,
            Doc{"GBP", "Long-term loans at the start of the run. Long-term loans are never repaid within a run.",
                "assumption: none", Range::non_negative()});
    v.field("revolving_rate", revolving_rate,
            Doc{"per year", "Interest on revolving working-capital loans, charged monthly at a twelfth of this.",
                "docs/sources.md §7: 3.5%", Range::fraction()});
    v.field("long_term_rate", long_term_rate,
            Doc{"per year", "Interest on long-term loans, charged monthly at a twelfth of this.",
                "docs/sources.md §7: 1.5%", Range::fraction()});
    v.field("penal_rate", penal_rate,
            Doc{"per year", "Interest on all debt, revolving and long-term, in months in financial special measures.",
                "docs/sources.md §7: 6%", Range::fraction()});
    v.field("convert_revolving_at_year_end", convert_revolving_at_year_end,
            Doc{"",
                "At each financial-year end the revolving debt outstanding becomes long-term debt (at long_term_rate "
                "from the next month).",
                "assumption: a trust in deficit cannot repay working-capital loans within the year, so they are "
                "refinanced long-term"});
    v.field("special_measures_deficit_share", special_measures_deficit_share,
            Doc{"share of annual income",
                "Enter financial special measures when the cumulative deficit since the start of the run, interest "
                "included, exceeds this share of annual income; 0: never on the deficit.",
                "assumption", Range::fraction()});
    v.field("special_measures_on_missed_control_total", special_measures_on_missed_control_total,
            Doc{"",
                "Also enter financial special measures when a financial year ends below its control total; that "
                "trigger holds until a later year end meets the control total.",
                "assumption: off"});
    v.field("special_measures_min_months", special_measures_min_months,
            Doc{"months",
                "Months financial special measures last at least; afterwards they end at the first month end at which "
                "no trigger holds.",
                "assumption: a year", Range::at_least(1)});
  }
};

// Cross-field checks for the scenario's second pass: `path` is the section's key path.
void check_borrowing(const BorrowingParams& p, const std::string& path, sim::config::Diagnostics& d);

// What one month did, for the ledger and the outputs. Money is conserved each month:
// cash - previous cash = surplus + borrowed - repaid, and
// debt - previous debt = borrowed - repaid (conversion moves debt, it does not change it).
struct MonthPosting {
  double interest = 0.0;   // GBP charged this month; already taken off `surplus`
  double surplus = 0.0;    // operating surplus less interest (negative: a deficit)
  double borrowed = 0.0;   // drawn on the revolving facility to restore the minimum cash
  double repaid = 0.0;     // revolving debt repaid from cash above the minimum
  double converted = 0.0;  // revolving debt turned long-term at a financial-year end
  double cash = 0.0;       // at the month end, as are the debts
  double revolving_debt = 0.0;
  double long_term_debt = 0.0;
  // The cumulative surplus since the start of the run with its sign flipped, so the deficit
  // the product measures reads positive; negative while the trust is in surplus overall.
  double cumulative_deficit = 0.0;
  bool special_measures = false;  // in force during this month: the penal rate was charged
};

class BalanceSheet {
 public:
  explicit BalanceSheet(const BorrowingParams& p);

  // Posts one month, in this order:
  //  1. interest on the debt at the month start, a twelfth of the yearly rates (penal_rate on
  //     all debt while special measures are in force);
  //  2. cash += operating surplus - interest - capital spent (capital is not in the surplus:
  //     it buys assets, but the cash is gone all the same);
  //  3. cash below the minimum is borrowed on the revolving facility back up to the minimum,
  //     or cash above it repays revolving debt;
  //  4. at a financial-year end (`year_end`), revolving debt converts to long-term if
  //     configured, and the control-total trigger compares `year_surplus_gbp` with
  //     `year_control_total_gbp` (on whatever basis the caller's control totals use; summing
  //     MonthPosting::surplus over the year includes interest);
  //  5. the special-measures triggers are read at the month end: a trigger seen in month m
  //     puts the trust in special measures from month m+1, since the penal rate is a
  //     regulator's response to accounts already closed. `annual_income_gbp` scales the
  //     deficit trigger.
  MonthPosting post_month(double operating_surplus_gbp, double annual_income_gbp, bool year_end,
                          double year_surplus_gbp, double year_control_total_gbp, double capital_spend_gbp = 0.0);

  double cash() const { return cash_; }
  double debt() const { return revolving_ + long_term_; }
  // In force for the next month to be posted.
  bool in_special_measures() const { return special_measures_; }

 private:
  BorrowingParams params_;
  double cash_;
  double revolving_ = 0.0;
  double long_term_;
  double cumulative_surplus_ = 0.0;
  bool special_measures_ = false;
  int months_in_special_measures_ = 0;
  bool missed_control_total_ = false;  // at the latest financial-year end
};

}  // namespace breachsim::models
