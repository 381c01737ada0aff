// SPDX-License-Identifier: MIT
#pragma once
#include "models/ed.hpp"

namespace breachsim::models {

// One trust in one replication: a logical process with its own clock and event calendar,
// which no other trust touches between month ends, so trusts can advance in parallel.
class Trust {
 public:
  Trust(const EdSetup& ed, const sim::Calendar& calendar, const sim::StreamKey& key);

  // Runs every event before `month_end` and returns the month's A&E counts.
  EdMonth run_month(sim::Time month_end);

  // The engine's model callback (see sim::Simulator): routes an event to its department.
  void on_event(const TrustEvent& e, TrustSimulator& sim) { ed_.on_event(e, sim); }

  std::uint64_t events() const { return sim_.events_processed(); }
  const EmergencyDepartment& ed() const { return ed_; }

 private:
  TrustSimulator sim_;
  EmergencyDepartment ed_;
};

}  // namespace breachsim::models
