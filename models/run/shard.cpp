// SPDX-License-Identifier: MIT
#include "models/run/shard.hpp"

#include <charconv>
#include <filesystem>

namespace breachsim::models {

namespace {

bool whole_number(const std::string& text, std::size_t& value) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

std::optional<Shard> parse_shard(const std::string& text, std::string& error) {
  const std::size_t slash = text.find('/');
  std::size_t k = 0, n = 0;
  if (slash == std::string::npos || !whole_number(text.substr(0, slash), k) ||
      !whole_number(text.substr(slash + 1), n)) {
    error = "'" + text + "' is not a shard: write K/N, shard K of N counted from 1, such as 3/8";
    return std::nullopt;
  }
  if (n == 0 || k == 0 || k > n) {
    error = "'" + text + "': K must be from 1 to N (shard K of N)";
    return std::nullopt;
  }
  if (n > max_shards) {
    error = "'" + text + "': at most " + std::to_string(max_shards) + " shards";
    return std::nullopt;
  }
  return Shard{k - 1, n};
}

std::size_t shard_of(std::size_t p, std::size_t r, std::size_t points, std::size_t replications, std::size_t count) {
  const std::size_t tasks = points * replications;
  const std::size_t task = r * points + p;
  // The largest k with shard_begin(k) <= task, floor(((task + 1) N - 1) / T), within 64 bits
  // for N <= max_shards and T below 1.8e13 tasks.
  return ((task + 1) * count - 1) / tasks;
}

std::string shard_file_name(const std::string& path, const Shard& shard) {
  const std::filesystem::path p(path);
  const std::string stem = p.stem().string(), extension = p.extension().string();
  return (p.parent_path() / (stem + "." + shard.file_tag() + extension)).string();
}

}  // namespace breachsim::models
