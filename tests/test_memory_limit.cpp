// SPDX-License-Identifier: MIT
// The memory this process may use, and the sizes messages print.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "sim/byte_count.hpp"
#include "sim/memory_limit.hpp"

using namespace breachsim;

TEST_CASE("byte counts read in decimal units with two or three figures", "[memory]") {
  CHECK(sim::format_bytes(0) == "0 bytes");
  CHECK(sim::format_bytes(999) == "999 bytes");
  CHECK(sim::format_bytes(1500) == "1.5 kB");
  CHECK(sim::format_bytes(477e6) == "477 MB");
  CHECK(sim::format_bytes(1.94e9) == "1.9 GB");
  CHECK(sim::format_bytes(1.1529e18) == "1153 PB");  // past the last unit: whole numbers, never 1.15e+03
}

TEST_CASE("the memory limit is the lowest of the machine's, the control group's and the ulimits", "[memory]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // A sanitizer's runtime maps terabytes of shadow memory: under a 1 GB address-space limit its
  // next mapping fails and the process dies, whatever the code under test does.
  WARN("skipped in a sanitizer build: it lowers RLIMIT_AS below what the sanitizer has mapped");
  return;
#endif
  const sim::MemoryLimit machine = sim::memory_limit();
  REQUIRE(machine.bytes > 0);
  struct rlimit saved {};
  REQUIRE(getrlimit(RLIMIT_AS, &saved) == 0);
  // A soft limit below everything else becomes the limit, named as the ulimit it is.
  struct rlimit lower = saved;
  lower.rlim_cur = 1'000'000'000;
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < lower.rlim_cur) lower.rlim_cur = saved.rlim_max;
  REQUIRE(setrlimit(RLIMIT_AS, &lower) == 0);
  const sim::MemoryLimit limited = sim::memory_limit();
  REQUIRE(setrlimit(RLIMIT_AS, &saved) == 0);
  CHECK(limited.bytes == lower.rlim_cur);
  CHECK(limited.source == "the address-space limit (ulimit -v)");
  // Restored: back to what it was.
  CHECK(sim::memory_limit().bytes == machine.bytes);
}
