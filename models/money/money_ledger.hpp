// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <vector>

#include "models/money/balance_sheet.hpp"
#include "models/money/money_month.hpp"
#include "sim/time.hpp"

// Pounds conserved at every month end: the rules the money tests check on whole runs and
// hand-built ledgers (tests/test_money_run.cpp, test_settlement.cpp, test_balance_sheet.cpp),
// held month by month while a run goes, in builds that check invariants (sim/invariant.hpp).
// A failure throws sim::InvariantError naming the trust, the terms and the difference.
namespace breachsim::models {

// What a month's posting did to one trust's balance sheet, with its position before it.
struct PostingCheck {
  const MonthPosting& posting;
  double operating_surplus, capital_spent;  // what was posted
  double cash_before, debt_before;
};

class MoneyLedger {
 public:
  // One trust's posting: surplus = operating surplus - interest; cash moves by surplus -
  // capital spent + borrowed - repaid; debt by borrowed - repaid (conversion moves debt from
  // revolving to long-term, it does not change it).
  static void check_posting(const std::string& trust, const PostingCheck& c, sim::Time month_end);

  // After the month end's last stage, `out` [trust] the month's money: each trust's surplus is
  // its income less fines, costs and interest; its fines went somewhere (withheld + reinvested +
  // pooled) and are its schemes' fines added up; and every pound fined since the run began is
  // withheld, returned, awaiting return, paid out of a pool or still in one.
  void close_month(const std::vector<std::string>& trusts, const std::vector<MoneyMonth>& out, double awaiting_return,
                   double pool_balance, sim::Time month_end);

 private:
  double fines_ = 0, withheld_ = 0, returned_ = 0, pool_payouts_ = 0;  // since the run began, every trust
};

}  // namespace breachsim::models
