// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <string>

// How much memory this process may use: the machine's, or less where a control group (a
// SLURM job's allocation, a container) or a resource limit (ulimit -v) says so. A run that
// would need more is refused before it starts rather than killed, or ended by
// std::bad_alloc, hours in.
namespace breachsim::sim {

struct MemoryLimit {
  std::uint64_t bytes = 0;  // 0: unknown (nothing could be read)
  std::string source;       // what sets it, for messages: "the machine's memory", "the control group's limit", ...
};

// The lowest of: physical memory; the memory control group's limit (cgroup v2 memory.max,
// v1 memory.limit_in_bytes) of this process; RLIMIT_AS and RLIMIT_DATA.
MemoryLimit memory_limit();

}  // namespace breachsim::sim
