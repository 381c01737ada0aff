// SPDX-License-Identifier: MIT
#include "models/trust.hpp"

namespace breachsim::models {

Trust::Trust(const EdSetup& ed, const sim::Calendar& calendar, const sim::StreamKey& key)
    : ed_(ed, calendar, key) {
  sim_.reserve(1024);
  ed_.start(sim_);
}

EdMonth Trust::run_month(sim::Time month_end) {
  sim_.run_until(month_end, *this);
  return ed_.close_month(month_end);
}

}  // namespace breachsim::models
