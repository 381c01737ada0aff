// SPDX-License-Identifier: MIT
#include "models/money/incentive_fund.hpp"

#include <cmath>
#include <stdexcept>

namespace breachsim::models {

void check_incentive_fund(const IncentiveFundParams& p, const std::string& path, sim::config::Diagnostics& d) {
  // A sum short of 1 would leave part of every allocation earnable by nobody and a sum above
  // it would pay out more than the pot, so either is a typo, not a policy.
  const double sum = p.finance_share + p.ed_share + p.rtt_share + p.cancer_share;
  if (std::fabs(sum - 1.0) > 1e-9)
    d.error_at(path + ".finance_share", "finance_share, ed_share, rtt_share and cancer_share must sum to 1 (got " +
                                            sim::config::format_number(sum) + ")");
  if (!(p.from < p.to))
    d.error_at(path + ".to", "must be after from (" + sim::format_date(p.from) + ")");
}

bool fund_applies(const IncentiveFundParams& p, const sim::Date& quarter_start) {
  return p.enabled && sim::in_period(quarter_start, p.from, p.to);
}

namespace {

// The trajectory lets a trust far below the standard still earn by improving as agreed.
bool access_met(double performance, double standard, double trajectory) {
  return performance >= standard || performance >= trajectory;
}

}  // namespace

std::vector<FundQuarterPayment> settle_quarter(const IncentiveFundParams& p,
                                               const std::vector<FundQuarterInput>& trusts) {
  std::vector<FundQuarterPayment> out(trusts.size());
  for (std::size_t i = 0; i < trusts.size(); ++i) {
    const FundQuarterInput& t = trusts[i];
    if (!t.takes_fund) continue;
    const double base = p.gbp_per_emergency_admission * t.emergency_admissions;
    const double finance = p.finance_share * base, ed = p.ed_share * base, rtt = p.rtt_share * base,
                 cancer = p.cancer_share * base;
    FundQuarterPayment& pay = out[i];
    pay.allocation = finance + ed + rtt + cancer;
    if (!p.finance_condition || t.ytd_surplus >= t.ytd_control_total) pay.finance = finance;
    if (access_met(t.ed_within_4h, p.ed_standard, t.ed_trajectory)) pay.ed = ed;
    if (access_met(t.rtt_within_18w, p.rtt_standard, t.rtt_trajectory)) pay.rtt = rtt;
    if (access_met(t.cancer_within_62d, p.cancer_standard, t.cancer_trajectory)) pay.cancer = cancer;
  }
  return out;
}

FundYearResult settle_year(const IncentiveFundParams& p, double unearned_total,
                           const std::vector<FundYearInput>& trusts) {
  if (!(unearned_total >= 0.0))
    throw std::invalid_argument("settle_year: unearned_total must be >= 0 (got " +
                                sim::config::format_number(unearned_total) + ")");
  FundYearResult r;
  r.bonus.assign(trusts.size(), 0.0);
  r.redistributed.assign(trusts.size(), 0.0);

  double claims = 0.0;
  if (p.bonus_for_beating_control_total)
    for (std::size_t i = 0; i < trusts.size(); ++i)
      if (trusts[i].takes_fund && trusts[i].surplus > trusts[i].control_total) {
        r.bonus[i] = trusts[i].surplus - trusts[i].control_total;
        claims += r.bonus[i];
      }
  double left = unearned_total - claims;
  if (claims > unearned_total) {
    // Zero, not the rounded difference, so that no tiny negative remainder is redistributed.
    const double scale = unearned_total / claims;
    for (double& b : r.bonus) b *= scale;
    left = 0.0;
  }

  double qualifying = 0.0;
  if (p.redistribute_unearned)
    for (const FundYearInput& t : trusts)
      if (t.takes_fund && t.surplus >= t.control_total) qualifying += t.allocation;
  if (qualifying <= 0.0) {
    r.returned_to_centre = left;
    return r;
  }
  for (std::size_t i = 0; i < trusts.size(); ++i)
    if (trusts[i].takes_fund && trusts[i].surplus >= trusts[i].control_total)
      r.redistributed[i] = left * trusts[i].allocation / qualifying;
  return r;
}

}  // namespace breachsim::models
