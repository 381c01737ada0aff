// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/config.hpp"

// The NHS Oversight Framework 2025/26 league table (docs/sources.md §6): every indicator scores
// every trust 1 (best) to 4 by quartile, a trust's score is the mean of its indicator scores,
// and trusts are placed in segments 1-4 by quartile of that score, with a financial override
// and a segment 5 for intensive support. Only the arithmetic lives here; the caller measures
// the trusts' quarters, gates by `enabled` and decides what a segment does to a trust.
//
// Quartiles, for an indicator and for the score alike: trusts are sorted best first; with n
// trusts the one at 0-based sorted position i is in quartile floor(4 i / n) + 1, so the best
// quarter is 1 and the worst quarter 4 (n = 1: quartile 1). Trusts with equal values share
// the better quartile, that of the first trust with the value, so a tie never turns on the
// order in which trusts are listed.
//
// Segments, in this order: 1-4 by quartile of the score (lower score better); then a trust in
// deficit (surplus_share_of_income < 0) placed better than deficit_best_segment is moved down
// to it; then a segment-4 trust whose score is at least intensive_support_score goes to 5.
namespace breachsim::models {

struct LeagueTableParams {
  bool enabled = false;
  std::vector<std::string> indicators = {"ed_4h", "ed_12h", "rtt_18w", "cancer_62d", "finance"};
  int deficit_best_segment = 3;
  double intensive_support_score = 3.5;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("enabled", enabled,
            Doc{"", "Whether trusts are ranked each quarter; off, there is no league table.",
                "assumption: off, so a scenario opts in; docs/sources.md §6: league tables from 2025/26"});
    v.field("indicators", indicators,
            Doc{"",
                "The indicators each trust is scored on, each 1 (best) to 4 by quartile of the trusts' values, "
                "equal values sharing the better score; a trust's score is the mean of these. ed_4h: share of "
                "attendances within 4 hours; ed_12h: 12-hour trolley waits per 1000 emergency admissions (lower is "
                "better); rtt_18w: share of the waiting list within 18 weeks at the quarter end; cancer_62d: share "
                "treated within 62 days; finance: year-to-date surplus as a share of year-to-date income. Each at "
                "most once.",
                "docs/sources.md §6: 22 indicators scored 1-4 and averaged; these five are the ones the model measures "
                "(assumption)",
                {}, {}, {"ed_4h", "ed_12h", "rtt_18w", "cancer_62d", "finance"}});
    v.field("deficit_best_segment", deficit_best_segment,
            Doc{"segment",
                "Financial override: a trust in deficit year to date (surplus share of income below 0) placed in "
                "a better segment by its score is moved down to this one. 1 turns the override off.",
                "docs/sources.md §6: the override keeps trusts in deficit out of the top segments; "
                "the exact rule is not published, so 3 is an assumption",
                Range::between(1, 4)});
    v.field("intensive_support_score", intensive_support_score,
            Doc{"mean indicator score",
                "A trust in segment 4 (after the override) whose score is at least this goes to segment 5, "
                "intensive support. Above 4 no trust would; 4 only the worst on every indicator.",
                "docs/sources.md §6: segments 1-4 by quartile and a segment 5 for intensive support, out of 134 acute "
                "trusts; the threshold is an assumption",
                Range::between(1, 4)});
    v.field("from", from,
            Doc{"date", "Trusts are ranked at quarter ends in months starting on or after this date.",
                "assumption: always; docs/sources.md §6: league tables from 2025/26"});
    v.field("to", to, Doc{"date", "...and before this date (must be after from).", "assumption: always"});
  }

  bool in_force(const sim::Date& month_start) const { return enabled && sim::in_period(month_start, from, to); }
};

// One trust's quarter, as the indicators see it. Values must be finite.
struct LeagueTrustQuarter {
  double ed_within_4h = 1;             // share of attendances within 4 hours
  double trolley_waits_per_1000 = 0;   // 12-hour trolley waits per 1000 emergency admissions (lower is better)
  double rtt_within_18w = 1;           // share of the waiting list within 18 weeks at the quarter end
  double cancer_within_62d = 1;        // share treated within 62 days
  double surplus_share_of_income = 0;  // year-to-date surplus / year-to-date income (negative: deficit)
};

// Per trust, in the order of the inputs.
struct LeagueResult {
  std::vector<double> score;  // mean of the indicator scores, 1 (best) to 4
  std::vector<int> rank;      // 1 = best; equal scores ranked by input order (lower index first)
  std::vector<int> segment;   // 1-5
};

// Ranks the trusts whether or not p.enabled. Throws std::invalid_argument on an empty or
// unknown indicator list, or on a value that is not finite (it could not be sorted).
LeagueResult rank_trusts(const LeagueTableParams& p, const std::vector<LeagueTrustQuarter>& trusts);

// Cross-field checks for the scenario's second pass: records problems with
// d.error_at(path + ".key", message), list items as path + ".indicators[i]".
void check_league_table(const LeagueTableParams& p, const std::string& path, sim::config::Diagnostics& d);

}  // namespace breachsim::models
