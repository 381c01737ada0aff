// SPDX-License-Identifier: MIT
#pragma once
#include <string>

#include "models/money/balance_sheet.hpp"
#include "sim/config.hpp"

// A trust's money, month by month (docs/sources.md §4 and §7): what its commissioner pays for the
// activity the departments counted, what staff and activity cost, and the management
// policies that turn the resulting deficit back into capacity (§1, the feedback loop).
namespace breachsim::models {

struct PaymentParams {
  std::string payment = "activity";
  double ed_attendance_gbp = 148.0;
  double emergency_spell_gbp = 1590.0;
  double elective_spell_gbp = 3684.0;
  double day_case_gbp = 738.0;
  double outpatient_gbp = 120.0;
  double excess_bed_day_gbp = 313.0;
  double trim_point_days = 14.0;
  double emergency_baseline_per_month = 0.0;
  double marginal_rate = 0.7;
  bool unpaid_readmissions_after_elective = true;
  double unpaid_share_of_other_readmissions = 0.17;
  bool unpaid_late_rebookings = true;
  double block_gbp_per_year = 0.0;
  double other_income_gbp_per_year = 330e6;
  double coding_uplift_share = 0.0;
  double coding_challenge_probability = 0.5;
  double arbitration_upholds_trust_probability = 0.5;
  double cquin_share = 0.025;
  std::string cquin_earned_on = "probability";
  double cquin_earned_probability = 0.9;
  double cquin_standard = 0.95;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    const char* ref = "docs/sources.md §4: reference costs 2016/17 as a proxy for tariff";
    v.field("payment", payment,
            Doc{"", "activity: paid per unit of activity (Payment by Results); block: a fixed sum a month whatever the activity (2020-22 block contracts).",
                "docs/sources.md §4", {}, {}, {"activity", "block"}});
    v.field("ed_attendance_gbp", ed_attendance_gbp, Doc{"GBP", "Tariff per A&E attendance.", ref, Range::non_negative()});
    v.field("emergency_spell_gbp", emergency_spell_gbp,
            Doc{"GBP", "Tariff per emergency (non-elective) admission.", ref, Range::non_negative()});
    v.field("elective_spell_gbp", elective_spell_gbp,
            Doc{"GBP", "Tariff per planned admission with an overnight stay (routine or cancer surgery).", ref, Range::non_negative()});
    v.field("day_case_gbp", day_case_gbp,
            Doc{"GBP", "Tariff per planned day case, and per non-surgical first cancer treatment.", ref, Range::non_negative()});
    v.field("outpatient_gbp", outpatient_gbp,
            Doc{"GBP", "Tariff per outpatient attendance that stops an RTT clock (non-admitted pathway).", ref, Range::non_negative()});
    v.field("excess_bed_day_gbp", excess_bed_day_gbp,
            Doc{"GBP", "Tariff per bed day beyond the trim point.", ref, Range::non_negative()});
    v.field("trim_point_days", trim_point_days,
            Doc{"days", "Length of stay beyond which each further day is paid as an excess bed day.",
                "assumption: one trim point for all spells, within the range of HRG trim points", Range::non_negative()});
    v.field("emergency_baseline_per_month", emergency_baseline_per_month,
            Doc{"admissions a month", "Marginal rate emergency tariff: emergency admissions above this many a month are paid at marginal_rate of tariff; 0: off.",
                "docs/sources.md §4 (baseline the 2008/09 level; abolished April 2019)", Range::non_negative()});
    v.field("marginal_rate", marginal_rate,
            Doc{"share of tariff", "Payment for emergency admissions above the baseline.", "docs/sources.md §4: 30% in 2010, later 70%",
                Range::fraction()});
    v.field("unpaid_readmissions_after_elective", unpaid_readmissions_after_elective,
            Doc{"", "No payment for an emergency readmission within 30 days of an elective discharge.",
                "docs/sources.md §4: from April 2011, abolished April 2019"});
    v.field("unpaid_share_of_other_readmissions", unpaid_share_of_other_readmissions,
            Doc{"share", "Share of readmissions after emergency care left unpaid (those above the locally agreed threshold).",
                "docs/sources.md §4 (threshold local); calibrated: with it configs/calibration/england_2015.yaml withholds about the £169m of 2015/16 for readmissions (docs/sources.md §3)", Range::fraction()});
    v.field("unpaid_late_rebookings", unpaid_late_rebookings,
            Doc{"", "No payment for a planned operation done more than 28 days after it was cancelled for want of a bed (the rebooked episode loses its tariff).",
                "docs/sources.md §3: a cancelled operation not rebooked within 28 days loses the tariff of the rebooked episode"});
    v.field("block_gbp_per_year", block_gbp_per_year,
            Doc{"GBP a year", "With payment: block, the fixed payment for all modelled activity (paid a twelfth a month).",
                "docs/sources.md §4; amount an assumption", Range::non_negative()});
    v.field("other_income_gbp_per_year", other_income_gbp_per_year,
            Doc{"GBP a year", "Income for everything the model does not simulate patient by patient (follow-ups, other specialties, education), a twelfth a month.",
                "assumption: brings a medium trust to about £450m a year (docs/sources.md §7: £400-600m)", Range::non_negative()});
    v.field("coding_uplift_share", coding_uplift_share,
            Doc{"share of spell income", "Extra income the trust claims on its admitted spells by coding them more richly.",
                "docs/sources.md §1 (coding disputes); assumption: 0, off", Range::fraction()});
    v.field("coding_challenge_probability", coding_challenge_probability,
            Doc{"probability a month", "Chance the commissioner challenges the month's coding uplift.", "assumption", Range::fraction()});
    v.field("arbitration_upholds_trust_probability", arbitration_upholds_trust_probability,
            Doc{"probability", "Chance arbitration upholds the trust's coding when challenged (otherwise the uplift is lost).",
                "assumption", Range::fraction()});
    v.field("cquin_share", cquin_share,
            Doc{"share of contract value", "CQUIN quality payment: this share of the contract value a year, paid quarterly when earned.",
                "docs/sources.md §5: 2.5% in 2016/17, 1.25% from 2019/20", Range::fraction()});
    v.field("cquin_earned_on", cquin_earned_on,
            Doc{"", "What earns a quarter's CQUIN: probability (quality goals the model does not simulate, met with cquin_earned_probability), or the quarter's performance on a standard reaching cquin_standard: ed_4h (share of attendances within 4 hours), rtt_18w (share of the quarter-end list within 18 weeks) or cancer_62d (share treated within 62 days).",
                "docs/sources.md §5: earned on quality goals; which goal an assumption", {}, {},
                {"probability", "ed_4h", "rtt_18w", "cancer_62d"}});
    v.field("cquin_earned_probability", cquin_earned_probability,
            Doc{"probability a quarter", "cquin_earned_on: probability: chance the quarter's quality goals are met and its CQUIN paid.",
                "assumption (2017/18 held about a quarter back as a risk reserve, docs/sources.md §5)",
                Range::fraction()});
    v.field("cquin_standard", cquin_standard,
            Doc{"share", "cquin_earned_on a standard: the quarter's performance that earns the CQUIN.",
                "assumption: the standard's own level (ed_4h 0.95, rtt_18w 0.92, cancer_62d 0.85, docs/sources.md §2)", Range::fraction()});
  }
};

struct CostParams {
  double ed_clinician_gbp_per_wte_year = 75000.0;
  double ward_nurse_gbp_per_wte_year = 38000.0;
  double theatre_team_gbp_per_wte_year = 300000.0;
  double agency_premium = 1.0;
  double agency_premium_cap = 0.0;
  double other_pay_gbp_per_year = 205e6;
  double other_pay_agency_share = 0.07;
  double bed_day_gbp = 120.0;
  double procedure_gbp = 1200.0;
  double ed_attendance_gbp = 40.0;
  double outpatient_gbp = 50.0;
  double extra_session_premium_gbp = 2000.0;
  double fixed_gbp_per_year = 131e6;
  double cip_target_share = 0.03;
  double cip_headroom_share = 0.06;
  double cip_capacity_share = 0.3;
  double other_pay_floor_share = 0.85;
  double capital_gbp_per_bed = 400000.0;
  double capital_bed_running_gbp_per_year = 110000.0;
  sim::config::DistributionSpec cip_delivered_share{sim::Distribution::Kind::gamma, 0.0, 0.95, 0.25, {}, {}, {}};

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("ed_clinician_gbp_per_wte_year", ed_clinician_gbp_per_wte_year,
            Doc{"GBP per WTE a year", "Pay and on-costs of a substantive A&E clinician (doctors and nurses mixed).", "assumption", Range::non_negative()});
    v.field("ward_nurse_gbp_per_wte_year", ward_nurse_gbp_per_wte_year,
            Doc{"GBP per WTE a year", "Pay and on-costs of a substantive ward nurse.", "assumption: band 5 with on-costs", Range::non_negative()});
    v.field("theatre_team_gbp_per_wte_year", theatre_team_gbp_per_wte_year,
            Doc{"GBP per WTE a year", "Pay of one whole-time theatre team (surgeon, anaesthetist, nurses, operating department staff).",
                "assumption", Range::non_negative()});
    v.field("agency_premium", agency_premium,
            Doc{"share of substantive pay", "Extra cost of an agency WTE over a substantive one.",
                "docs/sources.md §7: agency about twice the cost per head", Range::non_negative()});
    v.field("agency_premium_cap", agency_premium_cap,
            Doc{"share of substantive pay", "Price cap on the agency premium; 0: no cap.",
                "docs/sources.md §7: 55% above basic pay from April 2016", Range::non_negative()});
    v.field("other_pay_gbp_per_year", other_pay_gbp_per_year,
            Doc{"GBP a year", "Pay of all staff not modelled as a group (other doctors, therapists, administration).",
                "assumption: pay about 63% of costs (docs/sources.md §7)", Range::non_negative()});
    v.field("other_pay_agency_share", other_pay_agency_share,
            Doc{"share of other pay", "Of other_pay_gbp_per_year, the part spent on agency staff (at the agency premium). Management's agency cuts and the regulator's price cap and spending ceiling act on it as on the modelled groups: a cut moves the work to substantive or bank staff at the substantive rate, saving the premium.",
                "docs/sources.md §7: agency about 7% of the NHS pay bill in 2014/15", Range::fraction()});
    v.field("bed_day_gbp", bed_day_gbp, Doc{"GBP", "Variable cost of an occupied bed day (drugs, food, supplies).", "assumption", Range::non_negative()});
    v.field("procedure_gbp", procedure_gbp,
            Doc{"GBP", "Variable cost of a planned operation or non-surgical cancer treatment (consumables, implants).", "assumption", Range::non_negative()});
    v.field("ed_attendance_gbp", ed_attendance_gbp, Doc{"GBP", "Variable cost of an A&E attendance.", "assumption", Range::non_negative()});
    v.field("outpatient_gbp", outpatient_gbp, Doc{"GBP", "Variable cost of an outpatient attendance.", "assumption", Range::non_negative()});
    v.field("extra_session_premium_gbp", extra_session_premium_gbp,
            Doc{"GBP per session", "Premium paid for a theatre session beyond the planned ones (waiting-list initiative rates).",
                "assumption", Range::non_negative()});
    v.field("fixed_gbp_per_year", fixed_gbp_per_year,
            Doc{"GBP a year", "Non-pay costs that do not vary with activity (estates, depreciation, clinical negligence).",
                "assumption: with the other defaults, the default trust (110k A&E attendances) about breaks even before fines in 2015/16",
                Range::non_negative()});
    v.field("cip_target_share", cip_target_share,
            Doc{"share of costs a year", "Cost improvement programme: savings planned as a share of costs.",
                "docs/sources.md §7: efficiency targets 2-7% a year", Range::fraction()});
    v.field("capital_gbp_per_bed", capital_gbp_per_bed,
            Doc{"GBP per bed", "Capital that opens one more general and acute bed (the regulator's capital freedoms and rewards buy beds at this price).",
                "assumption: new wards of 28-32 beds at £10-13m; not in docs/sources.md", Range::positive()});
    v.field("capital_bed_running_gbp_per_year", capital_bed_running_gbp_per_year,
            Doc{"GBP a year", "Running cost of a bed opened with capital: its nurses and medical cover (occupied bed days add bed_day_gbp as for any bed).",
                "assumption: 1.33 ward-nurse WTE per bed at the default £38k with on-costs, and a share of medical and support staff", Range::non_negative()});
    v.field("cip_headroom_share", cip_headroom_share,
            Doc{"share of costs a year", "Diminishing returns of cost improvement: a target T can deliver at most h (1 - exp(-T/h)) of costs, h this headroom, so the first savings are easy and each further one harder, and a target far beyond h is visibly undeliverable (the share delivered falls as the target grows: 79% of a 3% target, 59% of 7%, before execution). 0: no diminishing returns.",
                "assumption: at the default 3% target the expected share delivered stays three quarters (docs/sources.md §7: targets of 2-7% a year, rarely met in full)",
                Range::fraction()});
    v.field("cip_capacity_share", cip_capacity_share,
            Doc{"share of the savings delivered", "Where cost improvement savings come from. This share is pay (capacity): posts taken out of the funded establishment at the second month of the financial year, spread over all staff in proportion to their pay (the modelled groups and other_pay_gbp_per_year), never below a group's safe-staffing floor (staffing.<group>.floor_share_of_establishment; other staff other_pay_floor_share). Pay then falls because fewer people are paid (vacancy control: recruitment stops, agency covers a smaller gap, staff leave by turnover), so it shows in cost_pay and cost_agency, not as a subtraction, and the modelled groups' capacity falls with it; what the floors keep is not delivered (cip_capacity_blocked). Each year's cut is measured against the configured establishment and replaces the last year's, as each year's productivity savings are measured against unsaved costs (costs are in constant prices with no cost growth to absorb), so no run ratchets staff down to the floors. The rest is productivity: non-pay savings (procurement, drugs, estates) taken off cost_other with no effect on care. 0: all productivity (the model before this split).",
                "assumption (0.3; plausible from a quarter to a half): pay is about 63% of costs, and agency and locum savings alone were £0.7bn of the £3.1bn delivered in 2016/17 (docs/sources.md §7)",
                Range::fraction()});
    v.field("other_pay_floor_share", other_pay_floor_share,
            Doc{"share of other pay", "Cost improvement takes at most down to this share of other staff's pay bill (other_pay_gbp_per_year): their safe-staffing floor, as floor_share_of_establishment is for the modelled groups.",
                "assumption: the modelled groups' default floor of 0.85", Range::fraction()});
    v.field("cip_delivered_share", cip_delivered_share,
            Doc{"share of the deliverable", "Execution: the share of what the target can deliver (cip_headroom_share) actually delivered, drawn once a financial year per trust; the share of the target delivered is this times the diminishing-returns factor.",
                "assumption: 0.95 on average, so with the default headroom three quarters of a 3% target is delivered on average, rarely all"});
  }
};

struct FinanceParams {
  double contract_value_gbp_per_year = 400e6;
  double control_total_gbp_per_year = 0.0;
  bool fined = true;
  double fines_cap_share_of_contract_month = 0.0;
  double fines_cap_share_of_contract_year = 0.0;
  bool takes_incentive_fund = true;
  double ed_trajectory = 0.95, rtt_trajectory = 0.92, cancer_trajectory = 0.85;
  PaymentParams income;
  CostParams costs;
  BorrowingParams borrowing;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("contract_value_gbp_per_year", contract_value_gbp_per_year,
            Doc{"GBP a year", "Value of the trust's contract with its commissioner: the base of fine caps, CQUIN and the default block payment.",
                "assumption: a medium trust (docs/sources.md §7)", Range::non_negative()});
    v.field("control_total_gbp_per_year", control_total_gbp_per_year,
            Doc{"GBP a year", "Surplus the trust is asked to make (negative: an agreed deficit); the incentive fund and management judge the year-to-date position against it.",
                "assumption: break even", Range::any()});
    v.field("fined", fined,
            Doc{"", "Whether the schemes fine this trust at all; false is the world without fines (breaches are still counted), the counterfactual the deficit multiplier of fines is measured against: sweep defaults.finance.fined over [false, true].",
                "docs/sources.md §1: the comparison the tool exists for"});
    v.field("fines_cap_share_of_contract_month", fines_cap_share_of_contract_month,
            Doc{"share of contract value / 12", "All fines of a month together at most this share of a month's contract value; 0: no overall cap.",
                "docs/sources.md §3 (caps as a share of contract value)", Range::fraction()});
    v.field("fines_cap_share_of_contract_year", fines_cap_share_of_contract_year,
            Doc{"share of contract value", "All fines of a financial year together at most this share of the contract value; 0: no overall cap.",
                "docs/sources.md §3: heavy penalties 'up to 10 per cent of the total contract value'",
                Range::fraction()});
    v.field("takes_incentive_fund", takes_incentive_fund,
            Doc{"", "Accepts the incentive fund (and its control total) when one is configured.",
                "docs/sources.md §5"});
    v.field("ed_trajectory", ed_trajectory,
            Doc{"share within 4 hours", "Agreed A&E trajectory: the fund's A&E share is earned at this or the standard.", "docs/sources.md §5; default the standard",
                Range::fraction()});
    v.field("rtt_trajectory", rtt_trajectory,
            Doc{"share within 18 weeks", "Agreed RTT trajectory for the fund.", "docs/sources.md §5; default the standard", Range::fraction()});
    v.field("cancer_trajectory", cancer_trajectory,
            Doc{"share within 62 days", "Agreed cancer trajectory for the fund.", "docs/sources.md §5; default the standard", Range::fraction()});
    v.section("income", income, "what the commissioner pays");
    v.section("costs", costs, "pay, agency, activity and fixed costs, cost improvement");
    v.section("borrowing", borrowing, "cash, loans, interest and financial special measures");
  }
};

}  // namespace breachsim::models
