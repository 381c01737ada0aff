// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/config.hpp"

// The Sustainability and Transformation Fund of 2016/17 and its 2017/18 variant (docs/sources.md
// §5): a national pot allocated by emergency activity, earned quarterly in arrears in parts —
// a finance part on the year-to-date control total, access parts on A&E, RTT and cancer —
// and settled again at the financial-year end, when the money nobody earned pays bonuses to
// trusts that beat their control totals and then goes to those that met them. Only the
// arithmetic lives here; the caller measures the trusts, gates by fund_applies and posts the
// payments.
namespace breachsim::models {

struct IncentiveFundParams {
  bool enabled = false;
  double gbp_per_emergency_admission = 280.0;
  double finance_share = 0.70;
  bool finance_condition = true;
  double ed_share = 0.125;
  double rtt_share = 0.125;
  double cancer_share = 0.05;
  double ed_standard = 0.95;
  double rtt_standard = 0.92;
  double cancer_standard = 0.85;
  bool bonus_for_beating_control_total = true;
  bool redistribute_unearned = true;
  sim::Date from{2016, 4, 1};
  sim::Date to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("enabled", enabled,
            Doc{"", "Whether the fund runs at all; off, trusts earn nothing from it.",
                "assumption: off, so a scenario opts in"});
    v.field("gbp_per_emergency_admission", gbp_per_emergency_admission,
            Doc{"GBP/admission", "A taking trust's quarterly allocation per emergency admission in that quarter.",
                "derived + assumption: the £1.6bn allocated by emergency activity (docs/sources.md §5) over about 5.7m "
                "emergency admissions a year in England (assumption: 5.5-6m; not in docs/sources.md)",
                Range::non_negative()});
    v.field("finance_share", finance_share,
            Doc{"share of allocation", "Part earned by meeting the year-to-date control total at the quarter end.",
                "docs/sources.md §5: 70% in 2016/17 and 2017/18", Range::fraction()});
    v.field("finance_condition", finance_condition,
            Doc{"", "Whether the finance part depends on the control total; off, it is paid whatever the finances.",
                "docs/sources.md §5: the control total was an on/off switch; off is a counterfactual"});
    v.field("ed_share", ed_share,
            Doc{"share of allocation", "Part earned by A&E 4-hour performance.",
                "docs/sources.md §5: 12.5% in 2016/17; 30% in 2017/18", Range::fraction()});
    v.field("rtt_share", rtt_share,
            Doc{"share of allocation", "Part earned by RTT 18-week performance.",
                "docs/sources.md §5: 12.5% in 2016/17; 0 in 2017/18", Range::fraction()});
    v.field("cancer_share", cancer_share,
            Doc{"share of allocation", "Part earned by cancer 62-day performance. The four shares must sum to 1.",
                "docs/sources.md §5: 5% in 2016/17; 0 in 2017/18", Range::fraction()});
    v.field("ed_standard", ed_standard,
            Doc{"share within 4 hours", "A&E performance that earns the A&E part whatever the trust's trajectory.",
                "docs/sources.md §2, §5: the national standard, 95%", Range::fraction()});
    v.field("rtt_standard", rtt_standard,
            Doc{"share within 18 weeks",
                "RTT incomplete-pathway performance that earns the RTT part whatever the trajectory.",
                "docs/sources.md §2, §5: the national standard, 92%", Range::fraction()});
    v.field("cancer_standard", cancer_standard,
            Doc{"share within 62 days", "Cancer 62-day performance that earns the cancer part whatever the trajectory.",
                "docs/sources.md §2, §5: the national standard, 85%", Range::fraction()});
    v.field("bonus_for_beating_control_total", bonus_for_beating_control_total,
            Doc{"",
                "At year end, £1 for each £1 a trust beats its annual control total, out of the year's unearned "
                "money (scaled down pro rata when that is short).",
                "docs/sources.md §5"});
    v.field("redistribute_unearned", redistribute_unearned,
            Doc{"",
                "At year end, unearned money left after bonuses goes to taking trusts at or above their control "
                "totals, pro rata to their year's allocations; off, or when none qualifies, it returns to the centre.",
                "docs/sources.md §5; pro rata to allocation is an assumption"});
    v.field("from", from,
            Doc{"date", "The fund settles quarters starting on or after this date.",
                "docs/sources.md §5: the fund began in 2016/17"});
    v.field("to", to,
            Doc{"date", "The fund settles quarters starting before this date.",
                "assumption: open-ended; docs/sources.md §5 follows the fund, renamed in 2018/19, to 2018/19"});
  }
};

// Cross-field checks for the scenario's second pass: `path` is the section's key path.
void check_incentive_fund(const IncentiveFundParams& p, const std::string& path, sim::config::Diagnostics& d);

// Whether the quarter starting on `quarter_start` is settled at all.
bool fund_applies(const IncentiveFundParams& p, const sim::Date& quarter_start);

// One trust's quarter, as the settlement sees it at the quarter end.
struct FundQuarterInput {
  bool takes_fund = true;           // a trust may refuse the fund, and with it its control total
  double emergency_admissions = 0;  // in the quarter: the allocation basis
  // GBP, financial year to date, both excluding the fund's own income; met when surplus >=
  // control total, so being £1 short forfeits the whole finance part (the cliff edge).
  double ytd_surplus = 0, ytd_control_total = 0;
  // Shares of patients within the standard over the quarter (RTT: of the list at the quarter
  // end), each the result of one division so that exactly 95% compares equal to 0.95.
  double ed_within_4h = 1, rtt_within_18w = 1, cancer_within_62d = 1;
  double ed_trajectory = 0.95, rtt_trajectory = 0.92, cancer_trajectory = 0.85;  // agreed for the quarter
};

struct FundQuarterPayment {
  double allocation = 0;                            // what the trust could have earned this quarter
  double finance = 0, ed = 0, rtt = 0, cancer = 0;  // earned
  double paid() const { return finance + ed + rtt + cancer; }
  double unearned() const { return allocation - paid(); }
};

// Payments in the order of `trusts`. A refuser has no allocation; for a taker the allocation
// is the sum of its four parts, so allocation = paid + unearned for every trust.
std::vector<FundQuarterPayment> settle_quarter(const IncentiveFundParams& p,
                                               const std::vector<FundQuarterInput>& trusts);

struct FundYearInput {
  bool takes_fund = true;
  double surplus = 0, control_total = 0;  // GBP, the whole financial year, excluding the fund
  double allocation = 0;                  // the year's total allocation (sum of its quarters)
};

struct FundYearResult {
  std::vector<double> bonus;          // per trust, in the order of the inputs
  std::vector<double> redistributed;  // per trust
  double returned_to_centre = 0;      // unearned money nobody qualified for
};

// Financial-year end: the year's unearned money (the sum of every quarter's unearned) pays
// bonuses first, then redistribution; what is left returns to the centre, so
// unearned_total = sum bonus + sum redistributed + returned_to_centre. Throws
// std::invalid_argument if unearned_total is negative.
FundYearResult settle_year(const IncentiveFundParams& p, double unearned_total,
                           const std::vector<FundYearInput>& trusts);

}  // namespace breachsim::models
