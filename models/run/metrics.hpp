// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "models/money/money_month.hpp"
#include "models/care/trust.hpp"

// The catalogue of outcome metrics: names, units and how trusts and months combine. The
// names are a contract with users' scripts (results/FORMAT.md); add, never rename.
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
  rtt_treated_over_18w,
  rtt_outpatient_treated,
  rtt_referrals_restricted,
  elective_day_cases,
  elective_inpatients,
  excess_bed_days,
  income_activity,
  income_other,
  income_incentives,
  readmission_nonpayment,
  coding_uplift,
  fines,
  fines_waived,
  fines_withheld,
  fines_reinvested,
  fines_pooled,
  fines_returned,
  pool_payouts,
  commissioner_payments,
  fund_unearned,
  cost_pay,
  cost_agency,
  cost_other,
  cip_savings,
  interest,
  surplus,
  cumulative_deficit,
  debt,
  cash,
  special_measures,
  cost_control_acting,
  protect_performance_acting,
  extra_theatre_sessions,
  referral_share,
  mixed_sex_breaches,
  rebooking_nonpayment,
  league_rank,
  league_segment,
  control_total_met,
  cip_delivered_share,
  turnaround_team,
  turnaround_cost,
  management_replaced,
  productivity_factor,
  recruitment_factor,
  capital_rewards,
  capital_committed,
  capital_invested,
  capital_beds,
  ed_present_at_end,
  ed_awaiting_handover_at_end,
  beds_occupied_at_end,
  delayed_transfers,
  delayed_transfer_days,
  rtt_referrals_deferred_at_end,
  beds_closed_infection,
  ed_trolley_waits_4_12h,
  rtt_not_yet_listed,
  rtt_lost_pathways,
  rtt_validated_off,
  cip_savings_productivity,
  cip_savings_capacity,
  cip_capacity_blocked,
  cip_establishment_cut_wte,
  count
};

inline constexpr std::size_t metric_count = static_cast<std::size_t>(Metric::count);

// How values combine: counts add up; levels (beds open) add across trusts but average over
// months; rates and means average, weighted by the metric they are a rate or mean of; stocks
// at a month end (cumulative deficit, debt) add across trusts and the run ends on the last.
enum class Combine : std::uint8_t { sum, mean, weighted_mean, last };

// What a metric is read from: one trust's month, clinical and money.
struct MonthOutcome {
  const TrustMonth& care;
  const MoneyMonth& money;
  double month_minutes;  // the month's length, for time averages
};
using MetricReader = double (*)(const MonthOutcome&);

constexpr double count(std::int64_t n) { return static_cast<double>(n); }
inline double staff_total(const TrustMonth& tm, double StaffLevel::*wte) {
  double total = 0.0;
  for (const StaffLevel& s : tm.staff) total += s.*wte;
  return total;
}

// One declaration per metric: its name, unit and meaning, how it combines, and where its
// value comes from, so adding a metric touches this file and the department that counts it.
struct MetricInfo {
  const char* name;
  const char* unit;
  const char* description;
  bool integer;  // stored as int64 counts, otherwise float64
  Combine across_trusts;
  Combine over_months;
  Metric weight;  // for weighted_mean
  MetricReader read;
};

inline constexpr std::array<MetricInfo, metric_count> metric_catalogue = {{
    {"ed_attendances", "patients", "A&E attendances that ended (patient left the department) in the month", true,
     Combine::sum, Combine::sum, Metric::ed_attendances,
     [](const MonthOutcome& o) { return count(o.care.ed.attendances); }},
    {"ed_breaches_4h", "patients", "attendances that ended in the month after more than 240 minutes in the department",
     true, Combine::sum, Combine::sum, Metric::ed_attendances,
     [](const MonthOutcome& o) { return count(o.care.ed.breaches_4h); }},
    {"ed_mean_minutes", "minutes", "mean time in department, arrival to departure, of attendances that ended in the month",
     false, Combine::weighted_mean, Combine::weighted_mean, Metric::ed_attendances,
     [](const MonthOutcome& o) {
       return o.care.ed.attendances > 0 ? o.care.ed.minutes_in_department / count(o.care.ed.attendances) : 0.0;
     }},
    {"ed_left_230_240min", "patients", "attendances that ended in the ten minutes before the 4-hour line (the spike of target chasing)",
     true, Combine::sum, Combine::sum, Metric::ed_attendances,
     [](const MonthOutcome& o) { return count(o.care.ed.left_230_240min); }},
    {"ed_trolley_waits_12h", "patients",
     "patients admitted from A&E in the month more than 12 hours after the decision to admit", true, Combine::sum,
     Combine::sum, Metric::ed_attendances,
     [](const MonthOutcome& o) { return count(o.care.ed.trolley_waits_12h); }},
    {"emergency_admissions", "patients", "A&E patients admitted to a general and acute bed in the month", true,
     Combine::sum, Combine::sum, Metric::emergency_admissions,
     [](const MonthOutcome& o) { return count(o.care.ed.admissions); }},
    {"beds_open", "beds", "general and acute beds open, time-averaged over the month", false, Combine::sum,
     Combine::mean, Metric::beds_open,
     [](const MonthOutcome& o) { return o.care.wards.open_bed_minutes / o.month_minutes; }},
    {"bed_occupancy", "fraction", "occupied bed-time over open bed-time in the month (above 1 when beds close under patients)",
     false, Combine::weighted_mean, Combine::weighted_mean, Metric::beds_open,
     [](const MonthOutcome& o) {
       return o.care.wards.open_bed_minutes > 0.0 ? o.care.wards.occupied_bed_minutes / o.care.wards.open_bed_minutes : 0.0;
     }},
    {"rtt_clock_starts", "patients", "RTT referrals (clocks started) in the month", true, Combine::sum, Combine::sum,
     Metric::rtt_clock_starts,
     [](const MonthOutcome& o) { return count(o.care.electives.clock_starts); }},
    {"rtt_treated", "patients", "RTT clocks stopped by treatment in the month, admitted and non-admitted", true,
     Combine::sum, Combine::sum, Metric::rtt_treated,
     [](const MonthOutcome& o) { return count(o.care.electives.treated); }},
    {"rtt_left_untreated", "patients", "patients who left the waiting list untreated in the month", true, Combine::sum,
     Combine::sum, Metric::rtt_left_untreated,
     [](const MonthOutcome& o) { return count(o.care.electives.left_untreated); }},
    {"rtt_waiting", "patients", "incomplete RTT pathways at the month end (the waiting list)", true, Combine::sum,
     Combine::mean, Metric::rtt_waiting,
     [](const MonthOutcome& o) { return count(o.care.electives.list.waiting); }},
    {"rtt_over_18w", "patients", "incomplete pathways waiting more than 18 weeks (126 days) at the month end", true,
     Combine::sum, Combine::mean, Metric::rtt_waiting,
     [](const MonthOutcome& o) { return count(o.care.electives.list.over_18w); }},
    {"rtt_over_52w", "patients", "incomplete pathways waiting more than 52 weeks (364 days) at the month end", true,
     Combine::sum, Combine::mean, Metric::rtt_waiting,
     [](const MonthOutcome& o) { return count(o.care.electives.list.over_52w); }},
    {"elective_admissions", "patients", "planned admissions to a bed (admitted RTT pathways treated) in the month", true,
     Combine::sum, Combine::sum, Metric::elective_admissions,
     [](const MonthOutcome& o) { return count(o.care.electives.admissions); }},
    {"elective_cancellations", "operations", "planned operations cancelled on the day for want of a bed", true,
     Combine::sum, Combine::sum, Metric::elective_cancellations,
     [](const MonthOutcome& o) { return count(o.care.electives.cancellations); }},
    {"elective_rebooked_late_28d", "patients",
     "patients treated in the month more than 28 days after their operation was cancelled", true, Combine::sum,
     Combine::sum, Metric::elective_rebooked_late_28d,
     [](const MonthOutcome& o) { return count(o.care.electives.rebooked_late); }},
    {"readmissions_30d", "patients", "emergency readmissions within 30 days of a discharge, by the month they came back",
     true, Combine::sum, Combine::sum, Metric::readmissions_30d,
     [](const MonthOutcome& o) { return count(o.care.ed.readmissions); }},
    {"readmissions_30d_after_elective", "patients",
     "of readmissions_30d, those after an elective stay (unpaid from April 2011)", true, Combine::sum, Combine::sum,
     Metric::readmissions_30d_after_elective,
     [](const MonthOutcome& o) { return count(o.care.ed.readmissions_after_elective); }},
    {"early_discharges", "patients", "inpatients discharged before time to free a bed for an emergency admission", true,
     Combine::sum, Combine::sum, Metric::early_discharges,
     [](const MonthOutcome& o) { return count(o.care.wards.early_discharges); }},
    {"staff_substantive_wte", "WTE", "substantive staff in post at the month start (A&E clinicians, ward nurses, theatre teams)",
     false, Combine::sum, Combine::mean, Metric::staff_substantive_wte,
     [](const MonthOutcome& o) { return staff_total(o.care, &StaffLevel::substantive_wte); }},
    {"staff_agency_wte", "WTE", "agency staff covering vacancies and sickness at the month start", false, Combine::sum,
     Combine::mean, Metric::staff_agency_wte,
     [](const MonthOutcome& o) { return staff_total(o.care, &StaffLevel::agency_wte); }},
    {"ambulance_handovers_30_60min", "patients", "ambulance patients handed over 30 to 60 minutes after arrival (with ambulance_handover_delays on)",
     true, Combine::sum, Combine::sum, Metric::ambulance_handovers_30_60min,
     [](const MonthOutcome& o) { return count(o.care.ed.handovers_30_60min); }},
    {"ambulance_handovers_over_60min", "patients", "ambulance patients handed over more than 60 minutes after arrival",
     true, Combine::sum, Combine::sum, Metric::ambulance_handovers_over_60min,
     [](const MonthOutcome& o) { return count(o.care.ed.handovers_over_60min); }},
    {"cancer_referrals", "patients", "urgent suspected-cancer referrals in the month", true, Combine::sum, Combine::sum,
     Metric::cancer_referrals,
     [](const MonthOutcome& o) { return count(o.care.cancer.referrals); }},
    {"cancer_diagnosed", "patients", "referred patients diagnosed with cancer in the month", true, Combine::sum,
     Combine::sum, Metric::cancer_diagnosed,
     [](const MonthOutcome& o) { return count(o.care.cancer.diagnosed); }},
    {"cancer_treated", "patients", "first definitive cancer treatments in the month (surgical and not)", true,
     Combine::sum, Combine::sum, Metric::cancer_treated,
     [](const MonthOutcome& o) { return count(o.care.cancer.treated); }},
    {"cancer_breaches_62d", "patients", "of cancer_treated, more than 62 days from urgent referral to first treatment",
     true, Combine::sum, Combine::sum, Metric::cancer_treated,
     [](const MonthOutcome& o) { return count(o.care.cancer.breaches_62d); }},
    {"cancer_surgical_cancellations", "operations", "cancer operations cancelled on the day for want of a bed", true,
     Combine::sum, Combine::sum, Metric::cancer_surgical_cancellations,
     [](const MonthOutcome& o) { return count(o.care.cancer.surgical_cancellations); }},
    {"cancer_repeat_cancellations", "operations", "of those, a patient's second or later cancellation", true,
     Combine::sum, Combine::sum, Metric::cancer_repeat_cancellations,
     [](const MonthOutcome& o) { return count(o.care.cancer.repeat_cancellations); }},
    {"cancer_on_pathway", "patients", "patients on the cancer pathway, not yet treated or ruled out, at the month end",
     true, Combine::sum, Combine::mean, Metric::cancer_on_pathway,
     [](const MonthOutcome& o) { return count(o.care.cancer.on_pathway); }},
    {"cancer_over_62d_on_pathway", "patients", "of those, referred more than 62 days before the month end", true,
     Combine::sum, Combine::mean, Metric::cancer_on_pathway,
     [](const MonthOutcome& o) { return count(o.care.cancer.over_62d_on_pathway); }},
    {"rtt_treated_over_18w", "patients", "of rtt_treated, clocks over 18 weeks when stopped (the 2014/15 admitted and non-admitted standards)",
     true, Combine::sum, Combine::sum, Metric::rtt_treated,
     [](const MonthOutcome& o) { return count(o.care.electives.treated_over_18w); }},
    {"rtt_outpatient_treated", "patients", "of rtt_treated, the non-admitted pathway (an outpatient attendance)", true,
     Combine::sum, Combine::sum, Metric::rtt_treated,
     [](const MonthOutcome& o) { return count(o.care.electives.outpatient_treated); }},
    {"rtt_referrals_restricted", "patients", "elective referrals a commissioner held back while restricting referrals after an overspend (they join the list, clock running from the referral, when the restriction lifts)",
     true, Combine::sum, Combine::sum, Metric::rtt_clock_starts,
     [](const MonthOutcome& o) { return count(o.care.electives.referrals_restricted); }},
    {"elective_day_cases", "patients", "planned admissions (routine and cancer surgery) discharged the same day", true,
     Combine::sum, Combine::sum, Metric::elective_day_cases,
     [](const MonthOutcome& o) { return count(o.care.wards.elective_day_cases); }},
    {"elective_inpatients", "patients", "planned admissions (routine and cancer surgery) with an overnight stay", true,
     Combine::sum, Combine::sum, Metric::elective_inpatients,
     [](const MonthOutcome& o) { return count(o.care.wards.elective_inpatients); }},
    {"excess_bed_days", "days", "bed days beyond the trim point of stays that ended in the month (paid as excess bed days)",
     false, Combine::sum, Combine::sum, Metric::excess_bed_days,
     [](const MonthOutcome& o) { return o.care.wards.excess_bed_days; }},
    {"income_activity", "GBP", "tariff income for the month's activity (or the block payment), net of unpaid readmissions and late rebookings, coding uplift included",
     false, Combine::sum, Combine::sum, Metric::income_activity,
     [](const MonthOutcome& o) { return o.money.income_activity; }},
    {"income_other", "GBP", "income for activity not simulated patient by patient", false, Combine::sum, Combine::sum,
     Metric::income_other,
     [](const MonthOutcome& o) { return o.money.income_other; }},
    {"income_incentives", "GBP", "incentive fund (quarterly, with year-end bonus and redistribution) and CQUIN", false,
     Combine::sum, Combine::sum, Metric::income_incentives,
     [](const MonthOutcome& o) { return o.money.income_incentives; }},
    {"readmission_nonpayment", "GBP", "tariff not paid for emergency readmissions within 30 days", false, Combine::sum,
     Combine::sum, Metric::readmission_nonpayment,
     [](const MonthOutcome& o) { return o.money.readmission_nonpayment; }},
    {"coding_uplift", "GBP", "of income_activity, the coding uplift kept after any challenge and arbitration", false,
     Combine::sum, Combine::sum, Metric::coding_uplift,
     [](const MonthOutcome& o) { return o.money.coding_uplift; }},
    {"fines", "GBP", "fines levied in the month, all schemes, after caps, waivers and suspensions", false, Combine::sum,
     Combine::sum, Metric::fines,
     [](const MonthOutcome& o) { return o.money.fines; }},
    {"fines_waived", "GBP", "fines assessed but waived by the commissioner, suspended for incentive-fund takers or cut by caps",
     false, Combine::sum, Combine::sum, Metric::fines_waived,
     [](const MonthOutcome& o) { return o.money.fines_waived; }},
    {"fines_withheld", "GBP", "of fines, kept by the commissioner", false, Combine::sum, Combine::sum, Metric::fines_withheld,
     [](const MonthOutcome& o) { return o.money.fines_withheld; }},
    {"fines_reinvested", "GBP", "of fines, to be returned to the trust after the scheme's lag", false, Combine::sum,
     Combine::sum, Metric::fines_reinvested,
     [](const MonthOutcome& o) { return o.money.fines_reinvested; }},
    {"fines_pooled", "GBP", "of fines, paid into a pool for trusts in deficit", false, Combine::sum, Combine::sum,
     Metric::fines_pooled,
     [](const MonthOutcome& o) { return o.money.fines_pooled; }},
    {"fines_returned", "GBP", "reinvested fines returned to the trust in the month", false, Combine::sum, Combine::sum,
     Metric::fines_returned,
     [](const MonthOutcome& o) { return o.money.fines_returned; }},
    {"pool_payouts", "GBP", "paid to the trust out of fine pools (quarterly, to trusts in deficit)", false, Combine::sum,
     Combine::sum, Metric::pool_payouts,
     [](const MonthOutcome& o) { return o.money.pool_payouts; }},
    {"commissioner_payments", "GBP", "paid by the trust's commissioner: activity income and CQUIN, with reinvested fines returned, less the fines it kept back (withheld, or reinvested and not yet returned); summed over a commissioner's trusts, its spending against its allocation",
     false, Combine::sum, Combine::sum, Metric::commissioner_payments,
     [](const MonthOutcome& o) { return o.money.commissioner_payment; }},
    {"fund_unearned", "GBP", "incentive-fund allocation the trust did not earn in the quarter", false, Combine::sum,
     Combine::sum, Metric::fund_unearned,
     [](const MonthOutcome& o) { return o.money.fund_unearned; }},
    {"cost_pay", "GBP", "substantive pay: the modelled staff groups and all other staff", false, Combine::sum,
     Combine::sum, Metric::cost_pay,
     [](const MonthOutcome& o) { return o.money.cost_pay; }},
    {"cost_agency", "GBP", "agency staff at the (capped) premium", false, Combine::sum, Combine::sum, Metric::cost_agency,
     [](const MonthOutcome& o) { return o.money.cost_agency; }},
    {"cost_other", "GBP", "activity, fixed and extra-session costs, less cost improvement savings", false, Combine::sum,
     Combine::sum, Metric::cost_other,
     [](const MonthOutcome& o) { return o.money.cost_other; }},
    {"cip_savings", "GBP", "cost improvement programme savings delivered: cip_savings_productivity (taken off cost_other) plus cip_savings_capacity (fewer posts, already in cost_pay and cost_agency)", false,
     Combine::sum, Combine::sum, Metric::cip_savings,
     [](const MonthOutcome& o) { return o.money.cip_savings; }},
    {"interest", "GBP", "interest charged on loans", false, Combine::sum, Combine::sum, Metric::interest,
     [](const MonthOutcome& o) { return o.money.interest; }},
    {"surplus", "GBP", "income less costs, fines and interest (negative: deficit)", false, Combine::sum, Combine::sum,
     Metric::surplus,
     [](const MonthOutcome& o) { return o.money.surplus; }},
    {"cumulative_deficit", "GBP", "deficit accumulated since the first reported month, at the month end (negative: a cumulative surplus)",
     false, Combine::sum, Combine::last, Metric::cumulative_deficit,
     [](const MonthOutcome& o) { return o.money.cumulative_deficit; }},
    {"debt", "GBP", "revolving and long-term loans at the month end", false, Combine::sum, Combine::last, Metric::debt,
     [](const MonthOutcome& o) { return o.money.debt; }},
    {"cash", "GBP", "cash at the month end", false, Combine::sum, Combine::last, Metric::cash,
     [](const MonthOutcome& o) { return o.money.cash; }},
    {"special_measures", "fraction", "1 in a month in financial special measures (the penal interest rate)", false,
     Combine::mean, Combine::mean, Metric::special_measures,
     [](const MonthOutcome& o) { return o.money.special_measures ? 1.0 : 0.0; }},
    {"cost_control_acting", "fraction", "1 in a month whose capacity the cost_control policy cut", false, Combine::mean,
     Combine::mean, Metric::cost_control_acting,
     [](const MonthOutcome& o) { return o.money.acting.cost_control ? 1.0 : 0.0; }},
    {"protect_performance_acting", "fraction", "1 in a month whose capacity the protect_performance policy raised", false,
     Combine::mean, Combine::mean, Metric::protect_performance_acting,
     [](const MonthOutcome& o) { return o.money.acting.protect_performance ? 1.0 : 0.0; }},
    {"extra_theatre_sessions", "sessions", "theatre sessions bought beyond the plan (returned fines, protect_performance)",
     false, Combine::sum, Combine::sum, Metric::extra_theatre_sessions,
     [](const MonthOutcome& o) { return o.money.extra_sessions; }},
    {"referral_share", "fraction", "share of elective referrals the commissioner let through", false, Combine::mean,
     Combine::mean, Metric::referral_share,
     [](const MonthOutcome& o) { return o.money.referral_share; }},
    {"mixed_sex_breaches", "patient-days", "patient-days in mixed-sex accommodation (emergency patients given the last free bed in a bay of the other sex)",
     false, Combine::sum, Combine::sum, Metric::mixed_sex_breaches,
     [](const MonthOutcome& o) { return o.care.wards.mixed_sex_days; }},
    {"rebooking_nonpayment", "GBP", "tariff not paid for operations done more than 28 days after a cancellation (already left out of income_activity)",
     false, Combine::sum, Combine::sum, Metric::rebooking_nonpayment,
     [](const MonthOutcome& o) { return o.money.rebooking_nonpayment; }},
    {"league_rank", "rank", "the trust's place in the latest quarterly league table (1 = best; 0 before the first or without one); nationally the mean",
     false, Combine::mean, Combine::last, Metric::league_rank,
     [](const MonthOutcome& o) { return o.money.league_rank; }},
    {"league_segment", "segment", "the trust's oversight segment in the latest league table (1 best to 4, 5 intensive support; 0 before the first or without one); nationally the mean",
     false, Combine::mean, Combine::last, Metric::league_segment,
     [](const MonthOutcome& o) { return o.money.league_segment; }},
    {"control_total_met", "fraction", "1 if the trust's financial year-to-date surplus is at least its control total for the months so far (the plan delivered to date; in a year's last month, the year's plan); nationally the share of trusts",
     false, Combine::mean, Combine::last, Metric::control_total_met,
     [](const MonthOutcome& o) { return o.money.control_total_met ? 1.0 : 0.0; }},
    {"cip_delivered_share", "fraction", "share of this financial year's cost improvement target the trust delivers, less the capacity part the safe-staffing floors kept (1: the plan in full; 1 - this: the share not delivered)",
     false, Combine::mean, Combine::mean, Metric::cip_delivered_share,
     [](const MonthOutcome& o) { return o.money.cip_delivered_share; }},
    {"turnaround_team", "trust-months", "1 in a month a regulator's turnaround team works in the trust; nationally the number of trusts",
     false, Combine::sum, Combine::sum, Metric::turnaround_team,
     [](const MonthOutcome& o) { return o.money.turnaround_team ? 1.0 : 0.0; }},
    {"turnaround_cost", "GBP", "what the trust pays for its turnaround team (already in cost_other)", false, Combine::sum,
     Combine::sum, Metric::turnaround_cost,
     [](const MonthOutcome& o) { return o.money.turnaround_cost; }},
    {"management_replaced", "replacements", "1 in the month the regulator replaces a persistently failing trust's management",
     true, Combine::sum, Combine::sum, Metric::management_replaced,
     [](const MonthOutcome& o) { return o.money.management_replaced ? 1.0 : 0.0; }},
    {"productivity_factor", "factor", "how fast staff work relative to the configured trust (turnaround teams, management disruption and its effect): A&E treatment times are divided and theatre lists multiplied by it",
     false, Combine::mean, Combine::mean, Metric::productivity_factor,
     [](const MonthOutcome& o) { return o.money.productivity_factor; }},
    {"recruitment_factor", "factor", "the month's recruitment relative to the configured rate (below 1: the league table's naming and shaming)",
     false, Combine::mean, Combine::mean, Metric::recruitment_factor,
     [](const MonthOutcome& o) { return o.money.recruitment_factor; }},
    {"capital_rewards", "GBP", "capital awarded by the regulator for performance or improvement", false, Combine::sum,
     Combine::sum, Metric::capital_rewards,
     [](const MonthOutcome& o) { return o.money.capital_rewards; }},
    {"capital_committed", "GBP", "the trust's own surplus committed to capital under the freedoms of segment 1", false,
     Combine::sum, Combine::sum, Metric::capital_committed,
     [](const MonthOutcome& o) { return o.money.capital_committed; }},
    {"capital_invested", "GBP", "capital spent on beds in the month (rewards and committed surplus, after their lag); own surplus spent leaves cash",
     false, Combine::sum, Combine::sum, Metric::capital_invested,
     [](const MonthOutcome& o) { return o.money.capital_invested; }},
    {"capital_beds", "beds", "beds opened with capital so far, staffed and run on top of those the nurses open", false,
     Combine::sum, Combine::last, Metric::capital_beds,
     [](const MonthOutcome& o) { return o.money.capital_beds; }},
    {"ed_present_at_end", "patients", "patients still in A&E at the month end (waiting, in treatment or waiting for a bed); the run's value is its last month's, so an overload is never hidden",
     true, Combine::sum, Combine::last, Metric::ed_present_at_end,
     [](const MonthOutcome& o) { return count(o.care.ed.present_at_end); }},
    {"ed_awaiting_handover_at_end", "patients", "ambulance patients still waiting to be handed over at the month end (with ambulance_handover_delays on)",
     true, Combine::sum, Combine::last, Metric::ed_awaiting_handover_at_end,
     [](const MonthOutcome& o) { return count(o.care.ed.awaiting_handover_at_end); }},
    {"beds_occupied_at_end", "patients", "inpatients in a general and acute bed at the month end", true, Combine::sum,
     Combine::last, Metric::beds_occupied_at_end,
     [](const MonthOutcome& o) { return count(o.care.wards.occupied_at_end); }},
    {"delayed_transfers", "patients", "emergency stays that ended in the month after a delayed transfer of care (the patient fit to leave, waiting for social care)",
     true, Combine::sum, Combine::sum, Metric::delayed_transfers,
     [](const MonthOutcome& o) { return count(o.care.wards.delayed_transfers); }},
    {"delayed_transfer_days", "days", "bed days those delays took (counted in the month the stay ended, as excess bed days are)",
     false, Combine::sum, Combine::sum, Metric::delayed_transfer_days,
     [](const MonthOutcome& o) { return o.care.wards.delayed_transfer_days; }},
    {"rtt_referrals_deferred_at_end", "patients", "referrals held back by a commissioner's restriction and not yet on the list at the month end; the run's value is its last month's, so no patient is hidden",
     true, Combine::sum, Combine::last, Metric::rtt_referrals_deferred_at_end,
     [](const MonthOutcome& o) { return count(o.care.electives.referrals_deferred_at_end); }},
    {"beds_closed_infection", "beds", "general and acute beds closed to infection (norovirus), time-averaged over the month; beds_open excludes them",
     false, Combine::sum, Combine::mean, Metric::beds_closed_infection,
     [](const MonthOutcome& o) { return o.care.wards.infection_closed_bed_minutes / o.month_minutes; }},
    {"ed_trolley_waits_4_12h", "patients",
     "patients admitted from A&E in the month more than 4 and at most 12 hours after the decision to admit (over 12: ed_trolley_waits_12h)",
     true, Combine::sum, Combine::sum, Metric::emergency_admissions,
     [](const MonthOutcome& o) { return count(o.care.ed.trolley_waits_4_12h); }},
    {"rtt_not_yet_listed", "patients",
     "of rtt_waiting, patients not yet on a treatment list at the month end: in the earlier stages of the pathway (appointments, tests, decisions) or lost",
     true, Combine::sum, Combine::mean, Metric::rtt_waiting,
     [](const MonthOutcome& o) { return count(o.care.electives.list.held); }},
    {"rtt_lost_pathways", "patients", "of rtt_not_yet_listed, pathways lost to administration and not yet found at the month end",
     true, Combine::sum, Combine::mean, Metric::rtt_waiting,
     [](const MonthOutcome& o) { return count(o.care.electives.list.lost); }},
    {"rtt_validated_off", "patients", "of rtt_left_untreated, patients removed from the list when validated", true,
     Combine::sum, Combine::sum, Metric::rtt_left_untreated,
     [](const MonthOutcome& o) { return count(o.care.electives.validated_off); }},
    {"cip_savings_productivity", "GBP", "of cip_savings, the non-pay part (procurement, drugs, estates), taken off cost_other with no effect on care",
     false, Combine::sum, Combine::sum, Metric::cip_savings_productivity,
     [](const MonthOutcome& o) { return o.money.cip_savings_productivity; }},
    {"cip_savings_capacity", "GBP", "of cip_savings, the pay part: a month's pay at substantive rates of the posts taken out of the establishment (costs.cip_capacity_share); not subtracted: cost_pay and cost_agency fall as fewer staff are paid, the substantive part as turnover takes them",
     false, Combine::sum, Combine::sum, Metric::cip_savings_capacity,
     [](const MonthOutcome& o) { return o.money.cip_savings_capacity; }},
    {"cip_capacity_blocked", "GBP", "a month of the planned capacity savings the safe-staffing floors kept from being taken: not delivered",
     false, Combine::sum, Combine::sum, Metric::cip_capacity_blocked,
     [](const MonthOutcome& o) { return o.money.cip_capacity_blocked; }},
    {"cip_establishment_cut_wte", "WTE", "posts cost improvement took out of the modelled groups' establishment in the month (A&E clinicians, ward nurses, theatre teams)",
     false, Combine::sum, Combine::mean, Metric::cip_establishment_cut_wte,
     [](const MonthOutcome& o) { return o.money.cip_establishment_cut_wte; }},
}};

inline const MetricInfo& info(Metric m) { return metric_catalogue[static_cast<std::size_t>(m)]; }

// Headings for printed summaries: the catalogue grows by appending, so its order alone does
// not group related metrics. Every metric belongs to exactly one section (checked below).
struct MetricSection {
  const char* title;
  std::size_t size;
  std::array<Metric, 24> metrics;
};

inline constexpr std::array<MetricSection, 9> metric_sections = {{
    {"A&E and beds", 22,
     {Metric::ed_attendances, Metric::ed_breaches_4h, Metric::ed_mean_minutes, Metric::ed_left_230_240min,
      Metric::ed_trolley_waits_12h, Metric::ed_trolley_waits_4_12h, Metric::ambulance_handovers_30_60min, Metric::ambulance_handovers_over_60min,
      Metric::emergency_admissions, Metric::readmissions_30d, Metric::readmissions_30d_after_elective, Metric::beds_open,
      Metric::bed_occupancy, Metric::early_discharges, Metric::excess_bed_days, Metric::mixed_sex_breaches,
      Metric::ed_present_at_end, Metric::ed_awaiting_handover_at_end, Metric::beds_occupied_at_end,
      Metric::delayed_transfers, Metric::delayed_transfer_days, Metric::beds_closed_infection}},
    {"Planned care (referral to treatment)", 20,
     {Metric::rtt_clock_starts, Metric::referral_share, Metric::rtt_referrals_restricted,
      Metric::rtt_referrals_deferred_at_end, Metric::rtt_treated, Metric::rtt_treated_over_18w,
      Metric::rtt_outpatient_treated, Metric::rtt_left_untreated, Metric::rtt_validated_off, Metric::rtt_waiting,
      Metric::rtt_over_18w, Metric::rtt_over_52w, Metric::rtt_not_yet_listed, Metric::rtt_lost_pathways,
      Metric::elective_admissions, Metric::elective_day_cases, Metric::elective_inpatients,
      Metric::elective_cancellations, Metric::elective_rebooked_late_28d, Metric::extra_theatre_sessions}},
    {"Cancer (62 days)", 8,
     {Metric::cancer_referrals, Metric::cancer_diagnosed, Metric::cancer_treated, Metric::cancer_breaches_62d,
      Metric::cancer_on_pathway, Metric::cancer_over_62d_on_pathway, Metric::cancer_surgical_cancellations,
      Metric::cancer_repeat_cancellations}},
    {"Staff", 3, {Metric::staff_substantive_wte, Metric::staff_agency_wte, Metric::cip_establishment_cut_wte}},
    {"Income", 8,
     {Metric::income_activity, Metric::income_other, Metric::income_incentives, Metric::fund_unearned,
      Metric::coding_uplift, Metric::readmission_nonpayment, Metric::rebooking_nonpayment,
      Metric::commissioner_payments}},
    {"Fines", 7,
     {Metric::fines, Metric::fines_waived, Metric::fines_withheld, Metric::fines_reinvested, Metric::fines_pooled,
      Metric::fines_returned, Metric::pool_payouts}},
    {"Costs and balance sheet", 12,
     {Metric::cost_pay, Metric::cost_agency, Metric::cost_other, Metric::cip_savings, Metric::cip_savings_productivity,
      Metric::cip_savings_capacity, Metric::cip_capacity_blocked, Metric::interest, Metric::surplus,
      Metric::cumulative_deficit, Metric::debt, Metric::cash}},
    {"Management and plans", 5,
     {Metric::special_measures, Metric::cost_control_acting, Metric::protect_performance_acting,
      Metric::control_total_met, Metric::cip_delivered_share}},
    {"Oversight: league table and its consequences", 11,
     {Metric::league_rank, Metric::league_segment, Metric::turnaround_team, Metric::turnaround_cost,
      Metric::management_replaced, Metric::productivity_factor, Metric::recruitment_factor, Metric::capital_rewards,
      Metric::capital_committed, Metric::capital_invested, Metric::capital_beds}},
}};

constexpr bool every_metric_in_one_section() {
  for (std::size_t m = 0; m < metric_count; ++m) {
    int seen = 0;
    for (const MetricSection& s : metric_sections)
      for (std::size_t i = 0; i < s.size; ++i) seen += static_cast<std::size_t>(s.metrics[i]) == m ? 1 : 0;
    if (seen != 1) return false;
  }
  return true;
}
static_assert(every_metric_in_one_section(), "add the new metric to one of metric_sections");

inline std::string combine_rule(Combine c, const MetricInfo& m) {
  switch (c) {
    case Combine::sum: return "sum";
    case Combine::mean: return "mean";
    case Combine::weighted_mean: return std::string("mean weighted by ") + info(m.weight).name;
    case Combine::last: return "last";
  }
  return "";
}
// Combines value(i), i < n, under a rule; weight(i) matters only for weighted_mean. The one
// place where trusts combine into a nation and months into a run.
template <class Value, class Weight>
double combine_values(Combine rule, std::size_t n, Value&& value, Weight&& weight) {
  double total = 0.0, weights = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = rule == Combine::weighted_mean ? weight(i) : 1.0;
    total += value(i) * w;
    weights += w;
  }
  if (rule == Combine::sum) return total;
  if (rule == Combine::last) return n > 0 ? value(n - 1) : 0.0;
  return weights > 0.0 ? total / weights : 0.0;
}

// The metric named `name`, if the catalogue has one.
inline std::optional<Metric> metric_by_name(std::string_view name) {
  for (std::size_t m = 0; m < metric_count; ++m)
    if (name == metric_catalogue[m].name) return static_cast<Metric>(m);
  return std::nullopt;
}

// How the national value is formed from the trusts' (the /metrics `aggregation` column).
inline std::string aggregation_rule(const MetricInfo& m) { return combine_rule(m.across_trusts, m); }

}  // namespace breachsim::models
