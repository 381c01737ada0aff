// SPDX-License-Identifier: MIT
#include "sim/memory_limit.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace breachsim::sim {

namespace {

// A limit file's value: a number of bytes, or "max" (none). Kernels write "no limit" in v1 as
// a huge page-rounded number, so anything past 2^60 counts as none.
std::uint64_t read_limit(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return 0;
  std::uint64_t value = 0;
  std::istringstream(text) >> value;
  return value >= (std::uint64_t{1} << 60) ? 0 : value;
}

// The memory controller's limit of this process's group. /proc/self/cgroup names the group
// ("0::/slurm/uid_0/job_12" in v2, "4:memory:/docker/ab12" in v1); inside a container the
// group's own directory is usually mounted as the root, so that is tried too.
std::uint64_t control_group_limit() {
  std::ifstream in("/proc/self/cgroup");
  std::string line, v2, v1;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) v2 = line.substr(3);
    const auto at = line.find(":memory:");
    if (at != std::string::npos) v1 = line.substr(at + 8);
  }
  const std::string candidates[] = {
      "/sys/fs/cgroup" + v2 + "/memory.max", "/sys/fs/cgroup/memory.max",
      "/sys/fs/cgroup/memory" + v1 + "/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
  std::uint64_t lowest = 0;
  for (const std::string& path : candidates) {
    const std::uint64_t value = read_limit(path);
    if (value > 0 && (lowest == 0 || value < lowest)) lowest = value;
  }
  return lowest;
}

std::uint64_t resource_limit(int resource) {
  struct rlimit limit {};
  if (::getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace

MemoryLimit memory_limit() {
  MemoryLimit limit;
  const auto lower = [&limit](std::uint64_t bytes, const char* source) {
    if (bytes > 0 && (limit.bytes == 0 || bytes < limit.bytes)) limit = {bytes, source};
  };
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) lower(static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page), "the machine's memory");
  lower(control_group_limit(), "the control group's memory limit (a batch job's allocation or a container's)");
  lower(resource_limit(RLIMIT_AS), "the address-space limit (ulimit -v)");
  lower(resource_limit(RLIMIT_DATA), "the data-segment limit (ulimit -d)");
  return limit;
}

}  // namespace breachsim::sim
