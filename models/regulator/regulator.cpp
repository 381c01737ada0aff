// SPDX-License-Identifier: MIT
#include "models/regulator/regulator.hpp"

namespace breachsim::models {

void check_regulator(const RegulatorParams& p, const std::string& path, sim::config::Diagnostics& d) {
  check_agency_rules(p.agency, path + ".agency", d);
  check_league_table(p.league_table, path + ".league_table", d);
  check_consequences(p.turnaround, p.management_replacement, p.recruitment_penalty, p.capital_freedom,
                     p.capital_rewards, path, d);
  // Segments come only from the league table: without it these would silently never act.
  const std::pair<const char*, bool> needs_segments[] = {{"turnaround", p.turnaround.enabled},
                                                         {"management_replacement", p.management_replacement.enabled},
                                                         {"recruitment_penalty", p.recruitment_penalty.enabled},
                                                         {"capital_freedom", p.capital_freedom.enabled}};
  for (const auto& [key, enabled] : needs_segments)
    if (enabled && !p.league_table.enabled)
      d.error_at(path + "." + key + ".enabled",
                 "acts on league-table segments: also set " + path + ".league_table.enabled: true");
}

}  // namespace breachsim::models
