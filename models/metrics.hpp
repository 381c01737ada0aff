// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstddef>
#include <string>

// The catalogue of outcome metrics: names, units and how trusts and months combine. The
// names are a contract with users' scripts (DESIGN.md); add, never rename.
namespace breachsim::models {

enum class Metric : std::size_t {
  ed_attendances,
  ed_breaches_4h,
  ed_mean_minutes,
  emergency_admissions,
  count
};

inline constexpr std::size_t metric_count = static_cast<std::size_t>(Metric::count);

struct MetricInfo {
  const char* name;
  const char* unit;
  const char* description;
  bool integer;        // stored as int64 counts, otherwise float64
  bool weighted_mean;  // across trusts and months: mean weighted by `weight`; else a sum
  Metric weight;
};

inline constexpr std::array<MetricInfo, metric_count> metric_catalogue = {{
    {"ed_attendances", "patients", "A&E attendances that ended (patient left the department) in the month", true, false, Metric::ed_attendances},
    {"ed_breaches_4h", "patients", "attendances that ended in the month after more than 240 minutes in the department", true, false, Metric::ed_attendances},
    {"ed_mean_minutes", "minutes", "mean time in department, arrival to departure, of attendances that ended in the month", false, true, Metric::ed_attendances},
    {"emergency_admissions", "patients", "A&E patients with a decision to admit, by the month they left A&E", true, false, Metric::emergency_admissions},
}};

inline const MetricInfo& info(Metric m) { return metric_catalogue[static_cast<std::size_t>(m)]; }
inline std::string aggregation_rule(const MetricInfo& m) {
  return m.weighted_mean ? std::string("mean weighted by ") + info(m.weight).name : std::string("sum");
}

}  // namespace breachsim::models
