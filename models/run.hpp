// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "models/trust.hpp"
#include "models/metrics.hpp"
#include "models/scenario.hpp"

namespace breachsim::models {

// A scenario compiled for running: the calendar and every trust's derived tables, built
// once and shared read-only by all replications.
struct ScenarioSetup {
  explicit ScenarioSetup(const Scenario& s);
  Scenario scenario;
  sim::Calendar calendar;
  std::vector<TrustSetup> trust_setups;  // one per trust, in scenario order

  std::size_t trusts() const { return trust_setups.size(); }
  std::size_t months() const { return static_cast<std::size_t>(calendar.months()); }
};

// Outcomes of one replication, indexed [metric][trust][month].
struct ReplicationOutcome {
  std::vector<double> values;
  std::uint64_t events = 0;
};

ReplicationOutcome simulate_replication(const ScenarioSetup& setup, std::uint64_t seed, std::uint32_t replication);

// Every replication of a run. Slots are filled independently, so the result is the same
// whatever the number of threads.
struct RunOutcome {
  std::size_t replications = 0, trusts = 0, months = 0;
  std::vector<ReplicationOutcome> runs;

  double trust_month(Metric m, std::size_t r, std::size_t t, std::size_t month) const {
    return runs[r].values[(static_cast<std::size_t>(m) * trusts + t) * months + month];
  }
  double national_month(Metric m, std::size_t r, std::size_t month) const;
  // The whole run of one replication, combined across trusts and over months as the
  // metric catalogue says.
  double national_run(Metric m, std::size_t r) const;
  double trust_run(Metric m, std::size_t r, std::size_t t) const;
  std::uint64_t events() const;
};

// `on_done` is called (from worker threads, so it must be thread-safe) after each replication.
RunOutcome run_replications(const ScenarioSetup& setup, std::uint64_t seed, int replications, int threads,
                            const std::function<void()>& on_done = {});

}  // namespace breachsim::models
