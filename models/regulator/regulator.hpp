// SPDX-License-Identifier: MIT
#pragma once
#include <algorithm>

#include "models/regulator/league_table.hpp"
#include "models/regulator/oversight.hpp"
#include "sim/calendar.hpp"
#include "sim/config.hpp"

// The national rules every trust is held to (docs/sources.md §6-7), applied at month ends by the
// settlement: the agency rules and the quarterly league table.
namespace breachsim::models {

// Which staff groups may not use agency staff at all.
struct AgencyBans {
  bool ed_clinicians = false, ward_nurses = false, theatre_teams = false;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    const char* source = "docs/sources.md §7: bans on agency for some roles proposed in 2024";
    v.field("ed_clinicians", ed_clinicians, Doc{"", "No agency cover for A&E clinicians.", source});
    v.field("ward_nurses", ward_nurses, Doc{"", "No agency cover for ward nurses.", source});
    v.field("theatre_teams", theatre_teams, Doc{"", "No agency cover for theatre teams.", source});
  }
};

struct AgencyRulesParams {
  double price_cap = 0.0;
  AgencyBans banned;
  double spend_ceiling_share_of_pay = 0.0;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("price_cap", price_cap,
            Doc{"share above basic pay", "Most an agency worker may cost above a substantive one, for every trust (its own finance.costs.agency_premium_cap applies too, whichever is lower). 0: no national cap.",
                "docs/sources.md §7: 55% above basic pay from April 2016", Range::non_negative()});
    v.section("banned", banned, "staff groups barred from agency cover");
    v.field("spend_ceiling_share_of_pay", spend_ceiling_share_of_pay,
            Doc{"share of the pay bill", "Ceiling on a trust's agency spend: when a month's agency cost passes this share of its pay bill (substantive and agency), the next month's agency cover is cut in proportion, and restored as far as the ceiling allows. 0: no ceiling.",
                "docs/sources.md §7: agency about 7% of the pay bill in 2015 (ceilings per trust from 2015/16); level an assumption",
                Range::fraction()});
    v.field("from", from, Doc{"date", "The rules apply to months whose first day is on or after this date.", "assumption: always"});
    v.field("to", to, Doc{"date", "...and before this date (must be after from).", "assumption: always"});
  }

  bool in_force(const sim::Date& month_start) const { return sim::in_period(month_start, from, to); }
  // Whether the rules ask anything of a trust at all.
  bool any() const {
    return price_cap > 0.0 || banned.ed_clinicians || banned.ward_nurses || banned.theatre_teams ||
           spend_ceiling_share_of_pay > 0.0;
  }
};

// The spend ceiling's cut to a trust's agency cover for next month: the cut in force
// (`factor`, 1: none) scaled by how far this month's agency share of the pay bill passed the
// ceiling, and restored as far as the ceiling allows, never above 1.
inline double agency_ceiling_cut(const AgencyRulesParams& rules, double factor, double cost_pay, double cost_agency) {
  const double pay_bill = cost_pay + cost_agency;
  if (!(rules.spend_ceiling_share_of_pay > 0.0 && cost_agency > 0.0 && pay_bill > 0.0)) return factor;
  return std::min(1.0, factor * rules.spend_ceiling_share_of_pay * pay_bill / cost_agency);
}

inline void check_agency_rules(const AgencyRulesParams& p, const std::string& path, sim::config::Diagnostics& d) {
  if (!(p.from < p.to))
    d.error_at(path + ".to", "must be after from (" + sim::format_date(p.from) + "), or the rules are never in force");
}

struct RegulatorParams {
  AgencyRulesParams agency;
  LeagueTableParams league_table;
  TurnaroundParams turnaround;
  ManagementReplacementParams management_replacement;
  RecruitmentPenaltyParams recruitment_penalty;
  CapitalFreedomParams capital_freedom;
  CapitalRewardsParams capital_rewards;

  template <class V>
  void describe(V& v) {
    v.section("agency", agency, "national rules on agency staff: price cap, bans by staff group, spend ceilings");
    v.section("league_table", league_table, "the quarterly league table and its segments (NHS Oversight Framework 2025/26)");
    v.section("turnaround", turnaround, "turnaround teams for trusts in the worst segments (needs the league table)");
    v.section("management_replacement", management_replacement,
              "new management for persistently failing trusts: disruption, then an effect (needs the league table)");
    v.section("recruitment_penalty", recruitment_penalty,
              "low-ranked trusts recruit less: naming and shaming (needs the league table)");
    v.section("capital_freedom", capital_freedom,
              "the best-ranked trusts invest their surpluses in beds (needs the league table)");
    v.section("capital_rewards", capital_rewards, "capital for the best and most improved trusts on 4 hours");
  }
};

// Cross-field checks for the scenario's second pass: `path` is the section's key path.
void check_regulator(const RegulatorParams& p, const std::string& path, sim::config::Diagnostics& d);

}  // namespace breachsim::models
