// SPDX-License-Identifier: MIT
// For tests that break an invariant on purpose: the report it throws.
#pragma once
#include <catch2/catch.hpp>

#include <string>

#include "sim/invariant.hpp"

// What `broken()` reports as InvariantError; fails the test if it throws nothing.
template <class Broken>
std::string report_of(Broken&& broken) {
  try {
    broken();
  } catch (const breachsim::sim::InvariantError& e) {
    return e.what();
  }
  FAIL("no InvariantError");
  return "";
}
