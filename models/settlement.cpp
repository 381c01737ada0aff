// SPDX-License-Identifier: MIT
#include "models/settlement.hpp"

#include <algorithm>
#include <cmath>

#include "models/streams.hpp"

namespace breachsim::models {

namespace {

constexpr std::uint64_t month_offset = 1u << 20;  // keeps warm-up-free month numbers positive in stream entities

// What the month's finance draws are for (the low byte of their entity).
enum class FinanceDraw : std::uint64_t { cip = 1, coding_challenge = 2, arbitration = 3, cquin = 4 };

bool is_quarter_end(const sim::Date& d) { return d.month % 3 == 0; }
bool is_year_end(const sim::Date& d) { return d.month == 3; }

double share_within(double breaches, double total) { return total > 0.0 ? 1.0 - breaches / total : 1.0; }

BreachCounts breach_counts(const TrustMonth& tm) {
  BreachCounts c;
  c.ed_attendances = static_cast<double>(tm.ed.attendances);
  c.ed_breaches_4h = static_cast<double>(tm.ed.breaches_4h);
  c.ed_trolley_waits_12h = static_cast<double>(tm.ed.trolley_waits_12h);
  c.ambulance_handovers_30_60min = static_cast<double>(tm.ed.handovers_30_60min);
  c.ambulance_handovers_over_60min = static_cast<double>(tm.ed.handovers_over_60min);
  c.rtt_waiting = static_cast<double>(tm.electives.list.waiting);
  c.rtt_over_18w = static_cast<double>(tm.electives.list.over_18w);
  c.rtt_over_52w = static_cast<double>(tm.electives.list.over_52w);
  c.rtt_non_admitted_treated = static_cast<double>(tm.electives.outpatient_treated);
  c.rtt_non_admitted_treated_over_18w = static_cast<double>(tm.electives.outpatient_treated_over_18w);
  c.rtt_admitted_treated = static_cast<double>(tm.electives.treated - tm.electives.outpatient_treated);
  c.rtt_admitted_treated_over_18w =
      static_cast<double>(tm.electives.treated_over_18w - tm.electives.outpatient_treated_over_18w);
  c.cancer_treated = static_cast<double>(tm.cancer.treated);
  c.cancer_breaches_62d = static_cast<double>(tm.cancer.breaches_62d);
  c.urgent_operations_cancelled_twice = static_cast<double>(tm.cancer.repeat_cancellations);
  c.mixed_sex_accommodation_days = tm.wards.mixed_sex_days;
  return c;
}

}  // namespace

const IncentiveFundParams* FinanceSetup::fund_at(const sim::Date& date) const {
  for (const IncentiveFundParams& f : funds)
    if (f.enabled && fund_applies(f, date)) return &f;
  return nullptr;
}

AgencyRulesParams FinanceSetup::agency_at(const sim::Date& date) const {
  AgencyRulesParams all;
  const auto lowest = [](double a, double b) { return a > 0.0 && b > 0.0 ? std::min(a, b) : std::max(a, b); };
  for (const RegulatorParams& r : regulators) {
    const AgencyRulesParams& a = r.agency;
    if (!a.in_force(date)) continue;
    all.price_cap = lowest(all.price_cap, a.price_cap);
    all.spend_ceiling_share_of_pay = lowest(all.spend_ceiling_share_of_pay, a.spend_ceiling_share_of_pay);
    all.banned.ed_clinicians = all.banned.ed_clinicians || a.banned.ed_clinicians;
    all.banned.ward_nurses = all.banned.ward_nurses || a.banned.ward_nurses;
    all.banned.theatre_teams = all.banned.theatre_teams || a.banned.theatre_teams;
  }
  return all;
}

const RegulatorParams* FinanceSetup::league_at(const sim::Date& date) const {
  for (const RegulatorParams& r : regulators)
    if (r.league_table.in_force(date)) return &r;
  return nullptr;
}

Settlement::Settlement(const FinanceSetup& setup, const sim::Calendar& calendar, std::uint64_t seed,
                       std::uint32_t replication)
    : setup_(&setup), calendar_(&calendar), seed_(seed), replication_(replication), oversight_(setup.trusts.size()) {
  trusts_.reserve(setup.trusts.size());
  for (const auto& t : setup.trusts) {
    trusts_.emplace_back(t.finance.borrowing);
    trusts_.back().ytd_scheme.assign(setup.schemes.size(), 0.0);
  }
  commissioners_.resize(setup.commissioners.size());
  for (const Scheme& s : setup.schemes)
    if (s.destination == FineDestination::pooled) pools_[s.params.pool] = 0.0;
}

sim::RandomStream Settlement::draws(std::size_t trust, int month, std::uint64_t what) const {
  const std::uint64_t entity = ((static_cast<std::uint64_t>(month) + month_offset) << 8) | what;
  return sim::RandomStream(sim::StreamKey{seed_, replication_, static_cast<std::uint32_t>(trust)}, entity,
                           purpose(Purpose::finance));
}

double Settlement::pool_balance() const {
  double total = 0.0;
  for (const auto& [name, balance] : pools_) total += balance;
  return total;
}

double Settlement::awaiting_return() const {
  double total = 0.0;
  for (const TrustState& s : trusts_)
    for (const auto& [month, amount] : s.returns) total += amount;
  return total;
}

void Settlement::start_year(int month) {
  for (std::size_t t = 0; t < trusts_.size(); ++t) {
    TrustState& s = trusts_[t];
    s.ytd_surplus = s.ytd_income = s.ytd_before_fund = s.ytd_fines = 0.0;
    std::fill(s.ytd_scheme.begin(), s.ytd_scheme.end(), 0.0);
    s.fund_allocation_year = 0.0;
    // Drawn once a year per trust, keyed by the month the year starts, so a trust's luck
    // with its savings is the same at every sweep point.
    auto d = draws(t, month, static_cast<std::uint64_t>(FinanceDraw::cip));
    s.cip_delivered = std::max(0.0, setup_->trusts[t].finance.costs.cip_delivered_share.build().sample(d));
  }
  for (CommissionerState& c : commissioners_) c = CommissionerState{};
  oversight_.start_year();
  fund_unearned_year_ = 0.0;
  year_months_ = 0;
}

std::vector<MoneyMonth> Settlement::settle(int month, const std::vector<TrustMonth>& months,
                                           std::vector<Levers>& next_levers) {
  const sim::Date date = calendar_->month_date(month);
  const std::size_t n = trusts_.size();
  if (month == 0 || date.month == 4) start_year(month);
  // Months of this financial year settled so far: a run that starts in January judges its
  // first three months against three twelfths of the year's control total, not ten.
  const int elapsed = ++year_months_;
  const bool quarter_end = is_quarter_end(date), year_end = is_year_end(date);
  const IncentiveFundParams* fund = setup_->fund_at(date);
  const sim::Date quarter_start = calendar_->month_date(std::max(0, month - 2));
  const bool fund_on = fund != nullptr;
  const AgencyRulesParams rules = setup_->agency_at(date);

  std::vector<MoneyMonth> out(n);
  std::vector<double> own_capital(n, 0.0);  // spent this month, leaving cash when the sheets post
  std::vector<double> commissioner_spend(commissioners_.size(), 0.0);

  // Income, costs and fines of each trust on its own.
  for (std::size_t t = 0; t < n; ++t) {
    const TrustMonth& tm = months[t];
    const TrustFinanceSetup& ts = setup_->trusts[t];
    const FinanceParams& f = ts.finance;
    const PaymentParams& pay = f.income;
    const CostParams& cost = f.costs;
    TrustState& s = trusts_[t];
    MoneyMonth& m = out[t];
    m.fines_by_scheme.assign(setup_->schemes.size(), 0.0);

    const double emergency = static_cast<double>(tm.ed.admissions);
    const double day_cases = static_cast<double>(tm.wards.elective_day_cases);
    const double inpatients = static_cast<double>(tm.wards.elective_inpatients);
    const double non_surgical = static_cast<double>(tm.cancer.treated - tm.cancer.treated_surgical);
    const double outpatients = static_cast<double>(tm.electives.outpatient_treated);
    const double attendances = static_cast<double>(tm.ed.attendances);

    if (pay.payment == "block") {
      m.income_activity = (pay.block_gbp_per_year > 0.0 ? pay.block_gbp_per_year : f.contract_value_gbp_per_year) / 12.0;
    } else {
      const double after_elective =
          pay.unpaid_readmissions_after_elective ? static_cast<double>(tm.ed.readmissions_after_elective) : 0.0;
      const double other_readmissions =
          static_cast<double>(tm.ed.readmissions - tm.ed.readmissions_after_elective);
      const double unpaid = std::min(emergency, after_elective + pay.unpaid_share_of_other_readmissions * other_readmissions);
      const double paid = emergency - unpaid;
      double emergency_income = paid * pay.emergency_spell_gbp;
      if (pay.emergency_baseline_per_month > 0.0 && paid > pay.emergency_baseline_per_month)
        emergency_income = pay.emergency_spell_gbp * (pay.emergency_baseline_per_month +
                                                      pay.marginal_rate * (paid - pay.emergency_baseline_per_month));
      m.readmission_nonpayment = unpaid * pay.emergency_spell_gbp;
      if (pay.unpaid_late_rebookings) {
        const auto late_day_cases = static_cast<double>(tm.electives.rebooked_late_day_cases);
        m.rebooking_nonpayment = late_day_cases * pay.day_case_gbp +
                                 (static_cast<double>(tm.electives.rebooked_late) - late_day_cases) * pay.elective_spell_gbp;
      }
      const double spells = emergency_income + inpatients * pay.elective_spell_gbp + day_cases * pay.day_case_gbp -
                            m.rebooking_nonpayment;
      if (pay.coding_uplift_share > 0.0) {
        const double claimed = pay.coding_uplift_share * spells;
        auto challenge = draws(t, month, static_cast<std::uint64_t>(FinanceDraw::coding_challenge));
        auto arbitration = draws(t, month, static_cast<std::uint64_t>(FinanceDraw::arbitration));
        const bool challenged = challenge.uniform() < pay.coding_challenge_probability;
        const bool upheld = arbitration.uniform() < pay.arbitration_upholds_trust_probability;
        m.coding_uplift = !challenged || upheld ? claimed : 0.0;
      }
      m.income_activity = spells + m.coding_uplift + non_surgical * pay.day_case_gbp + outpatients * pay.outpatient_gbp +
                          attendances * pay.ed_attendance_gbp + tm.wards.excess_bed_days * pay.excess_bed_day_gbp;
    }
    m.income_other = pay.other_income_gbp_per_year / 12.0;
    if (quarter_end && pay.cquin_share > 0.0) {
      bool earned;
      if (pay.cquin_earned_on == "ed_4h") {
        earned = share_within(s.quarter_ed_breaches + static_cast<double>(tm.ed.breaches_4h),
                              s.quarter_ed_attendances + attendances) >= pay.cquin_standard;
      } else if (pay.cquin_earned_on == "rtt_18w") {
        earned = share_within(static_cast<double>(tm.electives.list.over_18w),
                              static_cast<double>(tm.electives.list.waiting)) >= pay.cquin_standard;
      } else if (pay.cquin_earned_on == "cancer_62d") {
        earned = share_within(s.quarter_cancer_breaches + static_cast<double>(tm.cancer.breaches_62d),
                              s.quarter_cancer_treated + static_cast<double>(tm.cancer.treated)) >= pay.cquin_standard;
      } else {
        auto d = draws(t, month, static_cast<std::uint64_t>(FinanceDraw::cquin));
        earned = d.uniform() < pay.cquin_earned_probability;
      }
      if (earned) m.income_incentives += pay.cquin_share * f.contract_value_gbp_per_year / 4.0;
    }

    // Pay: substantive staff at their rate, agency at the (capped) premium on top.
    double premium =
        cost.agency_premium_cap > 0.0 ? std::min(cost.agency_premium, cost.agency_premium_cap) : cost.agency_premium;
    if (rules.price_cap > 0.0) premium = std::min(premium, rules.price_cap);
    const double rates[staff_group_count] = {cost.ed_clinician_gbp_per_wte_year, cost.ward_nurse_gbp_per_wte_year,
                                             cost.theatre_team_gbp_per_wte_year};
    m.cost_pay = cost.other_pay_gbp_per_year / 12.0;
    for (std::size_t g = 0; g < staff_group_count; ++g) {
      m.cost_pay += tm.staff[g].substantive_wte * rates[g] / 12.0;
      m.cost_agency += tm.staff[g].agency_wte * rates[g] * (1.0 + premium) / 12.0;
    }
    Plan now;
    if (const auto it = s.plans.find(month); it != s.plans.end()) now = it->second;
    m.extra_sessions = now.extra_sessions;
    m.cost_control = now.cost_control;
    m.protect_performance = now.protect_performance;
    m.cost_other = cost.bed_day_gbp * tm.wards.occupied_bed_minutes / sim::minutes_per_day +
                   cost.procedure_gbp * (day_cases + inpatients + non_surgical) + cost.ed_attendance_gbp * attendances +
                   cost.outpatient_gbp * outpatients + cost.fixed_gbp_per_year / 12.0 + now.extra_cost;
    m.cip_savings = cost.cip_target_share * s.cip_delivered * (m.cost_pay + m.cost_agency + m.cost_other);
    m.cost_other -= m.cip_savings;

    // The regulator's consequences decided at earlier quarter ends, and the beds capital
    // bought (running from the month after the spending).
    const OversightMonth om = oversight_.in_month(t, month);
    m.turnaround_team = om.turnaround_team;
    m.turnaround_cost = om.turnaround_cost;
    m.management_replaced = om.management_replaced;
    m.productivity_factor = om.productivity_factor;
    m.recruitment_factor = om.recruitment_factor;
    m.cost_other += om.turnaround_cost + s.capital_beds * cost.capital_bed_running_gbp_per_year / 12.0;
    m.capital_invested = om.capital_own + om.capital_awarded;
    own_capital[t] = om.capital_own;
    s.capital_spent += m.capital_invested;
    s.capital_beds = static_cast<int>(std::floor(s.capital_spent / cost.capital_gbp_per_bed));
    m.capital_beds = s.capital_beds;

    // Fines, scheme by scheme, then the overall caps scale them down together.
    const BreachCounts counts = breach_counts(tm);
    const bool fund_taker = fund_on && f.takes_incentive_fund;
    double assessed = 0.0, levied = 0.0;
    for (std::size_t i = 0; i < setup_->schemes.size() && f.fined; ++i) {
      const Scheme& scheme = setup_->schemes[i];
      if (!in_force(scheme, date)) continue;
      const double raw = assess(scheme, counts);
      if (!(raw > 0.0)) continue;
      assessed += raw;
      if (scheme.params.suspended_for_fund_takers && fund_taker) continue;
      if (scheme.params.waiver_probability > 0.0) {
        const std::uint64_t entity = ((static_cast<std::uint64_t>(month) + month_offset) << 16) | i;
        sim::RandomStream d(sim::StreamKey{seed_, replication_, static_cast<std::uint32_t>(t)}, entity,
                            purpose(Purpose::fine_waiver));
        if (d.uniform() < scheme.params.waiver_probability) continue;
      }
      m.fines_by_scheme[i] = apply_caps(scheme, raw, s.ytd_scheme[i], f.contract_value_gbp_per_year);
      levied += m.fines_by_scheme[i];
    }
    double allowed = levied;
    if (f.fines_cap_share_of_contract_month > 0.0)
      allowed = std::min(allowed, f.fines_cap_share_of_contract_month * f.contract_value_gbp_per_year / 12.0);
    if (f.fines_cap_share_of_contract_year > 0.0)
      allowed = std::min(allowed, std::max(0.0, f.fines_cap_share_of_contract_year * f.contract_value_gbp_per_year - s.ytd_fines));
    const double scale = levied > 0.0 ? allowed / levied : 0.0;
    for (std::size_t i = 0; i < setup_->schemes.size(); ++i) {
      const double amount = m.fines_by_scheme[i] * scale;
      m.fines_by_scheme[i] = amount;
      if (amount == 0.0) continue;
      const Scheme& scheme = setup_->schemes[i];
      s.ytd_scheme[i] += amount;
      m.fines += amount;
      switch (scheme.destination) {
        case FineDestination::withheld: m.fines_withheld += amount; break;
        case FineDestination::reinvested:
          m.fines_reinvested += amount;
          s.returns[month + scheme.params.reinvest_lag_months] += amount;
          break;
        case FineDestination::pooled:
          m.fines_pooled += amount;
          pools_[scheme.params.pool] += amount;
          break;
      }
    }
    s.ytd_fines += m.fines;
    m.fines_waived = assessed - m.fines;  // waived, suspended, or cut by a scheme's or the overall caps

    const auto due = s.returns.find(month);
    if (due != s.returns.end()) {
      m.fines_returned = due->second;
      s.returns.erase(due);
    }

    // The commissioner keeps back withheld and reinvested fines (the latter until it returns
    // them); pooled fines leave it for the pool.
    if (ts.commissioner >= 0)
      commissioner_spend[static_cast<std::size_t>(ts.commissioner)] +=
          m.income_activity + m.income_incentives + m.fines_returned - m.fines_withheld - m.fines_reinvested;

    s.quarter_emergency += emergency;
    s.quarter_ed_attendances += attendances;
    s.quarter_ed_breaches += static_cast<double>(tm.ed.breaches_4h);
    s.quarter_cancer_treated += static_cast<double>(tm.cancer.treated);
    s.quarter_cancer_breaches += static_cast<double>(tm.cancer.breaches_62d);
    s.quarter_trolley_waits += static_cast<double>(tm.ed.trolley_waits_12h);
  }

  // Pools pay out at quarter ends to trusts in deficit, pro rata to their deficits and never
  // beyond them, counting what earlier pools paid them this quarter end; what nobody
  // qualifies for stays in the pool.
  if (quarter_end) {
    for (auto& [pool, balance] : pools_) {
      if (!(balance > 0.0)) continue;
      std::vector<double> deficit(n, 0.0);
      double total = 0.0;
      for (std::size_t t = 0; t < n; ++t) {
        if (pool != "national" && setup_->trusts[t].region != pool) continue;
        deficit[t] = std::max(0.0, trusts_[t].cumulative_deficit - out[t].pool_payouts);
        total += deficit[t];
      }
      if (!(total > 0.0)) continue;
      const double paid_out = std::min(balance, total);
      for (std::size_t t = 0; t < n; ++t) out[t].pool_payouts += paid_out * deficit[t] / total;
      balance -= paid_out;
    }
  }

  // The operating position before the incentive fund, which the fund judges.
  for (std::size_t t = 0; t < n; ++t) trusts_[t].ytd_before_fund += out[t].operating_surplus();

  if (fund_on && quarter_end && fund_applies(*fund, quarter_start)) {
    std::vector<FundQuarterInput> in(n);
    for (std::size_t t = 0; t < n; ++t) {
      const TrustState& s = trusts_[t];
      const FinanceParams& f = setup_->trusts[t].finance;
      in[t].takes_fund = f.takes_incentive_fund;
      in[t].emergency_admissions = s.quarter_emergency;
      in[t].ytd_surplus = s.ytd_before_fund;
      in[t].ytd_control_total = f.control_total_gbp_per_year * elapsed / 12.0;
      in[t].ed_within_4h = share_within(s.quarter_ed_breaches, s.quarter_ed_attendances);
      in[t].rtt_within_18w = share_within(static_cast<double>(months[t].electives.list.over_18w),
                                          static_cast<double>(months[t].electives.list.waiting));
      in[t].cancer_within_62d = share_within(s.quarter_cancer_breaches, s.quarter_cancer_treated);
      in[t].ed_trajectory = f.ed_trajectory;
      in[t].rtt_trajectory = f.rtt_trajectory;
      in[t].cancer_trajectory = f.cancer_trajectory;
    }
    const auto paid = settle_quarter(*fund, in);
    for (std::size_t t = 0; t < n; ++t) {
      out[t].income_incentives += paid[t].paid();
      out[t].fund_unearned = paid[t].unearned();
      trusts_[t].fund_allocation_year += paid[t].allocation;
      fund_unearned_year_ += paid[t].unearned();
    }
  }
  if (fund_on && year_end) {
    std::vector<FundYearInput> in(n);
    for (std::size_t t = 0; t < n; ++t) {
      in[t].takes_fund = setup_->trusts[t].finance.takes_incentive_fund;
      in[t].surplus = trusts_[t].ytd_before_fund;
      in[t].control_total = setup_->trusts[t].finance.control_total_gbp_per_year;
      in[t].allocation = trusts_[t].fund_allocation_year;
    }
    const FundYearResult r = settle_year(*fund, fund_unearned_year_, in);
    for (std::size_t t = 0; t < n; ++t) out[t].income_incentives += r.bonus[t] + r.redistributed[t];
    fund_returned_to_centre_ += r.returned_to_centre;
    fund_unearned_year_ = 0.0;
  }
  // The quarter as the league table and the capital rewards see it, before its counts are
  // cleared; finance is added once the balance sheets have posted.
  const RegulatorParams* ranking = quarter_end ? setup_->league_at(date) : nullptr;
  std::vector<LeagueTrustQuarter> league(quarter_end ? n : 0);
  for (std::size_t t = 0; t < league.size(); ++t) {
    const TrustState& s = trusts_[t];
    league[t].ed_within_4h = share_within(s.quarter_ed_breaches, s.quarter_ed_attendances);
    league[t].trolley_waits_per_1000 = s.quarter_emergency > 0.0 ? 1000.0 * s.quarter_trolley_waits / s.quarter_emergency : 0.0;
    league[t].rtt_within_18w = share_within(static_cast<double>(months[t].electives.list.over_18w),
                                            static_cast<double>(months[t].electives.list.waiting));
    league[t].cancer_within_62d = share_within(s.quarter_cancer_breaches, s.quarter_cancer_treated);
  }
  if (quarter_end) {
    for (TrustState& s : trusts_)
      s.quarter_emergency = s.quarter_ed_attendances = s.quarter_ed_breaches = s.quarter_cancer_treated =
          s.quarter_cancer_breaches = s.quarter_trolley_waits = 0.0;
  }

  // Commissioners over their year-to-date allocation restrict referrals until the year ends.
  for (std::size_t c = 0; c < commissioners_.size(); ++c) {
    CommissionerState& cs = commissioners_[c];
    cs.ytd_spend += commissioner_spend[c];
    const double allocation = setup_->commissioners[c].allocation_gbp_per_year;
    if (allocation > 0.0 && cs.ytd_spend > allocation * elapsed / 12.0) cs.restricting = true;
  }

  // Post the balance sheets, then decide the months ahead.
  const AgencyRulesParams next_rules = setup_->agency_at(calendar_->month_date(month + 1));
  next_levers.assign(n, Levers{});
  for (std::size_t t = 0; t < n; ++t) {
    const TrustFinanceSetup& ts = setup_->trusts[t];
    const FinanceParams& f = ts.finance;
    const ManagementParams& mp = ts.management;
    TrustState& s = trusts_[t];
    MoneyMonth& m = out[t];
    const double operating_surplus = m.operating_surplus();
    s.ytd_income += m.income();
    const double annual_income = s.ytd_income * 12.0 / elapsed;
    const MonthPosting p =
        s.sheet.post_month(operating_surplus, annual_income, year_end, s.ytd_surplus + operating_surplus,
                           f.control_total_gbp_per_year, own_capital[t]);
    s.ytd_surplus += p.surplus;
    m.interest = p.interest;
    m.surplus = p.surplus;
    m.cumulative_deficit = s.cumulative_deficit = p.cumulative_deficit;
    m.debt = p.revolving_debt + p.long_term_debt;
    m.cash = p.cash;
    m.special_measures = p.special_measures;
    m.control_total_met = s.ytd_surplus >= f.control_total_gbp_per_year * elapsed / 12.0;
    m.cip_delivered_share = s.cip_delivered;

    // Management looks at the year so far and the month just gone.
    const int target = month + mp.lag_months;
    Plan& plan = s.plans[target];
    Levers& l = plan.levers;
    double sessions = 0.0, session_cost = 0.0;
    const double behind = f.control_total_gbp_per_year * elapsed / 12.0 - s.ytd_surplus;
    if (mp.cost_control.enabled) {
      if (!s.cost_control && behind > mp.cost_control.trigger_share_of_income * s.ytd_income) s.cost_control = true;
      else if (s.cost_control && behind <= 0.0) s.cost_control = false;
      if (s.cost_control) {
        l.agency_factor *= mp.cost_control.agency_factor;
        l.recruitment_frozen = l.recruitment_frozen || mp.cost_control.freeze_recruitment;
        l.open_bed_factor *= 1.0 - mp.cost_control.close_beds_share;
        l.theatre_factor *= 1.0 - mp.cost_control.cancel_sessions_share;
        plan.cost_control = true;
      }
    }
    if (mp.protect_performance.enabled) {
      const auto& pp = mp.protect_performance;
      bool acting = false;
      if (share_within(static_cast<double>(months[t].ed.breaches_4h), static_cast<double>(months[t].ed.attendances)) <
          pp.ed_standard) {
        l.agency_factor *= pp.agency_factor;
        acting = true;
      }
      if (share_within(static_cast<double>(months[t].electives.list.over_18w),
                       static_cast<double>(months[t].electives.list.waiting)) < pp.rtt_standard) {
        const double extra = pp.extra_sessions_share * ts.planned_theatre_sessions_per_month;
        sessions += extra;
        session_cost += extra * f.costs.extra_session_premium_gbp;
        acting = true;
      }
      if (acting) plan.protect_performance = true;
    }
    if (mp.reinvest_fines.enabled && m.fines_returned > 0.0) {
      const double bought = m.fines_returned / mp.reinvest_fines.gbp_per_theatre_session;
      sessions += bought;
      session_cost += m.fines_returned;
    }
    if (sessions > 0.0 && ts.planned_theatre_sessions_per_month > 0.0)
      l.theatre_factor *= 1.0 + sessions / ts.planned_theatre_sessions_per_month;
    plan.extra_sessions += sessions;
    plan.extra_cost += session_cost;

    Levers next;
    if (const auto it = s.plans.find(month + 1); it != s.plans.end()) next = it->second.levers;
    const bool restricted = ts.commissioner >= 0 && commissioners_[static_cast<std::size_t>(ts.commissioner)].restricting &&
                            !year_end;
    next.referral_share = restricted ? setup_->commissioners[static_cast<std::size_t>(ts.commissioner)].restricted_referral_share : 1.0;
    m.referral_share = s.referral_share_in_effect;
    s.referral_share_in_effect = next.referral_share;
    // The regulator's agency rules for next month: the bans, and a spend ceiling that cuts
    // cover in proportion to how far this month's agency share of the pay bill passed it (and
    // restores it as far as the ceiling allows).
    if (next_rules.any()) {
      next.agency_banned = {next_rules.banned.ed_clinicians, next_rules.banned.ward_nurses, next_rules.banned.theatre_teams};
      const double pay_bill = m.cost_pay + m.cost_agency;
      if (next_rules.spend_ceiling_share_of_pay > 0.0 && m.cost_agency > 0.0 && pay_bill > 0.0)
        s.agency_ceiling_factor =
            std::min(1.0, s.agency_ceiling_factor * next_rules.spend_ceiling_share_of_pay * pay_bill / m.cost_agency);
      next.agency_factor *= s.agency_ceiling_factor;
    } else {
      s.agency_ceiling_factor = 1.0;
    }
    next_levers[t] = next;
    s.plans.erase(s.plans.begin(), s.plans.upper_bound(month));
  }

  if (ranking) {
    for (std::size_t t = 0; t < n; ++t)
      league[t].surplus_share_of_income = trusts_[t].ytd_income > 0.0 ? trusts_[t].ytd_surplus / trusts_[t].ytd_income : 0.0;
    const LeagueResult ranked = rank_trusts(ranking->league_table, league);
    std::vector<double> ytd_surplus(n);
    for (std::size_t t = 0; t < n; ++t) {
      trusts_[t].league_rank = ranked.rank[t];
      trusts_[t].league_segment = ranked.segment[t];
      ytd_surplus[t] = trusts_[t].ytd_surplus;
    }
    const std::vector<double> committed = oversight_.after_ranking(
        month, ranked.segment, ytd_surplus, setup_->in_force(&RegulatorParams::turnaround, date),
        setup_->in_force(&RegulatorParams::management_replacement, date),
        setup_->in_force(&RegulatorParams::recruitment_penalty, date),
        setup_->in_force(&RegulatorParams::capital_freedom, date));
    for (std::size_t t = 0; t < n; ++t) out[t].capital_committed = committed[t];
  } else if (quarter_end) {
    oversight_.no_ranking();
  }
  const CapitalRewardsParams* rewards = setup_->in_force(&RegulatorParams::capital_rewards, date);
  if (quarter_end && rewards && date.month == rewards->award_month) {
    std::vector<double> within_4h(n);
    for (std::size_t t = 0; t < n; ++t) within_4h[t] = league[t].ed_within_4h;
    const std::vector<double> award = oversight_.award_capital(month, within_4h, *rewards);
    for (std::size_t t = 0; t < n; ++t) out[t].capital_rewards = award[t];
  }
  for (std::size_t t = 0; t < n; ++t) {
    out[t].league_rank = trusts_[t].league_rank;
    out[t].league_segment = trusts_[t].league_segment;
    Levers& next = next_levers[t];
    next.productivity_factor = oversight_.productivity(t, month + 1);
    next.recruitment_factor = oversight_.recruitment_factor(t);
    next.capital_beds = trusts_[t].capital_beds;
  }
  return out;
}

}  // namespace breachsim::models
