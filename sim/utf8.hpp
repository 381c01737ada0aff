// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <string>

// UTF-8 checks for text bound for a result file: HDF5 stores strings as UTF-8 (results/FORMAT.md),
// and readers (h5py, pandas, R, xarray) fail to decode anything else.
namespace breachsim::sim {

// Where `text` stops being UTF-8: the offset of the first byte of the first invalid or
// incomplete sequence, or std::string::npos if it is all UTF-8.
std::size_t invalid_utf8_at(const std::string& text);

// `text` with each byte that is not part of valid UTF-8 written as `\xNN`: for text that must be
// kept whatever its encoding, such as a file name on the command line (Linux allows any bytes).
std::string escape_invalid_utf8(const std::string& text);

}  // namespace breachsim::sim
