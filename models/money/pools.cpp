// SPDX-License-Identifier: MIT
#include "models/money/pools.hpp"

#include <algorithm>

namespace breachsim::models {

FineFlows::FineFlows(const std::vector<Scheme>& schemes, std::size_t trusts) : returns_(trusts) {
  for (const Scheme& s : schemes)
    if (s.destination == FineDestination::pooled) pools_[s.params.pool] = 0.0;
}

void FineFlows::send(std::size_t t, int month, const std::vector<Scheme>& schemes, MoneyMonth& m) {
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    double amount = m.fines_by_scheme[i];
    if (amount == 0.0) continue;
    const Scheme& scheme = schemes[i];
    // A share returned despite the destination is reinvested money like any other; the test
    // keeps a scheme without one exactly as it was (amount - 0 x amount is amount, but this
    // way no reinvested entry is made).
    if (scheme.params.reinvested_share > 0.0 && scheme.destination != FineDestination::reinvested) {
      const double returned = amount * scheme.params.reinvested_share;
      m.fines_reinvested += returned;
      returns_[t][month + scheme.params.reinvest_lag_months] += returned;
      amount -= returned;
    }
    switch (scheme.destination) {
      case FineDestination::withheld: m.fines_withheld += amount; break;
      case FineDestination::reinvested:
        m.fines_reinvested += amount;
        returns_[t][month + scheme.params.reinvest_lag_months] += amount;
        break;
      case FineDestination::pooled:
        m.fines_pooled += amount;
        pools_[scheme.params.pool] += amount;
        break;
    }
  }
}

double FineFlows::take_returns(std::size_t t, int month) {
  const auto due = returns_[t].find(month);
  if (due == returns_[t].end()) return 0.0;
  const double amount = due->second;
  returns_[t].erase(due);
  return amount;
}

void FineFlows::pay_out(const std::vector<std::string>& regions, const std::vector<double>& cumulative_deficit,
                        std::vector<MoneyMonth>& out) {
  const std::size_t n = out.size();
  for (auto& [pool, balance] : pools_) {
    if (!(balance > 0.0)) continue;
    std::vector<double> deficit(n, 0.0);
    double total = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
      if (pool != "national" && regions[t] != pool) continue;
      deficit[t] = std::max(0.0, cumulative_deficit[t] - out[t].pool_payouts);
      total += deficit[t];
    }
    if (!(total > 0.0)) continue;
    const double paid_out = std::min(balance, total);
    for (std::size_t t = 0; t < n; ++t) out[t].pool_payouts += paid_out * deficit[t] / total;
    balance -= paid_out;
  }
}

double FineFlows::pool_balance() const {
  double total = 0.0;
  for (const auto& [name, balance] : pools_) total += balance;
  return total;
}

double FineFlows::awaiting_return() const {
  double total = 0.0;
  for (const auto& due : returns_)
    for (const auto& [month, amount] : due) total += amount;
  return total;
}

}  // namespace breachsim::models
