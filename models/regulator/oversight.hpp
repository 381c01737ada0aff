// SPDX-License-Identifier: MIT
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/config.hpp"

// What the league table does to trusts (docs/sources.md §5-6): turnaround teams and new management
// for the worst, a harder time recruiting for the low-ranked, capital freedoms for the best,
// and capital rewards for the best and most improved on 4 hours. Each is a parameterised
// option decided at a quarter end (or a year's award month) and felt in the months after;
// the settlement asks which effects are in force month by month. Months are the settlement's
// 0-based reported months.
namespace breachsim::models {

// A policy window shared by every consequence: decisions are taken at quarter ends whose
// month starts in [from, to). Whatever was decided runs its stated course.
#define BREACHSIM_DATED_POLICY_FIELDS(v, what)                                                                  \
  v.field("from", from, sim::config::Doc{"date", "Decisions are taken at quarter ends in months starting on or after this date.", what}); \
  v.field("to", to, sim::config::Doc{"date", "...and before this date (must be after from); what was decided runs its course.", what})

struct TurnaroundParams {
  bool enabled = false;
  int segment = 5;
  int lag_months = 1;
  int duration_months = 12;
  double cost_gbp_per_month = 125000.0;
  double productivity_factor = 1.05;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    const char* policy = "docs/sources.md §6: turnaround teams for trusts with big deficits or poor services (2024)";
    v.field("enabled", enabled, Doc{"", "Whether trusts ranked in `segment` or worse get a turnaround team.", "assumption: off, so a scenario opts in"});
    v.field("segment", segment,
            Doc{"segment", "A trust placed in this segment or a worse one at a quarter end, with no team working or due, gets a team.",
                "docs/sources.md §6: segment 5 is intensive support", Range::between(1, 5)});
    v.field("lag_months", lag_months,
            Doc{"months", "Months between the quarter end and the team's first month (0: the month after the quarter).", "assumption", Range::between(0, 120)});
    v.field("duration_months", duration_months,
            Doc{"months", "How long a team stays.", "assumption: a year", Range::between(1, 120)});
    v.field("cost_gbp_per_month", cost_gbp_per_month,
            Doc{"GBP a month", "What the trust pays for the team (in cost_other).", "assumption: about £1.5m a year of interim directors and advisers", Range::non_negative()});
    v.field("productivity_factor", productivity_factor,
            Doc{"factor", "How much faster staff work while the team is in: A&E treatment times are divided and theatre lists multiplied by it.",
                "assumption: 5%; docs/sources.md §6 leaves the effect a parameter", Range::positive()});
    BREACHSIM_DATED_POLICY_FIELDS(v, policy);
  }
};

struct ManagementReplacementParams {
  bool enabled = false;
  int segment = 5;
  int after_quarters = 2;
  int disruption_months = 6;
  double disruption_productivity_factor = 0.97;
  int effect_months = 24;
  double effect_productivity_factor = 1.03;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    const char* policy = "docs/sources.md §6: persistently failing managers replaced (2024)";
    v.field("enabled", enabled, Doc{"", "Whether persistently failing trusts have their management replaced.", "assumption: off, so a scenario opts in"});
    v.field("segment", segment,
            Doc{"segment", "Failing: placed in this segment or worse.", "docs/sources.md §6: segment 5 is intensive support", Range::between(1, 5)});
    v.field("after_quarters", after_quarters,
            Doc{"quarters", "Persistently: so many consecutive quarter ends failing; the count starts again after a replacement.",
                "assumption", Range::between(1, 400)});
    v.field("disruption_months", disruption_months,
            Doc{"months", "Months of disruption from the month after the decision, while new managers arrive.", "assumption", Range::between(0, 120)});
    v.field("disruption_productivity_factor", disruption_productivity_factor,
            Doc{"factor", "Productivity during the disruption (see turnaround.productivity_factor).", "assumption", Range::positive()});
    v.field("effect_months", effect_months,
            Doc{"months", "Months of the new management's effect, after the disruption; no new replacement before it ends.", "assumption", Range::between(0, 240)});
    v.field("effect_productivity_factor", effect_productivity_factor,
            Doc{"factor", "Productivity under the new management.", "assumption; docs/sources.md §6 leaves the effect a parameter", Range::positive()});
    BREACHSIM_DATED_POLICY_FIELDS(v, policy);
  }
};

struct RecruitmentPenaltyParams {
  bool enabled = false;
  int segment = 4;
  double recruitment_factor = 0.85;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    const char* policy = "docs/sources.md §6: critics' mechanism, naming and shaming makes recruitment harder";
    v.field("enabled", enabled, Doc{"", "Whether low-ranked trusts recruit less.", "assumption: off, so a scenario opts in"});
    v.field("segment", segment,
            Doc{"segment", "Trusts placed in this segment or worse recruit at recruitment_factor until the next quarter end.",
                "assumption: the bottom quartile and intensive support", Range::between(1, 5)});
    v.field("recruitment_factor", recruitment_factor,
            Doc{"factor", "Multiplies every staff group's monthly recruitment.", "assumption: 15% fewer recruits", Range::non_negative()});
    BREACHSIM_DATED_POLICY_FIELDS(v, policy);
  }
};

struct CapitalFreedomParams {
  bool enabled = false;
  int segment = 1;
  double surplus_share = 0.5;
  int lag_months = 12;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    const char* policy = "docs/sources.md §6: top performers get more capital and control of their surpluses (2024)";
    v.field("enabled", enabled, Doc{"", "Whether the best-ranked trusts may invest their surpluses in capacity.", "assumption: off, so a scenario opts in"});
    v.field("segment", segment,
            Doc{"segment", "Trusts placed in this segment or better have the freedom.", "docs/sources.md §6: segment 1", Range::between(1, 5)});
    v.field("surplus_share", surplus_share,
            Doc{"share", "At each quarter end with the freedom, this share of the year-to-date surplus not yet committed this financial year (when positive) is committed to beds.",
                "assumption", Range::fraction()});
    v.field("lag_months", lag_months,
            Doc{"months", "Months from commitment to spending it (cash leaves then; the beds open the month after: finance.costs.capital_gbp_per_bed).",
                "assumption: a year to build and staff a ward", Range::between(0, 120)});
    BREACHSIM_DATED_POLICY_FIELDS(v, policy);
  }
};

struct CapitalRewardsParams {
  bool enabled = false;
  int award_month = 3;
  int top_n = 10;
  double top_gbp = 2e6;
  int next_n = 10;
  double next_gbp = 1e6;
  bool for_improvement = true;
  int lag_months = 12;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    const char* policy = "docs/sources.md §5: capital rewards 2023-26";
    v.field("enabled", enabled, Doc{"", "Whether capital is awarded for 4-hour performance and improvement.", "assumption: off, so a scenario opts in"});
    v.field("award_month", award_month,
            Doc{"calendar month", "Awards are made at the end of the quarter ending in this month (3: March), on each trust's share of attendances within 4 hours in that quarter.",
                "docs/sources.md §5, §9: March was the month of the 4-hour incentive", Range::between(1, 12)});
    v.field("top_n", top_n, Doc{"trusts", "The best this many get top_gbp.", "docs/sources.md §5: top 10", Range::between(0, 100000)});
    v.field("top_gbp", top_gbp,
            Doc{"GBP", "Award to each of the top_n.", "docs/sources.md §5: £2m", Range::non_negative()});
    v.field("next_n", next_n, Doc{"trusts", "The next this many get next_gbp.", "docs/sources.md §5: the next 10", Range::between(0, 100000)});
    v.field("next_gbp", next_gbp, Doc{"GBP", "Award to each of the next_n.", "docs/sources.md §5: £1m", Range::non_negative()});
    v.field("for_improvement", for_improvement,
            Doc{"", "Also award the same amounts, ranked on improvement over the same quarter a year earlier (none until the run has one); a trust can win both.",
                "docs/sources.md §5: top 10 by performance and top 10 by improvement"});
    v.field("lag_months", lag_months,
            Doc{"months", "Months from the award to spending it on beds (the beds open the month after).", "assumption: a year to build and staff a ward", Range::between(0, 120)});
    BREACHSIM_DATED_POLICY_FIELDS(v, policy);
  }
};

#undef BREACHSIM_DATED_POLICY_FIELDS

// Cross-field checks: `path` is the regulator section's key path.
void check_consequences(const TurnaroundParams& turnaround, const ManagementReplacementParams& management,
                        const RecruitmentPenaltyParams& recruitment, const CapitalFreedomParams& freedom,
                        const CapitalRewardsParams& rewards, const std::string& path, sim::config::Diagnostics& d);

// What one trust feels in one month.
struct OversightMonth {
  double productivity_factor = 1.0;
  double recruitment_factor = 1.0;
  bool turnaround_team = false;
  double turnaround_cost = 0.0;
  bool management_replaced = false;         // new management arrives this month
  double capital_own = 0.0, capital_awarded = 0.0;  // spent this month
};

// Every trust's consequences in one replication. Decisions are deterministic given the
// rankings, so a run's consequences follow from its league tables alone.
class Oversight {
 public:
  explicit Oversight(std::size_t trusts) : trusts_(trusts) {}

  // After the league table of quarter-end month `month`, each consequence given (null: not in
  // force) decides. `segment` per trust; `ytd_surplus` the financial year-to-date surplus.
  // Returns the surplus each trust commits to capital under the freedom.
  std::vector<double> after_ranking(int month, const std::vector<int>& segment, const std::vector<double>& ytd_surplus,
                     const TurnaroundParams* turnaround, const ManagementReplacementParams* management,
                     const RecruitmentPenaltyParams* recruitment, const CapitalFreedomParams* freedom);
  // A month in which no league table ranked trusts: the recruitment penalty lapses.
  void no_ranking() {
    for (Trust& t : trusts_) t.recruitment_factor = 1.0;
  }
  // Capital awards at the award quarter's end, on each trust's share within 4 hours in it.
  // Returns the award per trust (paid now, spent after the lag).
  std::vector<double> award_capital(int month, const std::vector<double>& within_4h, const CapitalRewardsParams& p);
  // A new financial year: surplus committed so far no longer counts against the new year's.
  void start_year() {
    for (Trust& t : trusts_) t.committed_this_year = 0.0;
  }

  // The effects on trust t in month `month`; ask for months in order.
  OversightMonth in_month(std::size_t t, int month) const;
  // Productivity in month `month`: the product of the factors in force.
  double productivity(std::size_t t, int month) const;
  // Recruitment until the next quarter end.
  double recruitment_factor(std::size_t t) const { return trusts_[t].recruitment_factor; }

 private:
  struct Effect {
    int first = 0, end = 0;  // months [first, end)
    double productivity = 1.0;
    double cost_per_month = 0.0;
    bool team = false;
  };
  struct Trust {
    std::vector<Effect> effects;
    int team_until = -1;        // a team is working or due before this month
    int management_until = -1;  // no replacement before this month
    int replaced_in = -1;       // the month the last replacement arrived
    int failing_quarters = 0;
    double recruitment_factor = 1.0;
    double committed_this_year = 0.0;
    std::map<int, std::pair<double, double>> capital_due;  // month -> (own, awarded)
    std::map<int, double> within_4h;                       // award quarter-end month -> share within 4 hours
  };
  std::vector<Trust> trusts_;
};

}  // namespace breachsim::models
