// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "models/care/seasons.hpp"
#include "sim/config.hpp"
#include "sim/random.hpp"

// Staff groups and the capacity they make (docs/sources.md §7). Each group has a funded
// establishment in whole-time equivalents (WTE), filled by substantive staff less vacancies;
// sickness takes some of those away, and agency staff cover a share of the gap. Staff leave
// and are recruited month by month. The levers later policies pull (agency cuts,
// recruitment freezes) act here.
namespace breachsim::models {

struct StaffGroupParams {
  double establishment_wte;
  double vacancy_rate = 0.09;
  double sickness_rate = 0.045;
  double agency_share_of_gap = 0.3;
  double leavers_per_year = 0.12;
  double recruited_share_of_vacancies_per_month = 0.1;
  double floor_share_of_establishment = 0.85;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("establishment_wte", establishment_wte,
            Doc{"WTE", "Funded establishment.", "assumption: sized so the baseline staffing opens the configured capacity", Range::non_negative()});
    v.field("vacancy_rate", vacancy_rate,
            Doc{"share of establishment", "Vacant posts at the start.", "assumption: about 9%, near NHS nursing vacancy rates of the period", Range::fraction()});
    v.field("sickness_rate", sickness_rate,
            Doc{"share of substantive WTE", "Sickness absence.", "assumption: about 4.5%", Range::fraction()});
    v.field("agency_share_of_gap", agency_share_of_gap,
            Doc{"share", "Share of the gap (vacancies and sickness) covered by agency staff.",
                "assumption: 0.3 gives agency about 4% of staff, about 7% of the pay bill at twice the cost (docs/sources.md §7)",
                Range::fraction()});
    v.field("leavers_per_year", leavers_per_year,
            Doc{"share of substantive WTE a year", "Turnover.", "assumption: about 12% a year", Range::between(0.0, 5.0)});
    v.field("recruited_share_of_vacancies_per_month", recruited_share_of_vacancies_per_month,
            Doc{"share a month", "Vacancies filled each month; with leavers_per_year sets the long-run vacancy rate.",
                "assumption: 0.1 with 12% turnover holds vacancies near 9%", Range::fraction()});
    v.field("floor_share_of_establishment", floor_share_of_establishment,
            Doc{"share of establishment", "Safe-staffing floor: whatever management's cuts, agency covers the group up to this share of its establishment at work (unless the regulator bans agency for it), and a recruitment freeze does not hold substantive staff below it.",
                "assumption: below the baseline's about 91% at work (9% vacancies, 4.5% sickness, a third of the gap covered), so it binds only under cuts", Range::fraction()});
  }
};

struct StaffingParams {
  StaffGroupParams ed_clinicians{133.0};
  StaffGroupParams ward_nurses{1090.0};
  StaffGroupParams theatre_teams{60.0};
  double beds_per_nurse_wte = 0.75;
  std::vector<double> sickness_by_month = {1.12, 1.08, 1.03, 0.96, 0.94, 0.93,
                                           0.93, 0.93, 0.96, 1.00, 1.04, 1.10};
  double sickness_by_month_amplitude = 1.0;

  template <class V>
  void describe(V& v) {
    v.section("ed_clinicians", ed_clinicians, "A&E clinicians: the A&E roster scales with them");
    v.section("ward_nurses", ward_nurses, "ward nurses: they decide how many beds can open");
    v.section("theatre_teams", theatre_teams, "theatre teams: elective theatre sessions scale with them");
    v.field("beds_per_nurse_wte", beds_per_nurse_wte,
            sim::config::Doc{"beds/WTE", "Beds one WTE of available ward nurses keeps open; open beds = nurses x this, capped by physical beds.",
                             "assumption: about 1.3 WTE per bed for round-the-clock cover", sim::config::Range::positive()});
    v.field("sickness_by_month", sickness_by_month,
            sim::config::Doc{"relative", "Multiplies every group's sickness_rate by calendar month, January first; scaled to a mean of 1 so sickness_rate stays the year's average (a rate above 1 counts as 1).",
                             "docs/sources.md §8 (Seasons): NHS sickness absence runs about 3.9-4.0% in summer and 4.4-4.9% in December-January against 4.1-4.3% over the year",
                             sim::config::Range::non_negative(), {12}});
    v.field("sickness_by_month_amplitude", sickness_by_month_amplitude,
            sim::config::Doc{"multiplier", "How deep this profile's winter is: each month's departure from the year's mean is multiplied by this (0: flat, every month the mean; 2: twice the departure; a month taken below zero is zero). One number a sensitivity study can vary; at most 10, a bound on mistakes.",
                             "docs/sources.md §8 (Seasons): winters of 2009-2019 ran 2-20% above the year's sickness rate (4.4-4.9% against 4.1-4.3%) where the shipped profile has 10-12%: about 0.2-1.6 of it",
                             sim::config::Range::between(0.0, 10.0)});
  }
};

enum class StaffGroup : std::uint8_t { ed_clinicians, ward_nurses, theatre_teams, count };
inline constexpr std::size_t staff_group_count = static_cast<std::size_t>(StaffGroup::count);

// The parameters of staff group g (a StaffGroup as an index).
inline const StaffGroupParams& group_params(const StaffingParams& p, std::size_t g) {
  switch (static_cast<StaffGroup>(g)) {
    case StaffGroup::ed_clinicians: return p.ed_clinicians;
    case StaffGroup::ward_nurses: return p.ward_nurses;
    default: return p.theatre_teams;
  }
}

struct StaffLevel {
  double substantive_wte = 0.0;  // in post
  double available_wte = 0.0;    // at work: substantive less sickness, plus agency
  double agency_wte = 0.0;
};

// The whole staff of one trust in one replication, advanced a month at a time.
class Staffing {
 public:
  Staffing(const StaffingParams& params, const sim::StreamKey& key);

  // Called at the start of each month (from month index `month`, warm-up negative, in
  // calendar month `month_of_year`, 1-12): leavers go and recruits join (Poisson, keyed by
  // group and month, drawn at `recruitment_factor` times the usual rate; none while
  // recruitment is frozen, except below a group's safe-staffing floor), sickness takes the
  // month's share, then agency covers its share of the gap times `agency_factor` (at most
  // all), and at least up to the floor, except for groups the regulator bans agency for.
  void start_month(int month, int month_of_year, double agency_factor = 1.0, bool recruitment_frozen = false,
                   const std::array<bool, staff_group_count>& agency_banned = {}, double recruitment_factor = 1.0);

  // Posts taken out of each group's funded establishment by cost improvement (vacancy control,
  // docs/management.md), in force from the next start_month until changed; 0 restores the
  // configured establishment. Fewer posts mean fewer vacancies to recruit to and a smaller gap
  // for agency; staff above the new establishment leave by turnover, never by dismissal. The
  // safe-staffing floor stays a share of the configured establishment (the wards' need, not
  // their funding), so a cut never takes cover below it.
  void set_establishment_cuts(const std::array<double, staff_group_count>& cut_wte);
  double establishment(StaffGroup g) const { return establishment_[static_cast<std::size_t>(g)]; }

  const StaffLevel& level(StaffGroup g) const { return levels_[static_cast<std::size_t>(g)]; }
  // Available staff relative to the configured baseline (vacancies at their starting rate,
  // sickness at its yearly average): below 1 in a winter month even with no vacancy.
  double relative_to_baseline(StaffGroup g) const;
  int open_beds(int physical_beds) const;

 private:
  void settle(std::size_t g, double agency_factor, bool banned);
  const StaffGroupParams& params(std::size_t g) const;

  const StaffingParams* params_;
  MonthProfile sickness_by_month_;
  double sickness_factor_ = 1.0;  // this month's, from sickness_by_month_
  sim::StreamKey key_;
  std::array<StaffLevel, staff_group_count> levels_{};
  std::array<double, staff_group_count> establishment_{};  // funded posts in force: configured less cuts
  std::array<double, staff_group_count> baseline_available_{};
};

}  // namespace breachsim::models
