// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "sim/config.hpp"

// The entry point the config fuzzer (fuzz/fuzz_config.cpp) and the regression test
// (tests/test_fuzz_regressions.cpp) share: a config file's bytes through what
// `breachsim validate FILE` does (models::load_sweep), judged by the rules every input must
// keep. Bytes are never trusted: whatever they are, the result is a valid scenario or a
// ConfigError whose problems are placed, never another exception, a crash or a hang.
namespace breachsim::fuzz {

struct ConfigVerdict {
  bool valid = false;                       // the bytes are a config that validates
  std::vector<sim::config::Issue> issues;   // its problems, when it does not
  std::string broken;                       // empty, or which rule the outcome broke: a bug
};

// Writes `bytes` to `<dir>/config.yaml` (dir: a private directory made once per process, so a
// preset path in the input finds nothing but the input itself) and validates that file.
ConfigVerdict validate_config_bytes(std::string_view bytes);

}  // namespace breachsim::fuzz
