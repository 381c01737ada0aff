// SPDX-License-Identifier: MIT
#include "models/money/money_ledger.hpp"

#include <cmath>
#include <initializer_list>
#include <sstream>

#include "sim/invariant.hpp"

namespace breachsim::models {

namespace {

// Two sides of one identity, each a sum of terms: equal up to the rounding of adding them in
// another order, thousands of doubles over a long run of many trusts (each addition rounds by
// 1e-16 of its size), so within 1e-10 of the terms' sizes: 10p in £1bn, far below a mistake.
void require_equal(const std::string& what, double left, double right, std::initializer_list<double> terms,
                   sim::Time month_end) {
  double scale = 1.0;
  for (double t : terms) scale += std::fabs(t);
  if (std::fabs(left - right) <= 1e-10 * scale) return;
  std::ostringstream msg;
  msg.precision(17);
  msg << "pounds not conserved: " << what << " (GBP " << left << " against " << right << ", a difference of "
      << left - right << ")";
  sim::invariant_failed(msg.str(), month_end);
}

std::string trust_label(const std::vector<std::string>& names, std::size_t t) {
  const std::string index = "index " + std::to_string(t);
  return t < names.size() && !names[t].empty() ? "trust '" + names[t] + "' (" + index + ")" : "trust " + index;
}

}  // namespace

void MoneyLedger::check_posting(const std::string& trust, const PostingCheck& c, sim::Time month_end) {
  const MonthPosting& p = c.posting;
  require_equal(trust + ": surplus = operating surplus - interest", p.surplus, c.operating_surplus - p.interest,
                {c.operating_surplus, p.interest}, month_end);
  require_equal(trust + ": cash - cash before = surplus - capital spent + borrowed - repaid", p.cash - c.cash_before,
                p.surplus - c.capital_spent + p.borrowed - p.repaid,
                {p.cash, c.cash_before, p.surplus, c.capital_spent, p.borrowed, p.repaid}, month_end);
  const double debt = p.revolving_debt + p.long_term_debt;
  require_equal(trust + ": debt - debt before = borrowed - repaid", debt - c.debt_before, p.borrowed - p.repaid,
                {debt, c.debt_before, p.borrowed, p.repaid}, month_end);
}

void MoneyLedger::close_month(const std::vector<std::string>& trusts, const std::vector<MoneyMonth>& out,
                              double awaiting_return, double pool_balance, sim::Time month_end) {
  for (std::size_t t = 0; t < out.size(); ++t) {
    const MoneyMonth& m = out[t];
    const std::string trust = trust_label(trusts, t);
    require_equal(trust + ": surplus = income - fines - pay - agency - other costs - interest", m.surplus,
                  m.operating_surplus() - m.interest,
                  {m.income(), m.fines, m.cost_pay, m.cost_agency, m.cost_other, m.interest}, month_end);
    require_equal(trust + ": fines = withheld + reinvested + pooled", m.fines,
                  m.fines_withheld + m.fines_reinvested + m.fines_pooled, {m.fines}, month_end);
    double by_scheme = 0.0;
    for (double f : m.fines_by_scheme) by_scheme += f;
    require_equal(trust + ": fines = the schemes' fines added up", m.fines, by_scheme, {m.fines}, month_end);
    fines_ += m.fines;
    withheld_ += m.fines_withheld;
    returned_ += m.fines_returned;
    pool_payouts_ += m.pool_payouts;
  }
  require_equal(
      "every trust since the run began: fines = withheld + returned + awaiting return + paid out of pools + in pools",
      fines_, withheld_ + returned_ + awaiting_return + pool_payouts_ + pool_balance,
      {fines_, withheld_, returned_, awaiting_return, pool_payouts_, pool_balance}, month_end);
}

}  // namespace breachsim::models
