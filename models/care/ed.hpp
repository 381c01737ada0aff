// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "models/care/performance.hpp"
#include "models/care/seasons.hpp"
#include "sim/arrivals.hpp"
#include "sim/config.hpp"
#include "sim/resource.hpp"
#include "models/care/events.hpp"
#include "sim/simulator.hpp"

// A&E (type 1 emergency department): patients arrive, wait for a clinician, are treated,
// and leave (discharged, or admitted at the decision to admit). Time in department is
// arrival to departure; more than 240 minutes is a 4-hour breach (docs/sources.md §2).
namespace breachsim::models {

struct EdParams {
  double arrivals_per_year = 110000.0;
  std::vector<double> arrivals_by_hour = {0.70, 0.55, 0.45, 0.40, 0.35, 0.35, 0.45, 0.70,
                                          1.15, 1.55, 2.00, 2.05, 1.70, 1.55, 1.45, 1.40,
                                          1.35, 1.35, 1.30, 1.20, 1.05, 0.95, 0.85, 0.75};
  std::vector<double> arrivals_by_weekday = {1.12, 1.02, 0.98, 0.97, 0.98, 0.95, 0.98};
  std::vector<double> arrivals_by_month = {0.95, 0.93, 1.00, 1.02, 1.06, 1.05,
                                           1.06, 1.00, 0.99, 1.00, 0.97, 0.97};
  std::vector<double> clinicians_by_hour = {20, 18, 15, 14, 12, 12, 12, 15, 23, 30, 37, 40,
                                            42, 42, 40, 38, 37, 37, 35, 33, 30, 27, 25, 21};
  sim::config::DistributionSpec treatment_minutes = {sim::Distribution::Kind::lognormal, 0.0, 114.0, 63.0, {}, {}, {}};
  double admission_share = 0.22;
  std::vector<double> admission_share_by_month = {1.06, 1.05, 1.03, 0.99, 0.97, 0.96,
                                                  0.96, 0.97, 0.98, 1.00, 1.02, 1.04};
  std::vector<double> treatment_minutes_by_month = {1.05, 1.06, 1.02, 0.99, 0.96, 0.97,
                                                    0.96, 1.00, 1.01, 1.00, 1.03, 1.02};
  double treatment_minutes_by_month_amplitude = 1.0;
  double admission_share_by_month_amplitude = 1.0;
  bool ambulance_handover_delays = false;
  double ambulance_share = 0.3;
  double cubicles = 60.0;
  bool target_chasing = false;
  double target_chasing_window_minutes = 30.0;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("arrivals_per_year", arrivals_per_year,
            Doc{"attendances/year", "Type 1 A&E attendances a year, before the month-of-year shape. At most 50 million, about twice England's attendances of every type (23m in 2015/16, docs/sources.md §8): a bound on mistakes, not an estimate.",
                "docs/sources.md §7: medium trust 100-150k a year (small 60-90k, large 200-350k)", Range{0.0, 5e7, true, false}});
    v.field("arrivals_by_hour", arrivals_by_hour,
            Doc{"relative", "Arrival rate by hour of day (24 values from 00:00) or hour of week (168 from Monday 00:00); scaled to a mean of 1.",
                "docs/sources.md §8: peak 10:00-12:00 about twice the hourly mean, trough 04:00-06:00; exact shape an assumption",
                Range::non_negative(), {24, 168}});
    v.field("arrivals_by_weekday", arrivals_by_weekday,
            Doc{"relative", "Arrival rate by day, Monday first; scaled to a mean of 1. Multiplies arrivals_by_hour.",
                "docs/sources.md §8: Monday the busiest day, about 16% of the week; other days an assumption",
                Range::non_negative(), {7}});
    v.field("arrivals_by_month", arrivals_by_month,
            Doc{"relative", "Arrival rate by calendar month, January first; scaled so a 365-day year has arrivals_per_year.",
                "docs/sources.md §8: attendances highest April-July; sizes an assumption",
                Range::non_negative(), {12}});
    v.field("clinicians_by_hour", clinicians_by_hour,
            Doc{"patients treated at once", "Treatment places staffed by clinicians on duty: 1 value (constant), 24 (hour of day) or 168 (hour of week from Monday 00:00). Whole numbers.",
                "assumption: calibrated with treatment_minutes and its month profile, beds and readmissions so the England 2015/16 calibration sees 87.9% of patients within 4 hours over the year, as England's type-1 departments did (docs/sources.md §8)",
                Range::non_negative(), {1, 24, 168}});
    v.field("treatment_minutes", treatment_minutes,
            Doc{"minutes", "Time from being seen by a clinician to leaving A&E (discharge or decision to admit).",
                "assumption: right-skewed as docs/sources.md §8 describes; the mean calibrated with clinicians_by_hour to the type-1 4-hour performance of 2015/16, 87.9% (docs/sources.md §8)",
                Range::positive()});
    v.field("treatment_minutes_by_month", treatment_minutes_by_month,
            Doc{"relative", "Multiplies treatment_minutes by the calendar month the patient arrives in, January first; scaled to a mean of 1. Winter patients are older and take longer to assess and treat; the summer surplus of attendances is largely minor injuries in children and young adults.",
                "docs/sources.md §8 (Seasons): the elderly take longer to assess and treat, the summer peak is of children aged 1-14; sizes an assumption, sized by calibration with typical management on: the England 2015/16 calibration has January-March its worst 4-hour quarter, as England did, but above the 81% of type-1 departments in January-March 2017, then the worst quarter on record, and December near the 87% of December 2015",
                Range::non_negative(), {12}});
    v.field("treatment_minutes_by_month_amplitude", treatment_minutes_by_month_amplitude,
            Doc{"multiplier", "How deep this profile's winter is: each month's departure from the year's mean is multiplied by this (0: flat, every month the mean; 2: twice the departure; a month taken below zero is zero). One number a sensitivity study can vary; at most 10, a bound on mistakes.",
                "assumption: 1 is the calibrated winter; winters differ in depth (all types within 4 hours in January-March: 87.6% in 2016/17, 85.0% in 2017/18, docs/sources.md §8), so a study might take 0.5-1.5",
                Range::between(0.0, 10.0)});
    v.field("admission_share", admission_share,
            Doc{"share of attendances", "Share of patients admitted: at the decision to admit they free their clinician and wait in A&E for a ward bed.",
                "docs/sources.md §8: about 20-25% of attendances are admitted", Range::fraction()});
    v.field("admission_share_by_month", admission_share_by_month,
            Doc{"relative", "admission_share by calendar month the patient arrives in, January first; scaled to a mean of 1 (a share above 1 counts as 1). Winter attendances are older and sicker, so more are admitted.",
                "docs/sources.md §8 (Seasons): the share admitted rises in winter while attendances fall; sizes an assumption, chosen so admissions a day are about level from July to January while attendances (arrivals_by_month) fall by a tenth",
                Range::non_negative(), {12}});
    v.field("admission_share_by_month_amplitude", admission_share_by_month_amplitude,
            Doc{"multiplier", "How deep this profile's winter is: each month's departure from the year's mean is multiplied by this (0: flat, every month the mean; 2: twice the departure; a month taken below zero is zero). One number a sensitivity study can vary; at most 10, a bound on mistakes.",
                "assumption: 1 is the shipped profile (admissions a day about level from July to January, docs/sources.md §8, Seasons); a study might take 0.5-1.5",
                Range::between(0.0, 10.0)});
    v.field("ambulance_handover_delays", ambulance_handover_delays,
            Doc{"switch", "When on, an ambulance patient is handed over only while fewer than `cubicles` patients are in the department; crews wait otherwise and handovers over 30 and 60 minutes are counted (docs/sources.md §2).", ""});
    v.field("ambulance_share", ambulance_share,
            Doc{"share of arrivals", "Patients who arrive by ambulance.", "assumption", Range::fraction()});
    v.field("cubicles", cubicles,
            Doc{"patients", "Patients the department holds (including those waiting for a bed) before ambulance crews must wait; whole number.",
                "assumption: about twice the default trust's mean occupancy", Range::at_least(1.0)});
    v.field("target_chasing", target_chasing,
            Doc{"switch", "When on, staff chase the 4-hour line: a discharged patient due out within target_chasing_window_minutes after 240 minutes leaves in the 10 minutes before it instead, and an admitted patient decided on within that window of the line goes ahead in the queue for beds (the spike before 240 minutes, docs/sources.md §8).", ""});
    v.field("target_chasing_window_minutes", target_chasing_window_minutes,
            Doc{"minutes", "How close to the 4-hour line a patient must be for target chasing to act.", "assumption", Range::between(0.0, 240.0)});
  }
};

// What EdSetup's arrival rates are built from besides the calendar: on one calendar, equal
// inputs give equal tables, which the points of a sweep share (the resource estimate counts them once).
std::vector<double> arrival_rate_inputs(const EdParams& params);

// What the ED needs at run time, derived once from EdParams and shared by all replications.
struct EdSetup {
  EdSetup(const EdParams& params, const sim::Calendar& calendar);
  sim::HourlyRates arrival_rates;
  sim::Roster roster;
  sim::Distribution treatment;
  MonthProfile treatment_by_month;      // relative, mean 1
  MonthProfile admission_share_by_month;  // the share itself in each month, at most 1
  bool handover_delays;
  double ambulance_share;
  std::size_t cubicles;
  bool target_chasing;
  double chase_window;
};

// Counts for one calendar month, by the month in which each patient left.
struct EdMonth {
  std::int64_t attendances = 0;
  std::int64_t breaches_4h = 0;
  std::int64_t left_230_240min = 0;  // the last ten minutes before the line: target chasing's spike
  std::int64_t admissions = 0;        // left A&E for a ward bed
  std::int64_t trolley_waits_12h = 0;  // of those, waited more than 12 hours after the decision
  std::int64_t trolley_waits_4_12h = 0;  // of those, more than 4 and at most 12 hours (NHS England's count)
  std::int64_t readmissions = 0;       // emergency readmissions within 30 days of a discharge
  std::int64_t readmissions_after_elective = 0;
  std::int64_t handovers_30_60min = 0;    // ambulance arrival to handover
  std::int64_t handovers_over_60min = 0;
  double minutes_in_department = 0.0;  // summed over patients who left
  double occupancy_minutes = 0.0;       // integral of patients present over the month
  // At the month end: patients still in the department (waiting, in treatment or waiting
  // for a bed) and ambulance patients not yet handed over. Under overload these grow
  // without bound, so they are reported rather than lost.
  std::int64_t present_at_end = 0;
  std::int64_t awaiting_handover_at_end = 0;

  // A&E's part of the month's performance record.
  void add_to(BreachCounts& c) const {
    c.ed_attendances = static_cast<double>(attendances);
    c.ed_breaches_4h = static_cast<double>(breaches_4h);
    c.ed_trolley_waits_12h = static_cast<double>(trolley_waits_12h);
    c.emergency_admissions = static_cast<double>(admissions);
    c.ambulance_handovers_30_60min = static_cast<double>(handovers_30_60min);
    c.ambulance_handovers_over_60min = static_cast<double>(handovers_over_60min);
  }
};

class EmergencyDepartment {
 public:
  EmergencyDepartment(const EdSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key);

  // Called once before the run: schedules the first arrival and the first roster change.
  void start(TrustSimulator& sim);
  // Called for ed_arrival, ed_roster_change and ed_readmission events.
  void on_event(const TrustEvent& e, TrustSimulator& sim);
  // Called for ed_treatment_end: frees the clinician for the next patient and returns true
  // when the patient is to be admitted (they stay in A&E until depart_admitted() is called);
  // a patient not admitted leaves at once.
  bool finish_treatment(std::uint32_t slot, TrustSimulator& sim);
  // Whether an admitted patient decided on now should go ahead in the queue for beds.
  bool chased_for_bed(std::uint32_t slot, sim::Time now) const;
  // The admitted patient in `slot` leaves A&E for a bed now; returns their patient number.
  std::uint64_t depart_admitted(std::uint32_t slot, TrustSimulator& sim);
  // Called at each month start: clinicians on duty are the roster times `factor` (available
  // A&E clinicians relative to the baseline staffing), rounded.
  void set_staff_factor(double factor, TrustSimulator& sim);
  // Multiplies every treatment time drawn from now on (below 1: staff work faster).
  void set_treatment_scale(double scale) { treatment_scale_ = scale; }
  // Called at each month start with its calendar month (1-12): patients who arrive from now
  // on are admitted and treated as that month's patients are (the seasonal profiles).
  void set_month_of_year(int month_of_year) { month_of_year_ = static_cast<std::uint8_t>(month_of_year); }
  // Called at each month end, after every event before it: the month's counts, then reset.
  EdMonth close_month(sim::Time month_end);

  std::size_t patients_present() const { return present_; }
  std::uint64_t arrivals() const { return arrivals_so_far_; }

 private:
  struct Patient {
    sim::Time arrival;
    sim::Time decision;    // when the clinician decided to admit or discharge
    std::uint64_t number;  // the n-th arrival of this trust in this replication, or a readmission's
    bool readmission;      // comes back to be admitted: no admission decision is drawn
    std::uint8_t month_of_year;  // when the patient came in (1-12): their season's acuity
  };

  void arrive(TrustSimulator& sim);
  void readmit(std::uint32_t id, TrustSimulator& sim);
  void enter(std::uint64_t number, bool readmission, sim::Time arrival, TrustSimulator& sim);
  void hand_over_waiting(TrustSimulator& sim);
  void begin_treatment(std::uint32_t slot, TrustSimulator& sim);
  void depart(std::uint32_t slot, TrustSimulator& sim);
  bool admitted(const Patient& p) const;
  void change_roster(TrustSimulator& sim);
  void staff_roster(TrustSimulator& sim);
  void account_occupancy(sim::Time now);

  const EdSetup* setup_;
  const sim::Calendar* calendar_;
  sim::StreamKey key_;
  sim::PoissonArrivals arrivals_;
  sim::ServerPool clinicians_;
  std::vector<Patient> patients_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t arrivals_so_far_ = 0;
  std::size_t present_ = 0;
  sim::Time last_change_ = 0.0;
  double staff_factor_ = 1.0;
  double treatment_scale_ = 1.0;
  std::uint8_t month_of_year_ = 1;
  struct Ambulance {
    std::uint64_t number;
    sim::Time arrival;
  };
  std::deque<Ambulance> ambulances_;  // waiting to hand over
  EdMonth month_;
};

}  // namespace breachsim::models
