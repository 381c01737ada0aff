// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>

namespace breachsim::sim {

// Events at the same instant run in this order, then in the order they were scheduled.
// The one ordering policy of the engine: freeing comes before taking, so a server released
// at time t can serve a customer who arrives at t; observation comes after everything else,
// so a period closes only after every event of its last instant.
enum class Priority : std::uint8_t {
  release = 0,   // a resource is given back (treatment ends, patient leaves)
  capacity = 1,  // a roster or capacity change takes effect
  arrival = 2,   // something new enters the system
  seize = 3,     // a waiting customer tries to take a resource
  observe = 9,   // period ends, snapshots, settlement
};

}  // namespace breachsim::sim
