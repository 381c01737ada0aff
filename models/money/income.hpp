// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <optional>

#include "models/money/finance.hpp"
#include "models/money/money_month.hpp"
#include "models/money/month_end.hpp"
#include "models/care/performance.hpp"

// The income stage of the month end (docs/sources.md §4-5): what the commissioner pays for the
// month's activity, under payment by results (tariff per unit, a marginal rate above an
// emergency baseline, no payment for readmissions or late rebookings, coding disputes) or a
// block contract, plus other income and, at quarter ends, CQUIN.
namespace breachsim::models {

struct TrustMonth;

enum class Payment : std::uint8_t { activity, block };

// The words of PaymentParams resolved once, so the month end compares no strings.
struct IncomeRules {
  Payment payment = Payment::activity;
  std::optional<Standard> cquin_on;  // the standard whose quarter earns CQUIN; none: earned by chance
};

// Throws std::invalid_argument on a word the config reader would have refused.
IncomeRules compile_income(const PaymentParams& p);

// Sets income_activity (with readmission_nonpayment, rebooking_nonpayment and coding_uplift)
// and income_other.
void pay_for_activity(const FinanceParams& f, const IncomeRules& rules, const TrustMonth& tm, const MoneyDraws& draws,
                      MoneyMonth& m);

// At a quarter end, adds the quarter's CQUIN to income_incentives when it was earned: on the
// quarter's share within a standard (the waiting list's at the quarter end) or by chance for
// quality goals the model does not simulate.
void pay_cquin(const FinanceParams& f, const IncomeRules& rules, const PerformanceRecord& record,
               const MoneyDraws& draws, MoneyMonth& m);

}  // namespace breachsim::models
