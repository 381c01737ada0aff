// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "models/care/performance.hpp"
#include "models/care/events.hpp"
#include "models/care/waiting_list.hpp"
#include "models/care/wards.hpp"
#include "sim/arrivals.hpp"
#include "sim/config.hpp"

// Planned care on the referral-to-treatment pathway (docs/sources.md §2): referrals start RTT
// clocks, patients wait on the list, and weekday theatre lists (admitted pathway: a theatre
// slot and a bed) and outpatient clinics (non-admitted pathway) treat them in the order a
// policy sets. An operation that finds no bed on the day is cancelled and rebooked.
namespace breachsim::models {

struct ElectiveParams {
  double referrals_per_week = 1150.0;
  std::vector<double> referrals_by_weekday = {1.3, 1.25, 1.2, 1.2, 1.0, 0.03, 0.02};
  double referral_growth_per_year = 0.03;
  double admitted_share = 0.25;
  std::vector<double> priority_shares = {0.02, 0.08, 0.30, 0.60};
  std::string order = "priority_then_fifo";
  double theatre_sessions_per_week = 72.0;
  double patients_per_theatre_session = 4.0;
  double clinic_sessions_per_week = 91.0;
  double patients_per_clinic_session = 9.0;
  double leave_list_per_year = 0.2;
  double initial_list = 12000.0;
  sim::config::DistributionSpec initial_list_weeks = {sim::Distribution::Kind::histogram, 0, 0, 0, {},
                                                      {30, 25, 18, 19, 5, 2.5, 0.5}, {0, 4, 8, 12, 18, 26, 52, 78}};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("referrals_per_week", referrals_per_week,
            Doc{"clock starts/week", "RTT referrals (clock starts) a week at the first reported month, before growth.",
                "assumption: about 60k clock starts a year for a medium trust", Range::non_negative()});
    v.field("referrals_by_weekday", referrals_by_weekday,
            Doc{"relative", "Referrals by day, Monday first; scaled to a mean of 1.", "assumption: referrals come on working days",
                Range::non_negative(), {7}});
    v.field("referral_growth_per_year", referral_growth_per_year,
            Doc{"per year", "Compound growth of referrals from the first reported month (warm-up months are at the starting rate).",
                "assumption, near the 2% a year growth of A&E attendances (docs/sources.md §8)",
                Range::between(-0.5, 1.0)});
    v.field("admitted_share", admitted_share,
            Doc{"share of referrals", "Referrals on the admitted pathway (theatre slot and bed); the rest are treated in clinics.",
                "assumption", Range::fraction()});
    v.field("priority_shares", priority_shares,
            Doc{"shares", "Shares of referrals in clinical priorities 1 (most urgent) to 4; scaled to sum to 1.", "assumption",
                Range::non_negative(), {4}});
    v.field("order", order,
            Doc{"", "Who is treated next: clinical priority then first come first served; the longest wait; or target chasing (the longest waiter not yet past 18 weeks first; those already past only when nobody else waits).",
                "docs/sources.md §2-3: target chasing is the known perverse response to the 18-week standard", {}, {},
                {"priority_then_fifo", "longest_wait_first", "target_chasing"}});
    v.field("theatre_sessions_per_week", theatre_sessions_per_week,
            Doc{"sessions/week", "Elective theatre sessions a week, spread over Monday to Friday.",
                "assumption: matches the admitted demand of the default referrals", Range::non_negative()});
    v.field("patients_per_theatre_session", patients_per_theatre_session,
            Doc{"patients", "Planned admissions per theatre session (whole number).", "assumption", Range::non_negative()});
    v.field("clinic_sessions_per_week", clinic_sessions_per_week,
            Doc{"sessions/week", "Outpatient sessions a week treating non-admitted pathways, Monday to Friday.",
                "assumption: with theatre capacity and leavers, keeps the default list near 12k in 2015/16 and lets it grow with referrals after, as England's did; about 92% within 18 weeks on average over 2015-17", Range::non_negative()});
    v.field("patients_per_clinic_session", patients_per_clinic_session,
            Doc{"patients", "Pathways completed per outpatient session (whole number).", "assumption", Range::non_negative()});
    v.field("leave_list_per_year", leave_list_per_year,
            Doc{"per year", "Rate at which a waiting patient leaves the list untreated (validation, moved, treated elsewhere).",
                "docs/sources.md §2 (some patients leave the list untreated); rate an assumption",
                Range::non_negative()});
    v.field("initial_list", initial_list,
            Doc{"patients", "Patients already waiting when the simulation starts (whole number).",
                "assumption: about 10 weeks of referrals, as England's 3.7m list was to its clock starts in 2016 (docs/sources.md §8)",
                Range::non_negative()});
    v.field("initial_list_weeks", initial_list_weeks,
            Doc{"weeks", "How long the initial list has already waited.",
                "assumption: 92% within 18 weeks, as in February 2016 (docs/sources.md §8)", Range::non_negative()});
  }
};

ListOrder parse_list_order(const std::string& name);

// Derived once per scenario and shared by replications.
struct ElectiveSetup {
  ElectiveSetup(const ElectiveParams& p, const sim::Calendar& calendar);
  sim::HourlyRates referral_rates;
  double admitted_share;
  std::vector<double> priority_cumulative;
  ListOrder order;
  std::array<int, 5> theatre_slots{};  // patients a weekday, Monday first
  std::array<int, 5> clinic_slots{};
  double leave_rate_per_minute;
  int initial_list;
  sim::Distribution initial_weeks;
};

struct ElectiveMonth {
  std::int64_t clock_starts = 0;
  std::int64_t treated = 0;  // clocks stopped by treatment, both pathways
  std::int64_t treated_over_18w = 0;                // of `treated`, clock over 18 weeks when stopped
  std::int64_t outpatient_treated = 0;              // non-admitted pathway (an outpatient slot)
  std::int64_t outpatient_treated_over_18w = 0;
  std::int64_t referrals_restricted = 0;            // referrals held back by a commissioner's restriction
  std::int64_t referrals_deferred_at_end = 0;       // held back and not yet released, at the month end
  std::int64_t left_untreated = 0;
  std::int64_t admissions = 0;
  std::int64_t cancellations = 0;
  std::int64_t rebooked_late = 0;  // treated more than 28 days after a cancellation
  std::int64_t rebooked_late_day_cases = 0;  // of rebooked_late, those treated as day cases
  WaitingList::Snapshot list{0, 0, 0};

  // Planned care's part of the month's performance record: the month-end list, and the
  // clocks stopped in the month by pathway (the 2014/15 RTT standards).
  void add_to(BreachCounts& c) const {
    c.rtt_waiting = static_cast<double>(list.waiting);
    c.rtt_over_18w = static_cast<double>(list.over_18w);
    c.rtt_over_52w = static_cast<double>(list.over_52w);
    c.rtt_non_admitted_treated = static_cast<double>(outpatient_treated);
    c.rtt_non_admitted_treated_over_18w = static_cast<double>(outpatient_treated_over_18w);
    c.rtt_admitted_treated = static_cast<double>(treated - outpatient_treated);
    c.rtt_admitted_treated_over_18w = static_cast<double>(treated_over_18w - outpatient_treated_over_18w);
  }
};

class Electives {
 public:
  Electives(const ElectiveSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key);

  // Called once before the run: the initial list, the first referral and the first sessions.
  void start(TrustSimulator& sim);
  // Called for rtt_referral and clinic_day events.
  void on_event(const TrustEvent& e, TrustSimulator& sim);
  // Theatre slots today (planned sessions scaled by theatre staffing); 0 at weekends.
  int theatre_slots_today(sim::Time now) const;
  // Called for theatre_day events with the slots left after urgent (cancer) surgery: today's
  // planned admissions, each needing a bed.
  void run_theatre_day(int slots, Wards& wards, TrustSimulator& sim);
  // Called at each month start: theatre slots are the planned ones times `factor` (available
  // theatre teams relative to the baseline staffing), rounded.
  void set_theatre_factor(double factor) { theatre_factor_ = factor; }
  // Share of referrals accepted (a commissioner restricting elective referrals: 1 accepts all).
  // The rest are held back, not lost: they join the list, their clocks running from the
  // referral, at the first referral after the restriction lifts.
  void set_referral_share(double share) { referral_share_ = share; }
  // Called at each month end, after every event before it.
  ElectiveMonth close_month(sim::Time month_end);

  const WaitingList& list() const { return list_; }
  std::uint64_t referrals() const { return referrals_; }

 private:
  WaitingPatient new_patient(std::uint64_t id, sim::Time clock_start, sim::RandomStream& draws) const;
  void schedule_leaving(const WaitingPatient& p, sim::Time now, sim::RandomStream& draws);
  // Patients due to leave the list before t (or at t, if inclusive) leave now.
  void leave_until(sim::Time t, bool inclusive);
  void refer(TrustSimulator& sim);
  void run_clinic_day(TrustSimulator& sim);
  void schedule_next_day(TrustEventKind kind, double hour, TrustSimulator& sim) const;
  int weekday(sim::Time t) const;

  struct Leaving {
    sim::Time at;
    std::uint64_t id;
    bool operator>(const Leaving& o) const { return at > o.at || (at == o.at && id > o.id); }
  };
  struct Cancelled {
    WaitingPatient patient;
    sim::Time cancelled_at;
  };
  struct Deferred {
    std::uint64_t id;
    sim::Time referred_at;
  };
  // The referrals held back join the list, clocks started at their referral.
  void release_deferred(sim::Time now);

  const ElectiveSetup* setup_;
  const sim::Calendar* calendar_;
  sim::StreamKey key_;
  WaitingList list_;
  sim::PoissonArrivals referral_arrivals_;
  std::deque<Cancelled> rebook_;  // cancelled on the day, treated first at the next lists
  std::vector<Cancelled> cancelled_today_;
  std::vector<Leaving> leaving_;  // min-heap of departures not yet applied
  std::vector<Deferred> deferred_;  // referrals held back by a commissioner's restriction
  std::uint64_t referrals_ = 0;
  double theatre_factor_ = 1.0;
  double referral_share_ = 1.0;
  ElectiveMonth month_;
};

}  // namespace breachsim::models
