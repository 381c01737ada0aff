// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary bytes as a config file, through `breachsim validate`'s path
// (fuzz/config_input.hpp). A broken rule aborts, so libFuzzer keeps the input as a crash;
// scripts/sanitize runs it (README.md, "Tests"), and each crash it found is kept in
// tests/fuzz/regressions/, which test_fuzz_regressions replays in every build.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/config_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto verdict =
      breachsim::fuzz::validate_config_bytes(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!verdict.broken.empty()) {
    std::fprintf(stderr, "fuzz_config: %s\n", verdict.broken.c_str());
    std::abort();
  }
  return 0;
}
