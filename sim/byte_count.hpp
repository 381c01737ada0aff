// SPDX-License-Identifier: MIT
#pragma once
#include <cstdio>
#include <string>

namespace breachsim::sim {

// "1.9 GB", "480 MB", "12 kB", "300 bytes": decimal (SI) units, two or three significant
// figures, for messages about memory and disk.
inline std::string format_bytes(double bytes) {
  static const char* const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 5) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  const char* format = unit == 0 || bytes >= 1000 ? "%.0f %s" : bytes < 10 ? "%.2g %s" : "%.3g %s";
  std::snprintf(text, sizeof text, format, bytes, units[unit]);
  return text;
}

}  // namespace breachsim::sim
