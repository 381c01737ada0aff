// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>

#include "sim/simulator.hpp"

namespace breachsim::models {

// Every event of a trust. One small tagged struct, dispatched by a switch in Trust.
enum class TrustEventKind : std::uint8_t {
  ed_arrival,
  ed_treatment_end,  // the clinician's decision: discharge, or admit (then wait for a bed)
  ed_roster_change,
  bed_discharge,
  rtt_referral,
  theatre_day,  // a weekday's elective theatre lists start
  clinic_day,   // a weekday's outpatient clinics start
  cancer_referral,   // an urgent suspected-cancer referral arrives
  diagnostic_day,    // a weekday's diagnostic sessions start
  cancer_decision,   // a diagnosed patient's treatment decision is made (id = cancer patient)
  cancer_treatment,  // a non-surgical first treatment is given (id = cancer patient)
  ed_readmission,    // a discharged patient comes back through A&E (id = readmission number)
};

struct TrustEvent {
  TrustEventKind kind;
  std::uint32_t id;  // the A&E patient slot, ward stay or referral concerned, where there is one
};

using TrustSimulator = sim::Simulator<TrustEvent>;

}  // namespace breachsim::models
