// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/care/performance.hpp"
#include "models/care/events.hpp"
#include "sim/arrivals.hpp"
#include "sim/config.hpp"

// The urgent suspected-cancer pathway and its 62-day standard (docs/sources.md §2): an urgent
// referral, a first appointment, a place in the diagnostic queue served at weekday sessions,
// then either "ruled out" (the pathway ends) or a cancer diagnosis, a treatment decision and
// a first definitive treatment. Surgery needs a theatre slot and a bed: it takes the trust's
// theatre lists before routine electives, and is cancelled for want of a bed like any planned
// admission. The clock that matters runs from referral to first treatment.
namespace breachsim::models {

struct CancerParams {
  double urgent_referrals_per_week = 290.0;
  std::vector<double> referrals_by_weekday = {1.1, 1.05, 1.0, 1.0, 0.85, 0.0, 0.0};
  double referral_growth_per_year = 0.0;
  double conversion_share = 0.07;
  double diagnostic_sessions_per_week = 20.0;
  double patients_per_diagnostic_session = 16.0;
  sim::config::DistributionSpec first_seen_days = {sim::Distribution::Kind::histogram, 0, 0, 0, {},
                                                   {35, 40, 25}, {3, 7, 10, 14}};
  sim::config::DistributionSpec decision_days = {sim::Distribution::Kind::lognormal, 0.0, 14.0, 7.0, {}, {}, {}};
  double surgical_share = 0.5;
  sim::config::DistributionSpec surgery_ready_days = {sim::Distribution::Kind::lognormal, 0.0, 18.0, 9.0, {}, {}, {}};
  sim::config::DistributionSpec non_surgical_days = {sim::Distribution::Kind::lognormal, 0.0, 28.0, 14.0, {}, {}, {}};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("urgent_referrals_per_week", urgent_referrals_per_week,
            Doc{"referrals/week", "Urgent suspected-cancer referrals a week at the first reported month, before growth. At most 300,000, about a thousand trusts': a bound on mistakes, not an estimate.",
                "assumption (our derivation, not in docs/sources.md): about 2m urgent suspected-cancer referrals a year in England over the 134 acute trusts of docs/sources.md §6 is about 15k a trust, 290 a week",
                Range::between(0.0, 3e5)});
    v.field("referrals_by_weekday", referrals_by_weekday,
            Doc{"relative", "Referrals by day, Monday first; scaled to a mean of 1.",
                "assumption: GP referrals are sent on working days, Monday the busiest", Range::non_negative(), {7}});
    v.field("referral_growth_per_year", referral_growth_per_year,
            Doc{"per year", "Compound growth of referrals from the first reported month (warm-up months are at the starting rate).",
                "assumption: flat by default; a scenario parameter", Range::between(-0.5, 1.0)});
    v.field("conversion_share", conversion_share,
            Doc{"share of referrals", "Referred patients diagnosed with cancer; the others are ruled out at diagnostics and leave the pathway.",
                "assumption: about 7% of urgent suspected-cancer referrals are diagnosed with cancer", Range::fraction()});
    v.field("diagnostic_sessions_per_week", diagnostic_sessions_per_week,
            Doc{"sessions/week", "Diagnostic sessions a week for the pathway, spread over Monday to Friday, starting at 08:30.",
                "assumption: with patients_per_diagnostic_session, 320 tests a week, about 10% above the default referrals",
                Range::non_negative()});
    v.field("patients_per_diagnostic_session", patients_per_diagnostic_session,
            Doc{"patients", "Patients tested per diagnostic session (whole number).", "assumption", Range::non_negative()});
    v.field("first_seen_days", first_seen_days,
            Doc{"days", "Referral to first appointment, after which the patient joins the diagnostic queue (first come first served).",
                "assumption: all within 14 days, mean about 8, after the two-week-wait standard for a first appointment after an urgent referral (a national standard not in docs/sources.md)", Range::non_negative()});
    v.field("decision_days", decision_days,
            Doc{"days", "Diagnostic test to treatment decision for a diagnosed patient (results, staging, multidisciplinary team meeting).",
                "assumption", Range::non_negative()});
    v.field("surgical_share", surgical_share,
            Doc{"share of diagnosed", "Diagnosed patients whose first definitive treatment is surgery (a theatre slot and a bed, ahead of routine electives).",
                "assumption", Range::fraction()});
    v.field("surgery_ready_days", surgery_ready_days,
            Doc{"days", "Treatment decision to the day a surgical patient can first be listed (pre-operative assessment); then the longest-waiting since referral is operated on first.",
                "assumption: with the other delays, about 86% of patients treated within 62 days when beds, theatres and diagnostics are ample, near the 85% standard last met in December 2015 (docs/sources.md §8)",
                Range::non_negative()});
    v.field("non_surgical_days", non_surgical_days,
            Doc{"days", "Treatment decision to a non-surgical first treatment (chemotherapy, radiotherapy, other), which needs no bed in this model.",
                "assumption", Range::non_negative()});
  }
};

// Cross-field checks for the scenario's second pass: `path` is the section's key path.
void check_cancer(const CancerParams& p, const std::string& path, sim::config::Diagnostics& d);

// What CancerSetup's referral rates are built from besides the calendar (as arrival_rate_inputs).
std::vector<double> referral_rate_inputs(const CancerParams& p);

// Derived once per scenario and shared read-only by replications.
struct CancerSetup {
  CancerSetup(const CancerParams& p, const sim::Calendar& calendar);
  sim::HourlyRates referral_rates;
  double conversion_share;
  double surgical_share;
  std::array<int, 5> diagnostic_slots{};  // patients tested a weekday, Monday first
  sim::Distribution first_seen_days, decision_days, surgery_ready_days, non_surgical_days;
};

struct CancerMonth {
  std::int64_t referrals = 0;
  std::int64_t tested = 0;     // patients through a diagnostic session
  std::int64_t ruled_out = 0;  // tested and not diagnosed: the pathway ends
  std::int64_t diagnosed = 0;
  std::int64_t treated = 0;  // first definitive treatments given, surgical and non-surgical
  std::int64_t treated_surgical = 0;
  std::int64_t breaches_62d = 0;  // of `treated`, referral to treatment more than 62 days
  std::int64_t surgical_cancellations = 0;  // operations cancelled on the day for want of a bed
  std::int64_t repeat_cancellations = 0;    // of those, a patient's second or later cancellation
  // Month-end snapshot of patients still on the pathway.
  std::int64_t on_pathway = 0;
  std::int64_t over_62d_on_pathway = 0;  // referred more than 62 days before the month end
  std::int64_t awaiting_diagnostics = 0;
  std::int64_t awaiting_surgery = 0;

  // The cancer pathway's part of the month's performance record; cancer surgery is the
  // model's urgent operations, so its repeat cancellations are the urgent operations
  // cancelled twice.
  void add_to(BreachCounts& c) const {
    c.cancer_treated = static_cast<double>(treated);
    c.cancer_breaches_62d = static_cast<double>(breaches_62d);
    c.urgent_operations_cancelled_twice = static_cast<double>(repeat_cancellations);
  }
};

// Cancer patients' bed stays are numbered from here, so that a stay never shares its number
// (and with it the random draws of its length) with an RTT referral's stay: those use
// 0..2^31-1 for referrals and 2^31 up for the initial list.
inline constexpr std::uint64_t cancer_bed_ids = std::uint64_t{1} << 40;

class CancerPathway {
 public:
  CancerPathway(const CancerSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key);

  // Called once before the run: the first referral and the first diagnostic sessions.
  void start(TrustSimulator& sim);
  // Called for cancer_referral, diagnostic_day, cancer_decision and cancer_treatment events.
  void on_event(const TrustEvent& e, TrustSimulator& sim);

  // Called by a theatre day for each slot, before any routine elective is offered one: the
  // patient ready for surgery who was referred first (patients cancelled on an earlier day
  // first of all), taken off the queue. Patients cancelled at this same `now` are not offered
  // again until a later theatre day. Every patient taken must then be passed to exactly one
  // of surgery_done or surgery_cancelled.
  bool take_surgical_patient(sim::Time now, std::uint32_t& patient);
  // The patient taken was admitted to a bed: first definitive treatment at `now`.
  void surgery_done(std::uint32_t patient, sim::Time now);
  // The patient taken found no bed: counted as a cancellation, and back at the front of the
  // queue, in the order they were taken, from the next theatre day.
  void surgery_cancelled(std::uint32_t patient);
  // The identity to give Wards::admit_elective (as cancer surgery) for the patient's stay.
  std::uint64_t bed_patient_id(std::uint32_t patient) const;

  // Called at each month end, after every event before it.
  CancerMonth close_month(sim::Time month_end);

  std::uint64_t referrals() const { return referrals_; }
  sim::Time referred_at(std::uint32_t patient) const { return patients_[patient].referred_at; }
  // Patients still on the pathway, and by stage; the stages add up to on_pathway().
  std::size_t on_pathway() const { return patients_.size() - free_.size(); }
  // Referred and not yet tested, before or after the first appointment.
  std::size_t awaiting_diagnostics() const { return count(Stage::awaiting_diagnostics); }
  std::size_t awaiting_decision() const { return count(Stage::awaiting_decision); }
  // Surgical decision made, not yet operated on: preparing, queued or cancelled.
  std::size_t awaiting_surgery() const { return count(Stage::awaiting_surgery); }
  std::size_t in_theatre() const { return count(Stage::in_theatre); }  // taken, outcome not yet given
  std::size_t awaiting_non_surgical() const { return count(Stage::awaiting_treatment); }

 private:
  enum class Stage : std::uint8_t {
    free,
    awaiting_diagnostics,
    awaiting_decision,
    awaiting_surgery,
    in_theatre,
    awaiting_treatment,
    count
  };
  struct Patient {
    std::uint64_t number = 0;  // referral number: names the draws and the bed stay
    sim::Time referred_at = 0.0;
    // Drawn at referral, all of them for every patient, so that a patient's delays do not
    // depend on their diagnosis or route (common random numbers across sweep points).
    sim::Time decision_delay = 0.0;
    sim::Time ready_delay = 0.0;
    sim::Time treatment_delay = 0.0;
    Stage stage = Stage::free;
    bool diagnosed = false;
    bool surgical = false;
    std::uint8_t cancellations = 0;
  };
  // A queue entry, ordered by (at, number): a total order, so ties never fall to the heap.
  struct Queued {
    sim::Time at;
    std::uint64_t number;
    std::uint32_t slot;
    bool operator>(const Queued& o) const { return at > o.at || (at == o.at && number > o.number); }
  };

  void refer(TrustSimulator& sim);
  void run_diagnostic_day(TrustSimulator& sim);
  void decide(std::uint32_t slot, TrustSimulator& sim);
  void treat(std::uint32_t slot, sim::Time now, bool surgical);
  void schedule_next_diagnostic_day(TrustSimulator& sim) const;
  void set_stage(std::uint32_t slot, Stage stage);
  void end_pathway(std::uint32_t slot);
  // Throws, naming the patient, the time and the stage, if the patient is not in `stage`.
  void expect(std::uint32_t slot, Stage stage, const char* what, sim::Time now) const;
  static const char* stage_name(Stage s);
  std::size_t count(Stage s) const { return in_stage_[static_cast<std::size_t>(s)]; }
  int weekday(sim::Time t) const { return calendar_->hour_of_week(t) / 24; }

  const CancerSetup* setup_;
  const sim::Calendar* calendar_;
  sim::StreamKey key_;
  sim::PoissonArrivals referral_arrivals_;
  std::vector<Patient> patients_;  // by slot; slots of ended pathways are reused
  std::vector<std::uint32_t> free_;
  std::array<std::size_t, static_cast<std::size_t>(Stage::count)> in_stage_{};
  // Min-heaps (std::greater on Queued).
  std::vector<Queued> diagnostics_;  // by first-appointment time: the diagnostic FIFO
  std::vector<Queued> preparing_;    // surgical, by the time they can first be listed
  std::vector<Queued> surgery_;      // listed for surgery, by referral time
  std::vector<std::uint32_t> rebook_;  // cancelled on an earlier day; the back is served first
  std::vector<std::uint32_t> cancelled_today_;  // in the order they were taken
  sim::Time cancelled_at_ = 0.0;
  sim::Time last_take_ = 0.0;
  std::uint64_t referrals_ = 0;
  CancerMonth month_;
};

}  // namespace breachsim::models
