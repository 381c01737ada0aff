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
  ed_left_230_240min,
  ed_trolley_waits_12h,
  emergency_admissions,
  beds_open,
  bed_occupancy,
  rtt_clock_starts,
  rtt_treated,
  rtt_left_untreated,
  rtt_waiting,
  rtt_over_18w,
  rtt_over_52w,
  elective_admissions,
  elective_cancellations,
  elective_rebooked_late_28d,
  readmissions_30d,
  readmissions_30d_after_elective,
  early_discharges,
  staff_substantive_wte,
  staff_agency_wte,
  ambulance_handovers_30_60min,
  ambulance_handovers_over_60min,
  cancer_referrals,
  cancer_diagnosed,
  cancer_treated,
  cancer_breaches_62d,
  cancer_surgical_cancellations,
  cancer_repeat_cancellations,
  cancer_on_pathway,
  cancer_over_62d_on_pathway,
  count
};

inline constexpr std::size_t metric_count = static_cast<std::size_t>(Metric::count);

// How values combine: counts add up; levels (beds open) add across trusts but average over
// months; rates and means average, weighted by the metric they are a rate or mean of.
enum class Combine : std::uint8_t { sum, mean, weighted_mean };

struct MetricInfo {
  const char* name;
  const char* unit;
  const char* description;
  bool integer;  // stored as int64 counts, otherwise float64
  Combine across_trusts;
  Combine over_months;
  Metric weight;  // for weighted_mean
};

inline constexpr std::array<MetricInfo, metric_count> metric_catalogue = {{
    {"ed_attendances", "patients", "A&E attendances that ended (patient left the department) in the month", true,
     Combine::sum, Combine::sum, Metric::ed_attendances},
    {"ed_breaches_4h", "patients", "attendances that ended in the month after more than 240 minutes in the department",
     true, Combine::sum, Combine::sum, Metric::ed_attendances},
    {"ed_mean_minutes", "minutes", "mean time in department, arrival to departure, of attendances that ended in the month",
     false, Combine::weighted_mean, Combine::weighted_mean, Metric::ed_attendances},
    {"ed_left_230_240min", "patients", "attendances that ended in the ten minutes before the 4-hour line (the spike of target chasing)",
     true, Combine::sum, Combine::sum, Metric::ed_attendances},
    {"ed_trolley_waits_12h", "patients",
     "patients admitted from A&E in the month more than 12 hours after the decision to admit", true, Combine::sum,
     Combine::sum, Metric::ed_attendances},
    {"emergency_admissions", "patients", "A&E patients admitted to a general and acute bed in the month", true,
     Combine::sum, Combine::sum, Metric::emergency_admissions},
    {"beds_open", "beds", "general and acute beds open, time-averaged over the month", false, Combine::sum,
     Combine::mean, Metric::beds_open},
    {"bed_occupancy", "fraction", "occupied bed-time over open bed-time in the month (above 1 when beds close under patients)",
     false, Combine::weighted_mean, Combine::weighted_mean, Metric::beds_open},
    {"rtt_clock_starts", "patients", "RTT referrals (clocks started) in the month", true, Combine::sum, Combine::sum,
     Metric::rtt_clock_starts},
    {"rtt_treated", "patients", "RTT clocks stopped by treatment in the month, admitted and non-admitted", true,
     Combine::sum, Combine::sum, Metric::rtt_treated},
    {"rtt_left_untreated", "patients", "patients who left the waiting list untreated in the month", true, Combine::sum,
     Combine::sum, Metric::rtt_left_untreated},
    {"rtt_waiting", "patients", "incomplete RTT pathways at the month end (the waiting list)", true, Combine::sum,
     Combine::mean, Metric::rtt_waiting},
    {"rtt_over_18w", "patients", "incomplete pathways waiting more than 18 weeks (126 days) at the month end", true,
     Combine::sum, Combine::mean, Metric::rtt_waiting},
    {"rtt_over_52w", "patients", "incomplete pathways waiting more than 52 weeks (364 days) at the month end", true,
     Combine::sum, Combine::mean, Metric::rtt_waiting},
    {"elective_admissions", "patients", "planned admissions to a bed (admitted RTT pathways treated) in the month", true,
     Combine::sum, Combine::sum, Metric::elective_admissions},
    {"elective_cancellations", "operations", "planned operations cancelled on the day for want of a bed", true,
     Combine::sum, Combine::sum, Metric::elective_cancellations},
    {"elective_rebooked_late_28d", "patients",
     "patients treated in the month more than 28 days after their operation was cancelled", true, Combine::sum,
     Combine::sum, Metric::elective_rebooked_late_28d},
    {"readmissions_30d", "patients", "emergency readmissions within 30 days of a discharge, by the month they came back",
     true, Combine::sum, Combine::sum, Metric::readmissions_30d},
    {"readmissions_30d_after_elective", "patients",
     "of readmissions_30d, those after an elective stay (unpaid from April 2011)", true, Combine::sum, Combine::sum,
     Metric::readmissions_30d_after_elective},
    {"early_discharges", "patients", "inpatients discharged before time to free a bed for an emergency admission", true,
     Combine::sum, Combine::sum, Metric::early_discharges},
    {"staff_substantive_wte", "WTE", "substantive staff in post at the month start (A&E clinicians, ward nurses, theatre teams)",
     false, Combine::sum, Combine::mean, Metric::staff_substantive_wte},
    {"staff_agency_wte", "WTE", "agency staff covering vacancies and sickness at the month start", false, Combine::sum,
     Combine::mean, Metric::staff_agency_wte},
    {"ambulance_handovers_30_60min", "patients", "ambulance patients handed over 30 to 60 minutes after arrival (with ambulance_handover_delays on)",
     true, Combine::sum, Combine::sum, Metric::ambulance_handovers_30_60min},
    {"ambulance_handovers_over_60min", "patients", "ambulance patients handed over more than 60 minutes after arrival",
     true, Combine::sum, Combine::sum, Metric::ambulance_handovers_over_60min},
    {"cancer_referrals", "patients", "urgent suspected-cancer referrals in the month", true, Combine::sum, Combine::sum,
     Metric::cancer_referrals},
    {"cancer_diagnosed", "patients", "referred patients diagnosed with cancer in the month", true, Combine::sum,
     Combine::sum, Metric::cancer_diagnosed},
    {"cancer_treated", "patients", "first definitive cancer treatments in the month (surgical and not)", true,
     Combine::sum, Combine::sum, Metric::cancer_treated},
    {"cancer_breaches_62d", "patients", "of cancer_treated, more than 62 days from urgent referral to first treatment",
     true, Combine::sum, Combine::sum, Metric::cancer_treated},
    {"cancer_surgical_cancellations", "operations", "cancer operations cancelled on the day for want of a bed", true,
     Combine::sum, Combine::sum, Metric::cancer_surgical_cancellations},
    {"cancer_repeat_cancellations", "operations", "of those, a patient's second or later cancellation", true,
     Combine::sum, Combine::sum, Metric::cancer_repeat_cancellations},
    {"cancer_on_pathway", "patients", "patients on the cancer pathway, not yet treated or ruled out, at the month end",
     true, Combine::sum, Combine::mean, Metric::cancer_on_pathway},
    {"cancer_over_62d_on_pathway", "patients", "of those, referred more than 62 days before the month end", true,
     Combine::sum, Combine::mean, Metric::cancer_on_pathway},
}};

inline const MetricInfo& info(Metric m) { return metric_catalogue[static_cast<std::size_t>(m)]; }

inline std::string combine_rule(Combine c, const MetricInfo& m) {
  switch (c) {
    case Combine::sum: return "sum";
    case Combine::mean: return "mean";
    case Combine::weighted_mean: return std::string("mean weighted by ") + info(m.weight).name;
  }
  return "";
}
// How the national value is formed from the trusts' (the /metrics `aggregation` column).
inline std::string aggregation_rule(const MetricInfo& m) { return combine_rule(m.across_trusts, m); }

}  // namespace breachsim::models
