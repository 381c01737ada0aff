// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <string_view>

// Every object path of a result file, in one place (results/FORMAT.md is its specification):
// the writer, the reader and run control name datasets only through these.
namespace breachsim::models::layout {

inline constexpr const char* root = "/";  // the root attributes
inline constexpr const char* config = "/config";
inline constexpr const char* points = "/points";
inline constexpr const char* trusts = "/trusts";
inline constexpr const char* months = "/months";
inline constexpr const char* metrics = "/metrics";
inline constexpr const char* schemes = "/schemes";
inline constexpr const char* progress = "/progress";
inline constexpr const char* outcomes = "/outcomes";
inline constexpr const char* summary = "/summary";
// [point][replication], GBP: the point's sanctions levied on the baseline point's breaches of
// that replication, over the run, all trusts (NaN until the baseline's task has run).
inline constexpr const char* first_round_levy = "/outcomes/first_round_levy";
inline constexpr const char* national_run = "/summary/national_run";
inline constexpr const char* paired_differences = "/summary/paired_differences";
inline constexpr const char* multiplier = "/summary/multiplier";
inline constexpr const char* sensitivity = "/summary/sensitivity";
inline constexpr const char* sensitivity_convergence = "/summary/sensitivity_convergence";
inline constexpr const char* plan_delivery = "/summary/plan_delivery";
// One row per footprint member; the footprint dimension's order.
inline constexpr const char* footprints = "/footprints";
// [point][replication][footprint][month], GBP: each footprint's outturn and plan in the
// financial year to date.
inline constexpr const char* footprint_outturn = "/outcomes/footprint_month/outturn_to_date";
inline constexpr const char* footprint_plan = "/outcomes/footprint_month/plan_to_date";
inline constexpr const char* footprint_summary = "/summary/footprints";
inline constexpr const char* footprint_trusts_summary = "/summary/footprint_trusts";

// The dimension scales of the outcome datasets, named as their `dimensions` attributes name
// them: labelled (trust names, month start dates, footprint names) or, for point and
// replication, the indices. Below /outcomes, so every dataset under it sees them.
inline std::string dimension_scale(std::string_view dimension) { return "/outcomes/" + std::string(dimension); }
inline constexpr const char* dimension_names[] = {"point", "replication", "trust", "month", "footprint"};

// [point][replication][trust][month] of one metric.
inline std::string trust_month(std::string_view metric) { return "/outcomes/trust_month/" + std::string(metric); }
// [point][replication][month] of one metric.
inline std::string national_month(std::string_view metric) { return "/outcomes/national_month/" + std::string(metric); }
// [point][replication][trust][month], GBP levied by one scheme.
inline std::string scheme_fines(std::string_view scheme) { return "/outcomes/scheme_fines/" + std::string(scheme); }

}  // namespace breachsim::models::layout
