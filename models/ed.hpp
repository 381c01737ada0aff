// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <vector>

#include "sim/arrivals.hpp"
#include "sim/config.hpp"
#include "sim/resource.hpp"
#include "sim/simulator.hpp"

// A&E (type 1 emergency department): patients arrive, wait for a clinician, are treated,
// and leave (discharged, or admitted at the decision to admit). Time in department is
// arrival to departure; more than 240 minutes is a 4-hour breach (DOMAIN.md §2).
namespace breachsim::models {

struct EdParams {
  double arrivals_per_year = 110000.0;
  std::vector<double> arrivals_by_hour = {0.70, 0.55, 0.45, 0.40, 0.35, 0.35, 0.45, 0.70,
                                          1.15, 1.55, 2.00, 2.05, 1.70, 1.55, 1.45, 1.40,
                                          1.35, 1.35, 1.30, 1.20, 1.05, 0.95, 0.85, 0.75};
  std::vector<double> arrivals_by_weekday = {1.12, 1.02, 0.98, 0.97, 0.98, 0.95, 0.98};
  std::vector<double> arrivals_by_month = {0.95, 0.93, 1.00, 1.02, 1.06, 1.05,
                                           1.06, 1.00, 0.99, 1.00, 0.97, 0.97};
  std::vector<double> clinicians_by_hour = {19, 17, 15, 14, 12, 12, 12, 15, 22, 29, 36, 39,
                                            41, 41, 39, 37, 36, 36, 34, 32, 29, 26, 24, 20};
  sim::config::DistributionSpec treatment_minutes = {sim::Distribution::Kind::lognormal, 0.0, 112.0, 62.0, {}, {}, {}};
  double admission_share = 0.22;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("arrivals_per_year", arrivals_per_year,
            Doc{"attendances/year", "Type 1 A&E attendances a year, before the month-of-year shape.",
                "DOMAIN.md §7: medium trust 100-150k a year (small 60-90k, large 200-350k)", Range::positive()});
    v.field("arrivals_by_hour", arrivals_by_hour,
            Doc{"relative", "Arrival rate by hour of day (24 values from 00:00) or hour of week (168 from Monday 00:00); scaled to a mean of 1.",
                "DOMAIN.md §8: peak 10:00-12:00 about twice the hourly mean, trough 04:00-06:00; exact shape an assumption",
                Range::non_negative(), {24, 168}});
    v.field("arrivals_by_weekday", arrivals_by_weekday,
            Doc{"relative", "Arrival rate by day, Monday first; scaled to a mean of 1. Multiplies arrivals_by_hour.",
                "DOMAIN.md §8: Monday the busiest day, about 16% of the week; other days an assumption",
                Range::non_negative(), {7}});
    v.field("arrivals_by_month", arrivals_by_month,
            Doc{"relative", "Arrival rate by calendar month, January first; scaled so a 365-day year has arrivals_per_year.",
                "DOMAIN.md §8: attendances highest April-July; sizes an assumption", Range::non_negative(), {12}});
    v.field("clinicians_by_hour", clinicians_by_hour,
            Doc{"patients treated at once", "Treatment places staffed by clinicians on duty: 1 value (constant), 24 (hour of day) or 168 (hour of week from Monday 00:00). Whole numbers.",
                "assumption: calibrated with treatment_minutes so a 110k-attendance trust sees about 92% within 4 hours, as England did in 2015/16 (91.9%, DOMAIN.md §8)",
                Range::non_negative(), {1, 24, 168}});
    v.field("treatment_minutes", treatment_minutes,
            Doc{"minutes", "Time from being seen by a clinician to leaving A&E (discharge or decision to admit).",
                "assumption: right-skewed as DOMAIN.md §8 describes; calibrated with clinicians_by_hour to 2015/16 4-hour performance",
                Range::positive()});
    v.field("admission_share", admission_share,
            Doc{"share of attendances", "Share of patients admitted at the decision to admit (they leave A&E at the decision, for now).",
                "DOMAIN.md §8: about 20-25% of attendances are admitted", Range::fraction()});
  }
};

enum class TrustEventKind : std::uint8_t { ed_arrival, ed_treatment_end, ed_roster_change };

struct TrustEvent {
  TrustEventKind kind;
  std::uint32_t patient;  // slot of the patient concerned, where there is one
};

using TrustSimulator = sim::Simulator<TrustEvent>;

// What the ED needs at run time, derived once from EdParams and shared by all replications.
struct EdSetup {
  EdSetup(const EdParams& params, const sim::Calendar& calendar);
  sim::HourlyRates arrival_rates;
  sim::Roster roster;
  sim::Distribution treatment;
  double admission_share;
};

// Counts for one calendar month, by the month in which each patient left.
struct EdMonth {
  std::int64_t attendances = 0;
  std::int64_t breaches_4h = 0;
  std::int64_t admissions = 0;
  double minutes_in_department = 0.0;  // summed over patients who left
  double occupancy_minutes = 0.0;       // integral of patients present over the month
};

class EmergencyDepartment {
 public:
  EmergencyDepartment(const EdSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key);

  // Called once before the run: schedules the first arrival and the first roster change.
  void start(TrustSimulator& sim);
  // Called by the trust for every ED event, at the event's time.
  void on_event(const TrustEvent& e, TrustSimulator& sim);
  // Called at each month end, after every event before it: the month's counts, then reset.
  EdMonth close_month(sim::Time month_end);

  std::size_t patients_present() const { return present_; }

 private:
  struct Patient {
    sim::Time arrival;
    std::uint64_t number;  // the n-th arrival of this trust in this replication
  };

  void arrive(TrustSimulator& sim);
  void begin_treatment(std::uint32_t slot, TrustSimulator& sim);
  void leave(std::uint32_t slot, TrustSimulator& sim);
  void change_roster(TrustSimulator& sim);
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
  EdMonth month_;
};

}  // namespace breachsim::models
