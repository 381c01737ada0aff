// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/run/output.hpp"
#include "models/run/shard.hpp"

// `breachsim merge`: the files of a run split into shards (run --shard K/N) put back together
// into the file one process would have written. Every outcome dataset of the merged file is
// identical to that file's; only the volatile root attributes (the command line, the time, the
// threads) say it was made otherwise, and `merged_shards` how many shards it came from.
namespace breachsim::models {

// What merging needs to know of a shard's file, read from its root attributes and /progress.
struct ShardFile {
  std::string path;
  std::string shard_text;      // the root attribute `shard` ("3/8"); empty: none
  std::optional<Shard> shard;  // shard_text read
  std::string config_sha256, version, git_commit, command_line;
  std::uint64_t seed = 0;
  std::int64_t format_version = 0;
  std::size_t points = 0, replications = 0;
  std::vector<std::uint8_t> done;  // [point][replication]: 1 where the task is complete
};

// Throws sim::OutputError for a file that is not a breachsim result, sim::OutputDamaged for
// one HDF5 cannot read through, every chunk included (read in a child process).
ShardFile read_shard_file(const std::string& path);

// Why `shards` are not the complete set of one sharded run, one sentence per problem, or
// nothing when they are: every file a shard of the same split, each shard once, all of them
// there, written by the same config, seed, replications, points, file format and program,
// and each with all of its own tasks finished (else the command that completes it).
std::vector<std::string> shard_problems(const std::vector<ShardFile>& shards);

struct MergeTotals {
  SavedRun saved;                 // the merged run, as `breachsim summary` reads it
  std::size_t tasks = 0;
  std::uint64_t values_copied = 0;  // outcome values read from the shards and written
  std::uint64_t values_recoded = 0; // of which decoded and encoded again (chunks shared by two shards)
  std::uint64_t raw_chunks = 0;     // chunks copied as stored
  double seconds = 0.0;
};

// Writes `out` (replacing it only with `overwrite`) from `shards`, which shard_problems found
// complete: the layout and tables of the first, every task's outcomes from the shard that ran
// it (chunks only one shard wrote to as they are stored, the others value by value), /progress,
// and the /summary computed from the merged outcomes. Streams: one shard open at a time, and of
// it one chunk of one dataset in memory, so memory does not grow with the number or size of
// the shards. Until it is committed the
// file is a partial that is deleted on failure (a merge is quickly done again).
MergeTotals merge_shards(std::vector<ShardFile> shards, const std::string& out, bool overwrite,
                         const std::string& command_line);

}  // namespace breachsim::models
