// SPDX-License-Identifier: MIT
#pragma once
#include <string>

namespace breachsim::sim {

// SHA-256 (FIPS 180-4) of a byte string, as 64 lower-case hex digits. Used for the
// config_sha256 provenance attribute, so it must match `sha256sum` on every platform.
std::string sha256_hex(const std::string& data);

}  // namespace breachsim::sim
