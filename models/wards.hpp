// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <vector>

#include "models/events.hpp"
#include "sim/config.hpp"
#include "sim/resource.hpp"

// General and acute wards: one pool of beds shared by emergency and elective admissions.
// Emergency patients wait for a bed (in A&E, which is exit block); the wards only decide who
// gets a free bed and how long each stay lasts (DOMAIN.md §8).
namespace breachsim::models {

struct BedParams {
  double general_acute_beds = 680.0;
  double emergency_zero_day_share = 0.33;
  sim::config::DistributionSpec zero_day_stay_hours = {sim::Distribution::Kind::histogram, 0, 0, 0, {}, {1.0}, {2.0, 12.0}};
  sim::config::DistributionSpec emergency_stay_days = {sim::Distribution::Kind::lognormal, 0.0, 11.5, 14.0, {}, {}, {}};
  double delayed_transfer_share = 0.05;
  sim::config::DistributionSpec delayed_transfer_days = {sim::Distribution::Kind::lognormal, 0.0, 10.0, 10.0, {}, {}, {}};
  double elective_day_case_share = 0.7;
  sim::config::DistributionSpec elective_stay_days = {sim::Distribution::Kind::lognormal, 0.0, 5.0, 5.0, {}, {}, {}};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("general_acute_beds", general_acute_beds,
            Doc{"beds", "General and acute beds open (whole number).",
                "assumption: with the default emergency and elective demand of a 110k-attendance trust, about 89% occupancy, within the 88-94% England range (DOMAIN.md §8)",
                Range::at_least(1.0)});
    v.field("emergency_zero_day_share", emergency_zero_day_share,
            Doc{"share of emergency admissions", "Emergency stays that end the same day (length from zero_day_stay_hours).",
                "DOMAIN.md §8: about a third of emergency stays are zero-day", Range::fraction()});
    v.field("zero_day_stay_hours", zero_day_stay_hours,
            Doc{"hours", "Length of a zero-day stay.", "assumption: uniform over 2-12 hours", Range::positive()});
    v.field("emergency_stay_days", emergency_stay_days,
            Doc{"days", "Length of the other emergency stays, before any delayed transfer.",
                "DOMAIN.md §8: emergency mean 7.9 days (2019) with a heavy tail; 11.5 days over the two thirds that are not zero-day gives 7.8 overall; sd an assumption",
                Range::positive()});
    v.field("delayed_transfer_share", delayed_transfer_share,
            Doc{"share of stays", "Stays (not zero-day) extended because the medically fit patient waits for social care.",
                "assumption", Range::fraction()});
    v.field("delayed_transfer_days", delayed_transfer_days,
            Doc{"days", "Extra days of a delayed transfer of care.", "assumption", Range::positive()});
    v.field("elective_day_case_share", elective_day_case_share,
            Doc{"share of elective admissions", "Day cases: a bed for a zero-day stay (length from zero_day_stay_hours).",
                "assumption: most planned procedures are day cases (reference costs price day cases apart, DOMAIN.md §4)",
                Range::fraction()});
    v.field("elective_stay_days", elective_stay_days,
            Doc{"days", "Length of an elective inpatient stay (not a day case).",
                "DOMAIN.md §8: elective stays about 5 days; sd an assumption", Range::positive()});
  }
};

// Derived once per scenario and shared by replications.
struct WardSetup {
  explicit WardSetup(const BedParams& p);
  int beds;
  double zero_day_share;
  sim::Distribution zero_day_hours, emergency_days, delay_days;
  double delay_share;
  double day_case_share;
  sim::Distribution elective_days;
};

struct WardMonth {
  double occupied_bed_minutes = 0.0;
  double open_bed_minutes = 0.0;
  std::int64_t discharges = 0;
};

class Wards {
 public:
  Wards(const WardSetup& setup, const sim::StreamKey& key);

  // An emergency patient (A&E slot `ed_slot`) asks for a bed: true if admitted at once;
  // otherwise they wait, first come first served, ahead of any elective admission.
  bool request_emergency(std::uint32_t ed_slot, sim::Time now);
  // The next waiting emergency patient to take a free bed, if any (call after a discharge).
  bool next_emergency(std::uint32_t& ed_slot, sim::Time now);
  // Starts the stay of an admitted emergency patient (A&E patient number `patient`) and
  // schedules the discharge.
  void admit_emergency(std::uint64_t patient, TrustSimulator& sim);
  // A planned admission on the day (referral number `referral`): takes a bed only if one is
  // free and no emergency patient is waiting for it; returns false when the operation must
  // be cancelled for want of a bed.
  bool admit_elective(std::uint64_t referral, TrustSimulator& sim);
  // Called for every bed_discharge event.
  void discharge(std::uint32_t stay, sim::Time now);

  WardMonth close_month(sim::Time month_end);
  int occupied() const { return beds_.busy(); }
  std::size_t waiting() const { return beds_.waiting(); }

 private:
  void account(sim::Time now);
  void start_stay(std::uint64_t patient, double minutes, TrustSimulator& sim);

  const WardSetup* setup_;
  sim::StreamKey key_;
  sim::ServerPool beds_;
  struct Stay {
    std::uint64_t patient;
    sim::Time admitted;
  };
  std::vector<Stay> stays_;  // by stay id; ids of ended stays are reused
  std::vector<std::uint32_t> free_stays_;
  sim::Time last_change_ = 0.0;
  WardMonth month_;
};

}  // namespace breachsim::models
