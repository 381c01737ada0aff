// SPDX-License-Identifier: MIT
#include "models/money/shadow_levy.hpp"

#include <algorithm>
#include <utility>

#include "models/money/settlement.hpp"

namespace breachsim::models {

ShadowLevies::ShadowLevies(std::vector<const FinanceSetup*> points, std::size_t trusts)
    : points_(std::move(points)), trusts_(trusts) {
  const std::size_t schemes = points_.empty() ? 0 : points_.front()->schemes.size();
  to_date_.resize(points_.size() * trusts_);
  for (FinesToDate& f : to_date_) f.by_scheme.assign(schemes, 0.0);
  fund_in_force_.assign(points_.size(), 0);
  by_scheme_.assign(schemes, 0.0);
  month_.assign(points_.size(), 0.0);
  totals_.assign(points_.size(), 0.0);
}

void ShadowLevies::start_year() {
  for (FinesToDate& f : to_date_) {
    std::fill(f.by_scheme.begin(), f.by_scheme.end(), 0.0);
    f.total = 0.0;
  }
}

void ShadowLevies::open_month(const sim::Date& date) {
  for (std::size_t q = 0; q < points_.size(); ++q) fund_in_force_[q] = points_[q]->fund_at(date) != nullptr;
}

void ShadowLevies::levy(std::size_t t, const sim::Date& date, const BreachCounts& counts, const MoneyDraws& draws) {
  for (std::size_t q = 0; q < points_.size(); ++q) {
    const FinanceSetup& point = *points_[q];
    const FineTerms terms = fine_terms(point.trusts[t].finance, fund_in_force_[q] != 0);
    // levy_fines writes only the schemes that levy, so the rest must read zero.
    std::fill(by_scheme_.begin(), by_scheme_.end(), 0.0);
    month_[q] += levy_fines(point.schemes, counts, date, terms, draws, to_date_[q * trusts_ + t], by_scheme_).levied;
  }
}

void ShadowLevies::close_month() {
  for (std::size_t q = 0; q < points_.size(); ++q) {
    totals_[q] += month_[q];
    month_[q] = 0.0;
  }
}

}  // namespace breachsim::models
