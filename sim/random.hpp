// SPDX-License-Identifier: MIT
#pragma once
#include <Random123/philox.h>

#include <cstdint>

// Counter-based random streams (Philox4x64-10, Salmon et al. 2011). A stream is named by
// who draws and what for, never by which thread runs it:
//   key     = (master seed, replication << 32 | unit)          unit: e.g. a trust index
//   counter = (entity, purpose, block of four draws, 0)        entity: e.g. a patient number
// so patient n of trust t in replication r sees the same numbers at every sweep point and on
// any thread. Draws are produced four at a time and consumed in order.
namespace breachsim::sim {

struct StreamKey {
  std::uint64_t seed = 0;
  std::uint32_t replication = 0;
  std::uint32_t unit = 0;
};

class RandomStream {
 public:
  using Philox = r123::Philox4x64;

  RandomStream(const StreamKey& key, std::uint64_t entity, std::uint64_t purpose) {
    key_ = Philox::key_type{{key.seed, (std::uint64_t{key.replication} << 32) | key.unit}};
    counter_ = Philox::ctr_type{{entity, purpose, 0, 0}};
  }

  // Streams are values handed to their one owner; copying one would replay its numbers.
  RandomStream(const RandomStream&) = delete;
  RandomStream& operator=(const RandomStream&) = delete;
  RandomStream(RandomStream&&) noexcept = default;
  RandomStream& operator=(RandomStream&&) noexcept = default;

  std::uint64_t next_u64() {
    if (used_ == 4) refill();
    return block_[used_++];
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1]: safe to take the logarithm of.
  double uniform_positive() { return static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53; }

  std::uint64_t draws() const { return counter_.v[2] * 4 - (4 - used_); }

 private:
  void refill() {
    block_ = Philox()(counter_, key_);
    ++counter_.v[2];
    used_ = 0;
  }

  Philox::key_type key_{};
  Philox::ctr_type counter_{};
  Philox::ctr_type block_{};
  unsigned used_ = 4;
};

}  // namespace breachsim::sim
