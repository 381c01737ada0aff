// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "models/money/fines.hpp"
#include "models/money/money_month.hpp"

// Where fines go once levied (docs/sources.md §3): kept by the commissioner (withheld),
// returned to the same trust after a lag to spend on its services (reinvested), or paid into
// a national or regional pool that pays trusts in deficit at quarter ends (pooled). Every
// pound fined is in exactly one place:
//   levied = withheld + returned + awaiting return + paid out of pools + left in pools.
namespace breachsim::models {

class FineFlows {
 public:
  FineFlows(const std::vector<Scheme>& schemes, std::size_t trusts);

  // Sends trust t's fines of month `month`, per scheme in m.fines_by_scheme, where their
  // schemes say, and records the split in m.
  void send(std::size_t t, int month, const std::vector<Scheme>& schemes, MoneyMonth& m);
  // Reinvested fines due back to trust t in month `month`; each is paid once.
  double take_returns(std::size_t t, int month);
  // At a quarter end each pool pays the trusts its region covers ("national": all) that are
  // in deficit (`cumulative_deficit`, at the last month end, less what earlier pools paid them
  // this quarter end), pro rata and never beyond their deficits; what nobody qualifies for
  // stays in the pool. Adds to out[t].pool_payouts.
  void pay_out(const std::vector<std::string>& regions, const std::vector<double>& cumulative_deficit,
               std::vector<MoneyMonth>& out);

  double pool_balance() const;
  double awaiting_return() const;

 private:
  std::map<std::string, double> pools_;
  std::vector<std::map<int, double>> returns_;  // per trust: month -> reinvested fines due back
};

}  // namespace breachsim::models
