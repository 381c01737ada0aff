// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/money/money_draws.hpp"
#include "models/care/performance.hpp"
#include "sim/calendar.hpp"
#include "sim/config.hpp"

// The arithmetic of one fine scheme (docs/sources.md §3): what a trust-month's counts cost before
// and after the scheme's caps. The two counting modes differ in what they punish: an excess
// breach scheme fines only breaches above a tolerance (and below a performance floor), a per
// incident scheme fines every incident. Waivers, suspension and where the money goes are
// parameters here but are applied by the caller, which owns the random streams and the money.
namespace breachsim::models {

enum class SchemeType : std::uint8_t { excess_breaches, per_incident, rtt_2014 };
enum class FineDestination : std::uint8_t { withheld, reinvested, pooled };

// A count of BreachCounts, named by its member.
using Count = double BreachCounts::*;

// The words of a scheme and what each means: the config's choices are read from these tables,
// so a new incident or standard is one line here.
inline constexpr std::pair<const char*, SchemeType> scheme_types[] = {
    {"excess_breaches", SchemeType::excess_breaches},
    {"per_incident", SchemeType::per_incident},
    {"rtt_2014", SchemeType::rtt_2014}};

// The base and its breaches.
inline constexpr std::pair<const char*, std::pair<Count, Count>> scheme_standards[] = {
    {"ed_4h", {&BreachCounts::ed_attendances, &BreachCounts::ed_breaches_4h}},
    {"rtt_18w", {&BreachCounts::rtt_waiting, &BreachCounts::rtt_over_18w}},
    {"cancer_62d", {&BreachCounts::cancer_treated, &BreachCounts::cancer_breaches_62d}}};

inline constexpr std::pair<const char*, Count> scheme_incidents[] = {
    {"ed_trolley_waits_12h", &BreachCounts::ed_trolley_waits_12h},
    {"rtt_over_52w", &BreachCounts::rtt_over_52w},
    {"ambulance_handovers_30_60min", &BreachCounts::ambulance_handovers_30_60min},
    {"ambulance_handovers_over_60min", &BreachCounts::ambulance_handovers_over_60min},
    {"urgent_operations_cancelled_twice", &BreachCounts::urgent_operations_cancelled_twice},
    {"cancer_breaches_62d", &BreachCounts::cancer_breaches_62d},
    {"mixed_sex_accommodation", &BreachCounts::mixed_sex_accommodation_days}};

inline constexpr std::pair<const char*, FineDestination> scheme_destinations[] = {
    {"withheld", FineDestination::withheld},
    {"reinvested", FineDestination::reinvested},
    {"pooled", FineDestination::pooled}};

template <class T, std::size_t N>
std::vector<std::string> words_of(const std::pair<const char*, T> (&table)[N]) {
  std::vector<std::string> words;
  for (const auto& entry : table) words.emplace_back(entry.first);
  return words;
}

struct SchemeParams {
  std::string type = "excess_breaches";
  std::string standard = "ed_4h";
  std::string incident = "ed_trolley_waits_12h";
  double rate_gbp = 120.0;
  double tolerance = 0.05;
  double floor = 0.0;
  double admitted_rate_gbp = 400, non_admitted_rate_gbp = 100, incomplete_rate_gbp = 100;
  double admitted_tolerance = 0.10, non_admitted_tolerance = 0.05, incomplete_tolerance = 0.08;
  sim::Date from{2000, 1, 1}, to{2100, 1, 1};
  double cap_share_of_contract_month = 0.0;
  double cap_share_of_contract_year = 0.0;
  double waiver_probability = 0.0;
  std::string destination = "withheld";
  int reinvest_lag_months = 3;
  double reinvested_share = 0.0;
  std::string pool = "national";
  bool suspended_for_fund_takers = false;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("type", type,
            Doc{"", "Counting mode: a rate per breach above a tolerance of a base (and below an optional floor); a rate per incident, no tolerance; or the 2014/15 RTT design (admitted, non-admitted and incomplete terms).",
                "docs/sources.md §3: both counting modes existed, and the 2014/15 RTT design", {}, {},
                words_of(scheme_types)});
    v.field("standard", standard,
            Doc{"", "excess_breaches: the standard fined. ed_4h: 4-hour breaches of A&E attendances; rtt_18w: patients waiting over 18 weeks of the month-end list; cancer_62d: 62-day breaches of cancer patients treated in the month.",
                "docs/sources.md §2-3", {}, {}, words_of(scheme_standards)});
    v.field("incident", incident,
            Doc{"", "per_incident: the count fined. rtt_over_52w is a month-end snapshot, so a patient waiting on is fined again every month. urgent_operations_cancelled_twice counts cancer surgery (the model's urgent operations) cancelled a second time; mixed_sex_accommodation counts patient-days.",
                "docs/sources.md §3", {}, {},
                words_of(scheme_incidents)});
    v.field("rate_gbp", rate_gbp,
            Doc{"GBP", "excess_breaches: per breach above the tolerance; per_incident: per incident (52 weeks 5000, 12-hour trolley wait 1000, handover 200 at 30-60 min and 1000 over 60, urgent operation cancelled twice 5000, mixed-sex accommodation 250 per patient-day).",
                "docs/sources.md §3: A&E 2015/16 120 (2014/15 200), RTT 2015/16 300; "
                "cancer 62 days an assumption (1000)",
                Range::non_negative()});
    v.field("tolerance", tolerance,
            Doc{"share of base", "excess_breaches: breaches allowed without a fine, in whole patients rounded down (5% of 1,001 attendances allows 50). A&E 0.05, RTT 18 weeks 0.08, cancer 62 days 0.15.",
                "docs/sources.md §2: the 95%, 92% and 85% standards; rounding to whole patients an assumption", Range::fraction()});
    v.field("floor", floor,
            Doc{"share of base", "excess_breaches: performance floor; breaches beyond (1 - floor) x base (whole patients, rounded down) are not fined. 0: no floor. Must be below 1 - tolerance.",
                "docs/sources.md §3: A&E 0.92 in 2014/15, 0.85 in 2015/16", Range::fraction()});
    v.field("admitted_rate_gbp", admitted_rate_gbp,
            Doc{"GBP", "rtt_2014: per admitted patient treated after 18 weeks above admitted_tolerance.", "docs/sources.md §3",
                Range::non_negative()});
    v.field("non_admitted_rate_gbp", non_admitted_rate_gbp,
            Doc{"GBP", "rtt_2014: per non-admitted patient treated after 18 weeks above non_admitted_tolerance.", "docs/sources.md §3",
                Range::non_negative()});
    v.field("incomplete_rate_gbp", incomplete_rate_gbp,
            Doc{"GBP", "rtt_2014: per patient still waiting over 18 weeks at month end above incomplete_tolerance.", "docs/sources.md §3",
                Range::non_negative()});
    v.field("admitted_tolerance", admitted_tolerance,
            Doc{"share of admitted treated", "rtt_2014: admitted patients treated after 18 weeks allowed without a fine (whole patients, rounded down).",
                "assumption: the 90% admitted standard of the period (not in docs/sources.md)", Range::fraction()});
    v.field("non_admitted_tolerance", non_admitted_tolerance,
            Doc{"share of non-admitted treated", "rtt_2014: non-admitted patients treated after 18 weeks allowed without a fine (whole patients, rounded down).",
                "assumption: the 95% non-admitted standard of the period (not in docs/sources.md)", Range::fraction()});
    v.field("incomplete_tolerance", incomplete_tolerance,
            Doc{"share of waiting list", "rtt_2014: patients waiting over 18 weeks allowed without a fine (whole patients, rounded down).",
                "docs/sources.md §2: 92% of the waiting list within 18 weeks", Range::fraction()});
    v.field("from", from,
            Doc{"date", "In force for months whose first day is on or after this date.",
                "assumption: always; docs/sources.md §3 gives each scheme's years"});
    v.field("to", to,
            Doc{"date", "In force for months whose first day is before this date (must be after from).",
                "assumption: always; docs/sources.md §3 gives each scheme's years"});
    v.field("cap_share_of_contract_month", cap_share_of_contract_month,
            Doc{"share of contract/12", "A month's fine is at most this share of the month's contract value (annual contract / 12). 0: no cap.",
                "docs/sources.md §3: 2.5% of elective revenue a month capped RTT sanctions in 2013/14; 0 an assumption",
                Range::fraction()});
    v.field("cap_share_of_contract_year", cap_share_of_contract_year,
            Doc{"share of contract", "A financial year's fines under this scheme are at most this share of the annual contract value. 0: no cap.",
                "docs/sources.md §3: penalties 'worth up to 10 per cent of the total contract value' urged in 2016 (HSJ); 0 an assumption",
                Range::fraction()});
    v.field("waiver_probability", waiver_probability,
            Doc{"probability", "Chance the commissioner waives a month's fine under this scheme.",
                "docs/sources.md §3: waivers allowed in 2014/15 (NAO: 48% of trusts breaching admitted RTT in 2012/13 not fined); 0 an assumption",
                Range::fraction()});
    v.field("destination", destination,
            Doc{"", "Where the money goes: kept by the commissioner (withheld), returned to the same trust after reinvest_lag_months (reinvested), or paid into a named pool (pooled).",
                "docs/sources.md §3", {}, {}, words_of(scheme_destinations)});
    v.field("reinvest_lag_months", reinvest_lag_months,
            Doc{"months", "reinvested: months until the money returns to the trust.", "assumption", Range::non_negative()});
    v.field("reinvested_share", reinvested_share,
            Doc{"share of each fine", "withheld or pooled: the share of each fine the commissioner nonetheless returns to the trust after reinvest_lag_months (counted as reinvested); the rest goes where destination says. Commissioners were free to return fines until January 2016 and some did, so one number lets a study move between kept and returned.",
                "docs/sources.md §3 (Where the money goes): Norfolk CCGs returned £108,295 of £2.75m of A&E fines (4%), Barts' CCGs £10m of £23.8m (42%), Bedfordshire CCGs theirs to Cambridge University Hospitals; 0 (all kept) from January 2016",
                Range::fraction()});
    v.field("pool", pool,
            Doc{"", "pooled: the pool the money goes to; schemes naming the same pool share it.",
                "docs/sources.md §3: a national or regional pool"});
    v.field("suspended_for_fund_takers", suspended_for_fund_takers,
            Doc{"", "No fines under this scheme for trusts that accepted the incentive fund and its control total.",
                "docs/sources.md §3: 4-hour, 12-hour and RTT sanctions suspended for them from April 2016"});
  }
};

// A scheme with its words resolved, built once per scenario for the monthly assessment.
struct Scheme {
  std::string name;
  SchemeType type = SchemeType::excess_breaches;
  Count base = nullptr;     // excess_breaches: the count the tolerance and floor are shares of
  Count counted = nullptr;  // excess_breaches: its breaches; per_incident: the incidents
  FineDestination destination = FineDestination::withheld;
  SchemeParams params;
  bool in_point = true;  // false: another sweep point's scheme, kept so the outputs have one shape; never in force
};

// Throws std::invalid_argument on an unknown type, standard, incident or destination, even
// one the type does not use, as the config reader does.
Scheme compile_scheme(const std::string& name, const SchemeParams& p);
// Cross-field validation for config loading: records problems with d.error_at(path + ".key", message).
void check_scheme(const SchemeParams& p, const std::string& path, sim::config::Diagnostics& d);
// The fine before caps, waivers and suspension, in GBP.
double assess(const Scheme& s, const BreachCounts& c);
bool in_force(const Scheme& s, const sim::Date& month_start);
// The fine after the scheme's caps: `year_to_date` is what this scheme already levied on this
// trust in this financial year (after caps); `contract_value_gbp_year` the trust's annual
// contract value.
double apply_caps(const Scheme& s, double raw, double year_to_date, double contract_value_gbp_year);

// The fines stage of the month end: one trust's terms...
struct FineTerms {
  bool fined = true;       // false: the world without fines (breaches are still counted)
  bool fund_taker = false; // took the incentive fund in force, which suspends some schemes
  double contract_value_gbp_per_year = 0;
  double cap_share_of_contract_month = 0, cap_share_of_contract_year = 0;  // over all schemes; 0: none
};

// ...and what it has been fined so far this financial year, per scheme and in all.
struct FinesToDate {
  std::vector<double> by_scheme;
  double total = 0;
};

// Assesses every scheme in force on the month's counts. A scheme suspended for fund takers,
// or waived this month (a draw per scheme from `draws`), levies nothing; each scheme's caps
// apply, then the overall caps scale every scheme down together. Writes what each scheme
// levies to `by_scheme` (one place per scheme) and adds it to `year`.
struct Levy {
  double assessed = 0;  // before waivers, suspension and caps
  double levied = 0;    // the month's fines, all schemes
};
Levy levy_fines(const std::vector<Scheme>& schemes, const BreachCounts& counts, const sim::Date& month_start,
                  const FineTerms& terms, const MoneyDraws& draws, FinesToDate& year, std::vector<double>& by_scheme);

}  // namespace breachsim::models
