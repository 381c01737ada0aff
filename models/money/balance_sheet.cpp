// SPDX-License-Identifier: MIT
#include "models/money/balance_sheet.hpp"

#include <algorithm>

namespace breachsim::models {

void check_borrowing(const BorrowingParams& p, const std::string& path, sim::config::Diagnostics& d) {
  if (p.opening_cash_gbp < p.minimum_cash_gbp)
    d.error_at(
        path + ".opening_cash_gbp",
        "is below minimum_cash_gbp: the first month would borrow the difference as if the trust had run a deficit");
  if (p.penal_rate < std::max(p.revolving_rate, p.long_term_rate))
    d.error_at(
        path + ".penal_rate",
        "is below revolving_rate or long_term_rate: financial special measures would lower the trust's interest");
}

BalanceSheet::BalanceSheet(const BorrowingParams& p)
    : params_(p), cash_(p.opening_cash_gbp), long_term_(p.opening_long_term_debt_gbp) {}

MonthPosting BalanceSheet::post_month(double operating_surplus_gbp, double annual_income_gbp, bool year_end,
                                      double year_surplus_gbp, double year_control_total_gbp,
                                      double capital_spend_gbp) {
  const BorrowingParams& p = params_;
  MonthPosting m;
  m.special_measures = special_measures_;
  const double revolving_rate = special_measures_ ? p.penal_rate : p.revolving_rate;
  const double long_term_rate = special_measures_ ? p.penal_rate : p.long_term_rate;
  m.interest = (revolving_ * revolving_rate + long_term_ * long_term_rate) / 12.0;
  m.surplus = operating_surplus_gbp - m.interest;
  cash_ += m.surplus - capital_spend_gbp;

  if (cash_ < p.minimum_cash_gbp) {
    m.borrowed = p.minimum_cash_gbp - cash_;
    revolving_ += m.borrowed;
    cash_ = p.minimum_cash_gbp;
  } else {
    m.repaid = std::min(cash_ - p.minimum_cash_gbp, revolving_);
    revolving_ -= m.repaid;
    cash_ -= m.repaid;
  }

  if (year_end) {
    if (p.convert_revolving_at_year_end) {
      m.converted = revolving_;
      long_term_ += revolving_;
      revolving_ = 0.0;
    }
    if (p.special_measures_on_missed_control_total) missed_control_total_ = year_surplus_gbp < year_control_total_gbp;
  }

  cumulative_surplus_ += m.surplus;
  m.cumulative_deficit = -cumulative_surplus_;
  const bool deep_deficit = p.special_measures_deficit_share > 0.0 &&
                            m.cumulative_deficit > p.special_measures_deficit_share * annual_income_gbp;
  const bool triggered = deep_deficit || missed_control_total_;
  if (special_measures_) {
    ++months_in_special_measures_;
    if (months_in_special_measures_ >= p.special_measures_min_months && !triggered) special_measures_ = false;
  } else if (triggered) {
    special_measures_ = true;
    months_in_special_measures_ = 0;
  }

  m.cash = cash_;
  m.revolving_debt = revolving_;
  m.long_term_debt = long_term_;
  return m;
}

}  // namespace breachsim::models
