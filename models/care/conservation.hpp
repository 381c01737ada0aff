// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>

#include "sim/time.hpp"

// Patients conserved, stream by stream: everyone who came into a stream (A&E, the RTT
// pathways, the cancer pathway) since the run began has left it or is still in it, so a
// patient dropped or counted twice anywhere shows at the next month end. The trust checks it
// in builds that check invariants (sim/invariant.hpp).
namespace breachsim::models {

struct PatientStream {
  const char* name;        // "A&E"
  const char* came_in_as;  // what counts as coming in: "arrivals and readmissions"
  const char* left_as;     // and as leaving: "left the department"
  std::int64_t came_in = 0, left = 0;  // since the run began

  // Adds a month's flows, then throws sim::InvariantError unless came_in = left + `inside`,
  // the stream's patients at `month_end`.
  void close_month(std::int64_t in, std::int64_t out, std::int64_t inside, sim::Time month_end);
};

// Occupied beds at a month end within [0, the most beds the wards have had open], and each an
// inpatient's stay: a patient takes a bed only when one is free, and keeps it (never more
// than one) until discharged. Throws sim::InvariantError otherwise.
void check_beds(std::int64_t occupied, std::int64_t stays, int most_open, sim::Time month_end);

}  // namespace breachsim::models
