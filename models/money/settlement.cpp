// SPDX-License-Identifier: MIT
#include "models/money/settlement.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "models/money/costs.hpp"
#include "sim/invariant.hpp"

namespace breachsim::models {

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
                       std::uint32_t replication, std::vector<const FinanceSetup*> shadow)
    : setup_(&setup),
      calendar_(&calendar),
      seed_(seed),
      replication_(replication),
      performance_(setup.trusts.size()),
      flows_(setup.schemes, setup.trusts.size()),
      commissioners_(setup.commissioners),
      oversight_(setup.trusts.size()),
      shadow_(std::move(shadow), setup.trusts.size()) {
  books_.reserve(setup.trusts.size());
  for (const TrustFinanceSetup& t : setup.trusts) {
    books_.emplace_back(t.finance.borrowing);
    books_.back().income = compile_income(t.finance.income);
    books_.back().fines.by_scheme.assign(setup.schemes.size(), 0.0);
    regions_.push_back(t.region);
    names_.push_back(t.name);
  }
}

MoneyDraws Settlement::draws(std::size_t t, int month) const {
  return MoneyDraws{sim::StreamKey{seed_, replication_, static_cast<std::uint32_t>(t)}, month};
}

void Settlement::start_year(int month) {
  for (std::size_t t = 0; t < books_.size(); ++t) {
    Books& b = books_[t];
    b.ytd_surplus = b.ytd_income = b.ytd_before_fund = b.accrued_incentives = 0.0;
    std::fill(b.fines.by_scheme.begin(), b.fines.by_scheme.end(), 0.0);
    b.fines.total = 0.0;
    b.fund_allocation_year = 0.0;
    // Drawn once a year per trust, keyed by the month the year starts, so a trust's luck
    // with its savings is the same at every sweep point.
    auto d = draws(t, month).draw(FinanceDraw::cip);
    const CostParams& costs = setup_->trusts[t].finance.costs;
    b.cip_delivered = cip_delivered_share(costs, costs.cip_delivered_share.build().sample(d));
    b.cip_plan_due = true;
  }
  commissioners_.start_year();
  oversight_.start_year();
  shadow_.start_year();
  fund_unearned_year_ = 0.0;
  year_months_ = 0;
}

MonthEnd Settlement::open_month(int month) {
  MonthEnd me;
  me.month = month;
  me.date = calendar_->month_date(month);
  if (month == 0 || me.date.month == 4) start_year(month);
  me.elapsed = ++year_months_;
  me.quarter_end = me.date.month % 3 == 0;
  me.year_end = me.date.month == 3;
  me.quarter_start = calendar_->month_date(std::max(0, month - 2));
  me.fund = setup_->fund_at(me.date);
  me.agency = setup_->agency_at(me.date);
  shadow_.open_month(me.date);
  return me;
}

// The month end, as the data flow reads (docs/architecture.md).
std::vector<MoneyMonth> Settlement::settle(int month, const std::vector<TrustMonth>& months,
                                           std::vector<Levers>& next_levers) {
  const MonthEnd me = open_month(month);
  const bool new_quarter = month == 0 || me.date.month % 3 == 1, new_year = month == 0 || me.date.month == 4;
  const std::size_t n = books_.size();
  std::vector<MoneyMonth> out(n);
  for (std::size_t t = 0; t < n; ++t) {
    const PerformanceRecord& record = performance_.measure(t, months[t], new_quarter, new_year);
    out[t].fines_by_scheme.assign(setup_->schemes.size(), 0.0);
    earn(t, me, months[t], record, out[t]);
    spend(t, me, months[t], out[t]);
    fine(t, me, record, out[t]);
  }
  shadow_.close_month();
  if (me.quarter_end) pay_pools(out);
  pay_fund(me, out);
  commissioners_.review(me);
  const AgencyRulesParams next_rules = setup_->agency_at(calendar_->month_date(month + 1));
  next_levers.assign(n, Levers{});
  for (std::size_t t = 0; t < n; ++t) {
    post(t, me, out[t]);
    next_levers[t] = manage(t, me, next_rules, out[t]);
  }
  account_footprints(me);
  oversee(me, out, next_levers);
  if constexpr (sim::invariants_checked)
    ledger_.close_month(names_, out, flows_.awaiting_return(), flows_.pool_balance(), calendar_->month_start(month + 1));
  return out;
}

// Income: tariff or block, other income, CQUIN at quarter ends.
void Settlement::earn(std::size_t t, const MonthEnd& me, const TrustMonth& tm, const PerformanceRecord& r,
                      MoneyMonth& m) {
  const FinanceParams& f = setup_->trusts[t].finance;
  pay_for_activity(f, books_[t].income, tm, draws(t, me.month), m);
  if (me.quarter_end) pay_cquin(f, books_[t].income, r, draws(t, me.month), m);
}

// Costs: pay, agency, activity and the extra sessions planned for this month, less CIP
// productivity savings, with the posts CIP took out; then what the regulator's consequences
// cost (a turnaround team, beds bought with capital).
void Settlement::spend(std::size_t t, const MonthEnd& me, const TrustMonth& tm, MoneyMonth& m) {
  const CostParams& cost = setup_->trusts[t].finance.costs;
  Books& b = books_[t];
  const Plan now = b.management.plan_for(me.month);
  m.extra_sessions = now.extra_sessions;
  m.acting = now.acting;
  const double before_savings =
      charge_costs(cost, me.agency, tm, b.cip_delivered, b.cip_in_force.other_pay_cut_share, now.extra_cost, m);
  improve(t, before_savings, m);

  const OversightMonth om = oversight_.in_month(t, me.month);
  m.turnaround_team = om.turnaround_team;
  m.turnaround_cost = om.turnaround_cost;
  m.management_replaced = om.management_replaced;
  m.productivity_factor = om.productivity_factor;
  m.recruitment_factor = om.recruitment_factor;
  m.cost_other += om.turnaround_cost + b.capital_beds * cost.capital_bed_running_gbp_per_year / 12.0;
  m.capital_invested = om.capital_own + om.capital_awarded;
  b.capital_own_month = om.capital_own;
  b.capital_spent += m.capital_invested;
  b.capital_beds = static_cast<int>(std::floor(b.capital_spent / cost.capital_gbp_per_bed));
  m.capital_beds = b.capital_beds;
}

// Cost improvement's capacity part (models/money/cost_improvement.hpp): planned at the year's
// first month end, a year at the rate of that month's costs, when the year's execution is
// known; the posts come out with next month's levers and stay out until the next year's plan
// replaces them. The month reports the posts out while it ran.
void Settlement::improve(std::size_t t, double costs_before_savings, MoneyMonth& m) {
  const TrustFinanceSetup& ts = setup_->trusts[t];
  const CostParams& cost = ts.finance.costs;
  Books& b = books_[t];
  if (b.cip_plan_due) {
    const double year = cost.cip_target_share * b.cip_delivered * cost.cip_capacity_share * 12.0 * costs_before_savings;
    b.cip_plan = plan_cip_capacity(cost, ts.posts, year);
    b.cip_plan_due = false;
  }
  const CipCapacity& out = b.cip_in_force;
  m.cip_savings_capacity = out.taken_gbp_year / 12.0;
  m.cip_capacity_blocked = out.blocked_gbp_year / 12.0;
  m.cip_establishment_cut_wte = out.cut_wte_total();
  m.cip_savings += m.cip_savings_capacity;
}

// Fines: assessed, suspended, waived and capped; sent where their schemes say; reinvested
// fines due back paid; and the commissioner's side of the month.
void Settlement::fine(std::size_t t, const MonthEnd& me, const PerformanceRecord& r, MoneyMonth& m) {
  const TrustFinanceSetup& ts = setup_->trusts[t];
  Books& b = books_[t];
  const Levy levy = levy_fines(setup_->schemes, r.counts, me.date, fine_terms(ts.finance, me.fund != nullptr),
                               draws(t, me.month), b.fines, m.fines_by_scheme);
  shadow_.levy(t, me.date, r.counts, draws(t, me.month));
  m.fines = levy.levied;
  m.fines_waived = levy.assessed - m.fines;  // waived, suspended, or cut by a scheme's or the overall caps
  flows_.send(t, me.month, setup_->schemes, m);
  m.fines_returned = flows_.take_returns(t, me.month);
  // The commissioner keeps back withheld and reinvested fines (the latter until it returns
  // them); pooled fines leave it for the pool.
  // (The incentive fund, paid later in the month end, is national money, not the commissioner's.)
  m.commissioner_payment =
      m.income_activity + m.income_incentives + m.fines_returned - m.fines_withheld - m.fines_reinvested;
  commissioners_.pay(ts.commissioner, m.commissioner_payment);
}

void Settlement::pay_pools(std::vector<MoneyMonth>& out) {
  std::vector<double> deficit(books_.size());
  for (std::size_t t = 0; t < books_.size(); ++t) deficit[t] = books_[t].cumulative_deficit;
  flows_.pay_out(regions_, deficit, out);
}

// The incentive fund judges the operating position before its own money: quarterly on the
// year to date and the quarter's performance, and at the year end with bonuses and
// redistribution of what was not earned.
void Settlement::pay_fund(const MonthEnd& me, std::vector<MoneyMonth>& out) {
  const std::size_t n = books_.size();
  for (std::size_t t = 0; t < n; ++t) books_[t].ytd_before_fund += out[t].operating_surplus();
  if (!me.fund) return;
  if (me.quarter_end && fund_applies(*me.fund, me.quarter_start)) {
    std::vector<FundQuarterInput> in(n);
    for (std::size_t t = 0; t < n; ++t) {
      const FinanceParams& f = setup_->trusts[t].finance;
      const PerformanceRecord& r = performance_[t];
      in[t].takes_fund = f.takes_incentive_fund;
      in[t].emergency_admissions = r.tally(Standard::ed_12h, Period::quarter).total;
      in[t].ytd_surplus = books_[t].ytd_before_fund;
      in[t].ytd_control_total = me.to_date(f.control_total_gbp_per_year);
      in[t].ed_within_4h = r.within(Standard::ed_4h, Period::quarter);
      in[t].rtt_within_18w = r.within(Standard::rtt_18w, Period::quarter);
      in[t].cancer_within_62d = r.within(Standard::cancer_62d, Period::quarter);
      in[t].ed_trajectory = f.ed_trajectory;
      in[t].rtt_trajectory = f.rtt_trajectory;
      in[t].cancer_trajectory = f.cancer_trajectory;
    }
    const auto paid = settle_quarter(*me.fund, in);
    for (std::size_t t = 0; t < n; ++t) {
      out[t].income_incentives += paid[t].paid();
      out[t].fund_unearned = paid[t].unearned();
      books_[t].fund_allocation_year += paid[t].allocation;
      fund_unearned_year_ += paid[t].unearned();
    }
  }
  if (me.year_end) {
    std::vector<FundYearInput> in(n);
    for (std::size_t t = 0; t < n; ++t) {
      in[t].takes_fund = setup_->trusts[t].finance.takes_incentive_fund;
      in[t].surplus = books_[t].ytd_before_fund;
      in[t].control_total = setup_->trusts[t].finance.control_total_gbp_per_year;
      in[t].allocation = books_[t].fund_allocation_year;
    }
    const FundYearResult r = settle_year(*me.fund, fund_unearned_year_, in);
    for (std::size_t t = 0; t < n; ++t) out[t].income_incentives += r.bonus[t] + r.redistributed[t];
    fund_returned_to_centre_ += r.returned_to_centre;
    fund_unearned_year_ = 0.0;
  }
}

// The balance sheet: interest, cash, loans and special measures (models/money/balance_sheet.hpp).
void Settlement::post(std::size_t t, const MonthEnd& me, MoneyMonth& m) {
  const FinanceParams& f = setup_->trusts[t].finance;
  Books& b = books_[t];
  const double operating_surplus = m.operating_surplus();
  b.ytd_income += m.income();
  const double annual_income = b.ytd_income * 12.0 / me.elapsed;
  const double cash_before = b.sheet.cash(), debt_before = b.sheet.debt();
  const MonthPosting p = b.sheet.post_month(operating_surplus, annual_income, me.year_end,
                                            b.ytd_surplus + operating_surplus, f.control_total_gbp_per_year,
                                            b.capital_own_month);
  if constexpr (sim::invariants_checked)
    MoneyLedger::check_posting("trust '" + names_[t] + "' (index " + std::to_string(t) + ")",
                               {p, operating_surplus, b.capital_own_month, cash_before, debt_before},
                               calendar_->month_start(me.month + 1));
  b.ytd_surplus += p.surplus;
  m.interest = p.interest;
  m.surplus = p.surplus;
  m.cumulative_deficit = b.cumulative_deficit = p.cumulative_deficit;
  m.debt = p.revolving_debt + p.long_term_debt;
  m.cash = p.cash;
  m.special_measures = p.special_measures;
  m.control_total_met = b.ytd_surplus >= me.to_date(f.control_total_gbp_per_year);
  // What the floors kept from the capacity part is not delivered.
  m.cip_delivered_share = b.cip_delivered * (1.0 - f.costs.cip_capacity_share * b.cip_plan.blocked_share());
}

// Footprints, once every trust has posted and every commissioner has reviewed its spending:
// the same year-to-date figures each member is judged on, summed (models/money/footprints.hpp).
void Settlement::account_footprints(const MonthEnd& me) {
  if (setup_->footprints.empty()) return;
  FootprintMembersToDate m;
  for (std::size_t t = 0; t < books_.size(); ++t) {
    m.trust_surplus.push_back(books_[t].ytd_surplus);
    m.trust_control_total.push_back(me.to_date(setup_->trusts[t].finance.control_total_gbp_per_year));
  }
  for (std::size_t c = 0; c < setup_->commissioners.size(); ++c) {
    const CommissionerParams& p = setup_->commissioners[c];
    m.commissioner_allocation.push_back(me.to_date(p.allocation_gbp_per_year));
    m.commissioner_spend.push_back(commissioners_.ytd_spend(c));
    m.commissioner_planned_surplus.push_back(me.to_date(p.planned_surplus_gbp_per_year));
  }
  footprints_.clear();
  for (const Footprint& f : setup_->footprints) footprints_.push_back(footprint_to_date(f, m));
}

// CQUIN and the fund are paid at the quarter end for the quarter just gone, but a trust's
// accounts book them as earned month by month (in full: accruals assume the goals are met,
// CQUIN on quality goals at their expected rate). At the quarter end the payment replaces the
// accrual, so a quarter not earned shows then, as it did in trusts' accounts.
void Settlement::accrue_incentives(std::size_t t, const MonthEnd& me) {
  Books& b = books_[t];
  if (me.quarter_end) {
    b.accrued_incentives = 0.0;
    return;
  }
  const FinanceParams& f = setup_->trusts[t].finance;
  const PaymentParams& pay = f.income;
  const double cquin_rate = b.income.cquin_on ? 1.0 : pay.cquin_earned_probability;
  b.accrued_incentives += pay.cquin_share * f.contract_value_gbp_per_year / 12.0 * cquin_rate;
  if (me.fund && f.takes_incentive_fund && fund_applies(*me.fund, me.date))
    b.accrued_incentives +=
        me.fund->gbp_per_emergency_admission * performance_[t].tally(Standard::ed_12h, Period::month).total;
}

// Management decides a month ahead; the levers for next month are what was decided for it,
// with the commissioner's referral restriction and the regulator's agency rules.
Levers Settlement::manage(std::size_t t, const MonthEnd& me, const AgencyRulesParams& next_rules, MoneyMonth& m) {
  const TrustFinanceSetup& ts = setup_->trusts[t];
  Books& b = books_[t];
  const PerformanceRecord& r = performance_[t];
  accrue_incentives(t, me);
  ManagementView view;
  view.month = me.month;
  view.behind_plan = me.to_date(ts.finance.control_total_gbp_per_year) - (b.ytd_surplus + b.accrued_incentives);
  view.ytd_income = b.ytd_income;
  view.ed_within_4h = r.within(Standard::ed_4h, Period::month);
  view.rtt_within_18w = r.within(Standard::rtt_18w, Period::month);
  view.fines_returned = m.fines_returned;
  view.planned_sessions = ts.planned_theatre_sessions_per_month;
  view.extra_session_premium_gbp = ts.finance.costs.extra_session_premium_gbp;
  view.special_measures = b.sheet.in_special_measures();  // as the month it decides for will start
  view.paid_by_activity = b.income.payment == Payment::activity;
  b.management.decide(ts.management, view);

  Levers next = b.management.plan_for(me.month + 1).levers;
  b.cip_in_force = b.cip_plan;
  next.establishment_cut_wte = b.cip_plan.cut_wte;
  next.referral_share = commissioners_.referral_share_next(ts.commissioner, me);
  m.referral_share = b.referral_share_in_effect;
  b.referral_share_in_effect = next.referral_share;
  if (next_rules.any()) {
    next.agency_banned = {next_rules.banned.ed_clinicians, next_rules.banned.ward_nurses, next_rules.banned.theatre_teams};
    b.agency_ceiling_factor = agency_ceiling_cut(next_rules, b.agency_ceiling_factor, m.cost_pay, m.cost_agency);
    next.agency_factor *= b.agency_ceiling_factor;
  } else {
    b.agency_ceiling_factor = 1.0;
  }
  b.management.forget_through(me.month);
  return next;
}

// The quarter as the league table and the capital rewards see it, with finance from the
// posted balance sheets.
std::vector<LeagueTrustQuarter> Settlement::league_quarter() const {
  std::vector<LeagueTrustQuarter> league(books_.size());
  for (std::size_t t = 0; t < books_.size(); ++t) {
    const PerformanceRecord& r = performance_[t];
    league[t].ed_within_4h = r.within(Standard::ed_4h, Period::quarter);
    league[t].trolley_waits_per_1000 = r.tally(Standard::ed_12h, Period::quarter).per_1000();
    league[t].rtt_within_18w = r.within(Standard::rtt_18w, Period::quarter);
    league[t].cancer_within_62d = r.within(Standard::cancer_62d, Period::quarter);
    const Books& b = books_[t];
    league[t].surplus_share_of_income = b.ytd_income > 0.0 ? b.ytd_surplus / b.ytd_income : 0.0;
  }
  return league;
}

// Oversight: at quarter ends the regulator ranks the trusts and its consequences decide;
// capital is awarded in the award quarter; next month's levers get their effects.
void Settlement::oversee(const MonthEnd& me, std::vector<MoneyMonth>& out, std::vector<Levers>& next_levers) {
  const std::size_t n = books_.size();
  const RegulatorParams* ranking = me.quarter_end ? setup_->league_at(me.date) : nullptr;
  const std::vector<LeagueTrustQuarter> league = me.quarter_end ? league_quarter() : std::vector<LeagueTrustQuarter>{};
  if (ranking) {
    const LeagueResult ranked = rank_trusts(ranking->league_table, league);
    std::vector<double> ytd_surplus(n);
    for (std::size_t t = 0; t < n; ++t) {
      books_[t].league_rank = ranked.rank[t];
      books_[t].league_segment = ranked.segment[t];
      ytd_surplus[t] = books_[t].ytd_surplus;
    }
    const std::vector<double> committed = oversight_.after_ranking(
        me.month, ranked.segment, ytd_surplus, setup_->in_force(&RegulatorParams::turnaround, me.date),
        setup_->in_force(&RegulatorParams::management_replacement, me.date),
        setup_->in_force(&RegulatorParams::recruitment_penalty, me.date),
        setup_->in_force(&RegulatorParams::capital_freedom, me.date));
    for (std::size_t t = 0; t < n; ++t) out[t].capital_committed = committed[t];
  } else if (me.quarter_end) {
    oversight_.no_ranking();
  }
  const CapitalRewardsParams* rewards = setup_->in_force(&RegulatorParams::capital_rewards, me.date);
  if (me.quarter_end && rewards && me.date.month == rewards->award_month) {
    std::vector<double> within_4h(n);
    for (std::size_t t = 0; t < n; ++t) within_4h[t] = league[t].ed_within_4h;
    const std::vector<double> award = oversight_.award_capital(me.month, within_4h, *rewards);
    for (std::size_t t = 0; t < n; ++t) out[t].capital_rewards = award[t];
  }
  for (std::size_t t = 0; t < n; ++t) {
    out[t].league_rank = books_[t].league_rank;
    out[t].league_segment = books_[t].league_segment;
    next_levers[t].productivity_factor = oversight_.productivity(t, me.month + 1);
    next_levers[t].recruitment_factor = oversight_.recruitment_factor(t);
    next_levers[t].capital_beds = books_[t].capital_beds;
  }
}

}  // namespace breachsim::models
