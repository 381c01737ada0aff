// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <optional>
#include <string>

// Splitting a run's tasks among processes that share nothing (`run --shard K/N`), and putting
// the pieces back together (`merge`). Tasks are numbered replication-major, task = r * P + p
// (the order the runner writes them in), and shard k of N takes the contiguous block
// [k T / N, (k + 1) T / N) of the T = P R tasks: as even as whole tasks allow, and each
// shard's outcomes lie in its own chunks of the file (chunks are blocks of replications), so
// that merging reads each chunk from one shard only.
namespace breachsim::models {

struct Shard {
  std::size_t index = 0;  // 0-based; shown 1-based ("3/8")
  std::size_t count = 1;

  std::string text() const { return std::to_string(index + 1) + "/" + std::to_string(count); }
  // "shard-3-of-8", for file names.
  std::string file_tag() const { return "shard-" + std::to_string(index + 1) + "-of-" + std::to_string(count); }
  bool operator==(const Shard& o) const { return index == o.index && count == o.count; }
};

// "K/N" with 1 <= K <= N <= max_shards; otherwise nothing, and `error` says what is wrong.
std::optional<Shard> parse_shard(const std::string& text, std::string& error);

// The shard of `count` that runs task (p, r) of a run of `points` x `replications`.
std::size_t shard_of(std::size_t p, std::size_t r, std::size_t points, std::size_t replications, std::size_t count);

// The most shards a run is split into (which keeps the arithmetic below within 64 bits).
inline constexpr std::size_t max_shards = 1000000;

// The first task number of shard `index` of `count` among `tasks`, floor(index tasks / count)
// without overflow; shard_begin(count) = tasks.
inline std::size_t shard_begin(std::size_t index, std::size_t count, std::size_t tasks) {
  return index * (tasks / count) + index * (tasks % count) / count;
}

// `path` with the shard's tag before its extension: results/x.h5 -> results/x.shard-3-of-8.h5.
std::string shard_file_name(const std::string& path, const Shard& shard);

}  // namespace breachsim::models
