// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <vector>

#include "models/care/performance.hpp"
#include "models/money/fines.hpp"
#include "models/money/money_draws.hpp"
#include "sim/calendar.hpp"

// The shadow levy behind the first-round fines of the deficit multiplier (docs/sources.md §1):
// at the baseline point's month end, what every sweep point's sanctions would levy on the
// baseline's own breaches, trust by trust, as if nobody had responded to any fine. It keeps
// books of its own (each point's fines to date, which the yearly caps read) and only reads
// the month's counts and draws. The draws are counter-based streams keyed by seed,
// replication, trust, month and scheme, with no state to advance, so levying in the shadow
// cannot move anything the baseline itself draws.
namespace breachsim::models {

struct FinanceSetup;

class ShadowLevies {
 public:
  ShadowLevies() = default;  // no points: levies nothing
  // Every point's finance, schemes unified across the sweep (ScenarioSetup): scheme i is the
  // same scheme at every point, so waiver draw i is the draw the point itself would make.
  // Everything the month ends use is allocated here.
  ShadowLevies(std::vector<const FinanceSetup*> points, std::size_t trusts);

  // A new financial year: every point's fines to date start again, as the real ones do.
  void start_year();
  // The month starting `date`: whether each point has an incentive fund in force, which
  // suspends some schemes for the trusts that took it.
  void open_month(const sim::Date& date);
  // Trust t's month: every point's sanctions on `counts`, with the trust's terms at that point.
  void levy(std::size_t t, const sim::Date& date, const BreachCounts& counts, const MoneyDraws& draws);
  // After every trust's levy: the month's national levy joins the run's. Summed trusts first,
  // then months, as the national `fines` metric is, so a point whose own breaches are the
  // baseline's gets a levy equal to its fines to the last bit.
  void close_month();

  // [point]: levied over the months closed so far, all trusts together.
  const std::vector<double>& totals() const { return totals_; }

 private:
  std::vector<const FinanceSetup*> points_;
  std::size_t trusts_ = 0;
  std::vector<FinesToDate> to_date_;  // [point][trust], this financial year
  std::vector<char> fund_in_force_;   // [point], this month
  std::vector<double> by_scheme_;     // what levy_fines writes and the shadow does not keep
  std::vector<double> month_;         // [point], all trusts, this month
  std::vector<double> totals_;        // [point], all trusts, the months closed
};

}  // namespace breachsim::models
