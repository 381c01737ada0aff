// SPDX-License-Identifier: MIT
#include "models/care/conservation.hpp"

#include <string>

#include "sim/invariant.hpp"

namespace breachsim::models {

void PatientStream::close_month(std::int64_t in, std::int64_t out, std::int64_t inside, sim::Time month_end) {
  came_in += in;
  left += out;
  if (came_in == left + inside && inside >= 0) return;
  sim::invariant_failed(std::string("patients not conserved in ") + name + ": " + std::to_string(came_in) + " came in (" +
                            came_in_as + ") since the run began, " + std::to_string(left) + " " + left_as + ", " +
                            std::to_string(inside) + " still in at the month end, so " +
                            std::to_string(came_in - left - inside) + " unaccounted for",
                        month_end);
}

void check_beds(std::int64_t occupied, std::int64_t stays, int most_open, sim::Time month_end) {
  if (occupied >= 0 && occupied <= most_open && stays == occupied) return;
  sim::invariant_failed("beds out of range: " + std::to_string(occupied) + " occupied at the month end, " +
                            std::to_string(stays) + " inpatient stays, at most " + std::to_string(most_open) +
                            " beds ever open (occupied must be within [0, beds open] and equal the stays)",
                        month_end);
}

}  // namespace breachsim::models
