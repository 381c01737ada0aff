// SPDX-License-Identifier: MIT
#pragma once
#include <array>
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
// policy sets. An operation that finds no bed on the day is cancelled and rebooked. Before
// joining a treatment list a patient may spend weeks in the earlier stages of the pathway
// (appointments, tests, decisions), or longer if the pathway is lost to administration; the
// list may be validated at a set wait, removing patients who no longer need treatment.
namespace breachsim::models {

struct ElectiveParams {
  double referrals_per_week = 1150.0;
  std::vector<double> referrals_by_weekday = {1.3, 1.25, 1.2, 1.2, 1.0, 0.03, 0.02};
  double referral_growth_per_year = 0.03;
  double admitted_share = 0.25;
  std::vector<double> priority_shares = {0.02, 0.08, 0.30, 0.60};
  std::string order = "priority_then_fifo";
  double theatre_sessions_per_week = 68.5;
  double patients_per_theatre_session = 4.0;
  double clinic_sessions_per_week = 93.0;
  double patients_per_clinic_session = 9.0;
  double leave_list_per_year = 0.2;
  double initial_list = 10000.0;
  double initial_list_admitted_share = 0.36;
  sim::config::DistributionSpec initial_list_weeks = {
      sim::Distribution::Kind::histogram, 0, 0, 0, {},
      {20.69, 17.95, 13.45, 10.28, 8.68, 7.48, 5.83, 4.56, 3.07, 2.14, 1.53, 1.99, 1.1, 1.03, 0.19, 0.014, 0.007, 0.004, 0.002},
      {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 26, 30, 39, 52, 65, 78, 91, 104}};
  sim::config::DistributionSpec weeks_before_booking_non_admitted = {
      sim::Distribution::Kind::histogram, 0, 0, 0, {}, {40, 10, 12, 15, 10, 6, 3.6, 3, 1.8}, {0, 1, 2, 4, 8, 12, 16, 20, 26, 39}};
  sim::config::DistributionSpec weeks_before_booking_admitted = {
      sim::Distribution::Kind::histogram, 0, 0, 0, {}, {20, 20, 25, 12, 8, 7, 4.2, 2.4, 1.8, 1.2}, {0, 1, 2, 4, 6, 8, 12, 16, 20, 26, 39}};
  double lost_share = 0.002;
  sim::config::DistributionSpec lost_weeks = {sim::Distribution::Kind::histogram, 0, 0, 0, {},
                                              {50, 25, 12, 7, 4, 2}, {4, 13, 26, 39, 52, 78, 104}};
  double validation_weeks = 12.0;
  double validation_removal_share = 0.1;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("referrals_per_week", referrals_per_week,
            Doc{"clock starts/week", "RTT referrals (clock starts) a week at the first reported month, before growth. At most a million, about a thousand medium trusts': a bound on mistakes, not an estimate.",
                "assumption: about 60k clock starts a year for a medium trust", Range::between(0.0, 1e6)});
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
                "assumption, sized with clinic_sessions_per_week against the default demand (admitted referrals less leavers and validation, plus cancer surgery and cancellations): at the starting referral rate the list holds steady, with routine patients about 11 weeks on the theatre list; as referrals grow it grows by about a fifth over 2015-17, as England's did (docs/sources.md §8)",
                Range::non_negative()});
    v.field("patients_per_theatre_session", patients_per_theatre_session,
            Doc{"patients", "Planned admissions per theatre session (whole number).", "assumption", Range::non_negative()});
    v.field("clinic_sessions_per_week", clinic_sessions_per_week,
            Doc{"sessions/week", "Outpatient sessions a week treating non-admitted pathways, Monday to Friday.",
                "assumption, sized with theatre_sessions_per_week (routine patients about 3 weeks on the clinic list at the start); with the pathway stages the default trust goes from about 93% within 18 weeks in April 2015 to about 90% in March 2017, as England did (docs/sources.md §8)",
                Range::non_negative()});
    v.field("patients_per_clinic_session", patients_per_clinic_session,
            Doc{"patients", "Pathways completed per outpatient session (whole number).", "assumption", Range::non_negative()});
    v.field("leave_list_per_year", leave_list_per_year,
            Doc{"per year", "Rate at which a waiting patient leaves the list untreated at any time (moved, treated elsewhere, recovered, died); removals when the list is validated are validation_weeks and validation_removal_share.",
                "docs/sources.md §2 (some patients leave the list untreated); rate an assumption",
                Range::non_negative()});
    v.field("initial_list", initial_list,
            Doc{"patients", "Patients already waiting when the simulation starts (whole number). At most 10 million, about a thousand medium trusts' lists: a bound on mistakes, not an estimate.",
                "assumption: the steady state of the default pathway stages and capacity, about 8.5 weeks of referrals (England's list was 9.4 weeks of its throughput in mid-2014 and about 10 weeks of its clock starts in 2016, docs/sources.md §8)",
                Range::between(0.0, 1e7)});
    v.field("initial_list_admitted_share", initial_list_admitted_share,
            Doc{"share of the initial list", "Initial patients on the admitted pathway. Admitted pathways take longer, so they are more of the list than of referrals (admitted_share).",
                "assumption: the share of the list the default pathway stages and capacity hold in a steady state", Range::fraction()});
    v.field("initial_list_weeks", initial_list_weeks,
            Doc{"weeks", "How long the initial list has already waited.",
                "assumption: the age profile of that steady state, 92% within 18 weeks, median 5.5 weeks and a tail past 52 weeks of lost pathways, as England's: median 5.3-6.0 weeks (2011-12), 92% within 18 weeks in February 2016 (docs/sources.md §8)",
                Range::non_negative()});
    describe_pathway(v);
  }

  // The stages before the treatment list, lost pathways and validation.
  template <class V>
  void describe_pathway(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("weeks_before_booking_non_admitted", weeks_before_booking_non_admitted,
            Doc{"weeks", "Time from referral until a non-admitted pathway can be booked into the outpatient slot that stops its clock (earlier appointments, tests and results, dates the patient chooses). The clock runs; the patient is on the waiting list but not yet on the clinic list, which is first come first served from the day they join it. Constant 0 books every patient from referral.",
                "assumption: with the default clinics, completed non-admitted pathways take a median of about 4 weeks and the waiting list a median of about 5-6 weeks, as in England (docs/sources.md §8: 3.9-4.5 and 5.3-6.0 weeks in 2011-12)",
                Range::non_negative()});
    v.field("weeks_before_booking_admitted", weeks_before_booking_admitted,
            Doc{"weeks", "Time from referral until an admitted pathway joins the theatre list (outpatient assessment, tests, the decision to admit, pre-operative assessment). Constant 0 lists every patient from referral.",
                "assumption: with the default theatres, completed admitted pathways take a median of about 8-9 weeks, as in England (docs/sources.md §8: 8.2-8.8 weeks in 2011-12)",
                Range::non_negative()});
    v.field("lost_share", lost_share,
            Doc{"share of referrals", "Pathways lost to administration (a referral not acted on, an appointment cancelled and never rebooked, a pathway closed in error): the patient waits, clock running, until the pathway is found (lost_weeks), then joins the treatment list.",
                "assumption, calibrated with lost_weeks so that configs/calibration/england_2015.yaml has about as many 52-week waiters for its list as England had (docs/sources.md §8: 1,281 in October 2012, 1,339 in January 2017, mostly from validation and administrative failures)",
                Range::fraction()});
    v.field("lost_weeks", lost_weeks,
            Doc{"weeks", "Time from referral until a lost pathway is found (by validation, the patient or the GP) and the patient joins the treatment list.",
                "assumption, calibrated with lost_share (docs/sources.md §8)", Range::non_negative()});
    v.field("validation_weeks", validation_weeks,
            Doc{"weeks", "Wait at which every patient still on the list is validated (records checked, the patient asked); 0 validates nobody.",
                "assumption: validation is targeted at long waiters; NHS England's guidance of 2023 validates at 12, 26 and 52 weeks (docs/sources.md §8)",
                Range::non_negative()});
    v.field("validation_removal_share", validation_removal_share,
            Doc{"share of validated patients", "Validated patients found not to need treatment any more (treated elsewhere, recovered, moved, duplicate or wrongly open pathways), who leave the list untreated then.",
                "docs/sources.md §8: about a tenth in validation exercises (9-10%)", Range::fraction()});
  }
};

ListOrder parse_list_order(const std::string& name);

// What ElectiveSetup's referral rates are built from besides the calendar (as arrival_rate_inputs).
std::vector<double> referral_rate_inputs(const ElectiveParams& p);

// Derived once per scenario and shared by replications.
struct ElectiveSetup {
  ElectiveSetup(const ElectiveParams& p, const sim::Calendar& calendar);
  // Pathway index of the arrays below: 0 non-admitted, 1 admitted.
  static std::size_t pathway(bool needs_admission) { return needs_admission ? 1 : 0; }
  // Of the initial patients of that pathway aged `weeks`, the share still in the earlier
  // stages (or lost) rather than on a treatment list.
  double initial_held_share(bool needs_admission, double weeks) const;

  sim::HourlyRates referral_rates;
  double admitted_share;
  std::vector<double> priority_cumulative;
  ListOrder order;
  std::array<int, 5> theatre_slots{};  // patients a weekday, Monday first
  std::array<int, 5> clinic_slots{};
  double leave_rate_per_minute;
  int initial_list;
  double initial_admitted_share;
  sim::Distribution initial_weeks;
  bool holds;  // some patients are held before their treatment list (otherwise none is)
  std::array<sim::Distribution, 2> weeks_before_booking;
  double lost_share;
  sim::Distribution lost_weeks;
  double validation_minutes;  // wait at validation; infinite without validation
  double validation_share;
  // By week of age, per pathway: what initial_held_share() reads.
  std::array<std::vector<double>, 2> initial_held;
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
  std::int64_t validated_off = 0;  // of left_untreated, removed at validation
  std::int64_t admissions = 0;
  std::int64_t cancellations = 0;
  std::int64_t rebooked_late = 0;  // treated more than 28 days after a cancellation
  std::int64_t rebooked_late_day_cases = 0;  // of rebooked_late, those treated as day cases
  WaitingList::Snapshot list{0, 0, 0};  // at the month end

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
  WaitingPatient new_patient(std::uint64_t id, sim::Time clock_start, double admitted_share, sim::RandomStream& draws) const;
  // A new patient joins the waiting list: held in the earlier stages (or lost) first if the
  // pathway has them. `pathway` draws the stages; returns when validation would remove them
  // (infinite if it would not).
  sim::Time join(const WaitingPatient& p, sim::Time now, sim::RandomStream& pathway);
  // The same for a patient of the initial list, already `weeks` into their wait.
  sim::Time join_initial(const WaitingPatient& p, sim::Time now, double weeks, sim::RandomStream& pathway);
  sim::Time validated_off_at(const WaitingPatient& p, sim::Time now, sim::RandomStream& pathway) const;
  void schedule_leaving(const WaitingPatient& p, sim::Time now, sim::RandomStream& draws, sim::Time validated_off_at);
  // Patients due to leave the list before t (or at t, if inclusive) leave now.
  void leave_until(sim::Time t, bool inclusive);
  void refer(TrustSimulator& sim);
  void run_clinic_day(TrustSimulator& sim);
  void schedule_next_day(TrustEventKind kind, double hour, TrustSimulator& sim) const;
  int weekday(sim::Time t) const;

  struct Leaving {
    sim::Time at;
    std::uint64_t id;
    bool validation;  // removed at validation rather than by the leaving hazard
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
