// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>

namespace breachsim::models {

// The named purposes of random draws (the second counter word of every stream). The numbers
// are part of the results' identity: renumbering one changes every result drawn with it, so
// new purposes take new numbers and old ones are never reused.
enum class Purpose : std::uint64_t {
  ed_arrivals = 1,         // entity 0: the arrival process of a trust's A&E
  ed_treatment = 2,        // entity = patient number: time from being seen to leaving
  admission_decision = 3,  // entity = patient number: admitted or discharged
  emergency_stay = 4,      // entity = A&E patient number: length of the ward stay
  elective_stay = 5,       // entity = referral number: day case or not, length of stay
  rtt_referrals = 6,       // entity 0: the arrival process of RTT clock starts
  rtt_patient = 7,         // entity = referral number: pathway, priority, leaving the list
  rtt_initial_list = 8,    // entity = position in the initial list: its age, pathway, priority
  cancer_referrals = 9,    // entity 0: the arrival process of urgent suspected-cancer referrals
  cancer_patient = 10,     // entity = cancer referral number: diagnosis, treatment route, delays, stay
  readmission = 11,        // entity = the discharged patient's number: readmitted or not, and when
  staffing = 12,           // entity = staff group << 32 | month: leavers and recruits
  ambulance = 13,          // entity = A&E patient number: arrived by ambulance or not
  referral_restriction = 14,  // entity = referral number: accepted under a commissioner's restriction
  finance = 15,            // entity = month index + 2^20 (<< 8 | what): cost improvement delivery, coding disputes, CQUIN
  fine_waiver = 16,        // entity = (month index + 2^20) << 16 | scheme index: the commissioner waives it or not
  rtt_pathway = 17,        // entity = referral number or initial-list id: the stages before the treatment list, lost pathways, validation
  emergency_discharge_hour = 18,  // entity = A&E patient number: leaves on time at night or waits for the day
  elective_discharge_hour = 19,   // entity = referral number: the same for a planned stay
};

constexpr std::uint64_t purpose(Purpose p) { return static_cast<std::uint64_t>(p); }

}  // namespace breachsim::models
