// SPDX-License-Identifier: MIT
#include "sim/utf8.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace breachsim::sim {

// glibc's iconv decodes (it refuses overlong forms, surrogates and stray continuation bytes);
// only the position is wanted, so its output is discarded.
std::size_t invalid_utf8_at(const std::string& text) {
  const iconv_t cd = iconv_open("UTF-8", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv cannot convert UTF-8 here");
  char* in = const_cast<char*>(text.data());  // iconv's signature; it does not write the input
  std::size_t in_left = text.size();
  std::size_t bad = std::string::npos;
  char buffer[4096];
  while (in_left > 0) {
    char* out = buffer;
    std::size_t out_left = sizeof buffer;
    if (iconv(cd, &in, &in_left, &out, &out_left) == static_cast<std::size_t>(-1) && errno != E2BIG) {
      bad = static_cast<std::size_t>(in - text.data());
      break;
    }
  }
  iconv_close(cd);
  return bad;
}

std::string escape_invalid_utf8(const std::string& text) {
  std::string out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::string rest = text.substr(from);
    const std::size_t bad = invalid_utf8_at(rest);
    if (bad == std::string::npos) return out + rest;
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02X", static_cast<unsigned char>(rest[bad]));
    out += rest.substr(0, bad) + escaped;
    from += bad + 1;  // one byte at a time: the next may start a valid sequence
  }
  return out;
}

}  // namespace breachsim::sim
