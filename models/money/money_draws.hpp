// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <cstdint>

#include "models/care/streams.hpp"
#include "sim/random.hpp"

namespace breachsim::models {

// What a trust's month-end draws are for (the low byte of their entity).
enum class FinanceDraw : std::uint64_t { cip = 1, coding_challenge = 2, arbitration = 3, cquin = 4 };

// One trust's random draws at one month end, keyed like every stream by (seed, replication,
// trust), so a trust's luck with its money is the same at every sweep point.
struct MoneyDraws {
  static constexpr std::uint64_t month_offset = 1u << 20;  // keeps warm-up-free month numbers positive in entities

  sim::StreamKey key;
  int month = 0;

  sim::RandomStream draw(FinanceDraw what) const {
    const std::uint64_t entity = ((static_cast<std::uint64_t>(month) + month_offset) << 8) | static_cast<std::uint64_t>(what);
    return sim::RandomStream(key, entity, purpose(Purpose::finance));
  }
  // Whether the commissioner waives scheme `scheme` this month is drawn from its own stream.
  sim::RandomStream waiver(std::size_t scheme) const {
    const std::uint64_t entity = ((static_cast<std::uint64_t>(month) + month_offset) << 16) | scheme;
    return sim::RandomStream(key, entity, purpose(Purpose::fine_waiver));
  }
};

}  // namespace breachsim::models
