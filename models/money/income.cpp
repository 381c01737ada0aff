// SPDX-License-Identifier: MIT
#include "models/money/income.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/care/trust.hpp"

namespace breachsim::models {

IncomeRules compile_income(const PaymentParams& p) {
  IncomeRules r;
  if (p.payment == "block") r.payment = Payment::block;
  else if (p.payment != "activity") throw std::invalid_argument("unknown payment '" + p.payment + "'");
  if (p.cquin_earned_on == "ed_4h") r.cquin_on = Standard::ed_4h;
  else if (p.cquin_earned_on == "rtt_18w") r.cquin_on = Standard::rtt_18w;
  else if (p.cquin_earned_on == "cancer_62d") r.cquin_on = Standard::cancer_62d;
  else if (p.cquin_earned_on != "probability")
    throw std::invalid_argument("unknown cquin_earned_on '" + p.cquin_earned_on + "'");
  return r;
}

namespace {

// Emergency spells: readmissions within 30 days unpaid (all of those after elective care, a
// share of the others), and above a monthly baseline only the marginal rate of tariff.
double emergency_income(const PaymentParams& pay, const TrustMonth& tm, MoneyMonth& m) {
  const double emergency = static_cast<double>(tm.ed.admissions);
  const double after_elective =
      pay.unpaid_readmissions_after_elective ? static_cast<double>(tm.ed.readmissions_after_elective) : 0.0;
  const double other_readmissions = static_cast<double>(tm.ed.readmissions - tm.ed.readmissions_after_elective);
  const double unpaid = std::min(emergency, after_elective + pay.unpaid_share_of_other_readmissions * other_readmissions);
  const double paid = emergency - unpaid;
  m.readmission_nonpayment = unpaid * pay.emergency_spell_gbp;
  if (pay.emergency_baseline_per_month > 0.0 && paid > pay.emergency_baseline_per_month)
    return pay.emergency_spell_gbp *
           (pay.emergency_baseline_per_month + pay.marginal_rate * (paid - pay.emergency_baseline_per_month));
  return paid * pay.emergency_spell_gbp;
}

// An operation done more than 28 days after a cancellation loses its tariff.
double late_rebookings(const PaymentParams& pay, const TrustMonth& tm) {
  if (!pay.unpaid_late_rebookings) return 0.0;
  const auto late_day_cases = static_cast<double>(tm.electives.rebooked_late_day_cases);
  return late_day_cases * pay.day_case_gbp +
         (static_cast<double>(tm.electives.rebooked_late) - late_day_cases) * pay.elective_spell_gbp;
}

// The uplift claimed on admitted spells is kept unless the commissioner challenges it and
// arbitration finds for the commissioner.
double coding_uplift(const PaymentParams& pay, double spells, const MoneyDraws& draws) {
  if (!(pay.coding_uplift_share > 0.0)) return 0.0;
  const double claimed = pay.coding_uplift_share * spells;
  auto challenge = draws.draw(FinanceDraw::coding_challenge);
  auto arbitration = draws.draw(FinanceDraw::arbitration);
  const bool challenged = challenge.uniform() < pay.coding_challenge_probability;
  const bool upheld = arbitration.uniform() < pay.arbitration_upholds_trust_probability;
  return !challenged || upheld ? claimed : 0.0;
}

}  // namespace

void pay_for_activity(const FinanceParams& f, const IncomeRules& rules, const TrustMonth& tm, const MoneyDraws& draws,
                      MoneyMonth& m) {
  const PaymentParams& pay = f.income;
  if (rules.payment == Payment::block) {
    m.income_activity = (pay.block_gbp_per_year > 0.0 ? pay.block_gbp_per_year : f.contract_value_gbp_per_year) / 12.0;
  } else {
    const double emergency = emergency_income(pay, tm, m);
    m.rebooking_nonpayment = late_rebookings(pay, tm);
    const double day_cases = static_cast<double>(tm.wards.elective_day_cases);
    const double inpatients = static_cast<double>(tm.wards.elective_inpatients);
    const double spells =
        emergency + inpatients * pay.elective_spell_gbp + day_cases * pay.day_case_gbp - m.rebooking_nonpayment;
    m.coding_uplift = coding_uplift(pay, spells, draws);
    const double non_surgical = static_cast<double>(tm.cancer.treated - tm.cancer.treated_surgical);
    m.income_activity = spells + m.coding_uplift + non_surgical * pay.day_case_gbp +
                        static_cast<double>(tm.electives.outpatient_treated) * pay.outpatient_gbp +
                        static_cast<double>(tm.ed.attendances) * pay.ed_attendance_gbp +
                        tm.wards.excess_bed_days * pay.excess_bed_day_gbp;
  }
  m.income_other = pay.other_income_gbp_per_year / 12.0;
}

void pay_cquin(const FinanceParams& f, const IncomeRules& rules, const PerformanceRecord& record,
               const MoneyDraws& draws, MoneyMonth& m) {
  const PaymentParams& pay = f.income;
  if (!(pay.cquin_share > 0.0)) return;
  const bool earned = rules.cquin_on
                          ? record.within(*rules.cquin_on, Period::quarter) >= pay.cquin_standard
                          : draws.draw(FinanceDraw::cquin).uniform() < pay.cquin_earned_probability;
  if (earned) m.income_incentives += pay.cquin_share * f.contract_value_gbp_per_year / 4.0;
}

}  // namespace breachsim::models
