// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/money/balance_sheet.hpp"
#include "models/money/commissioners.hpp"
#include "models/money/cost_improvement.hpp"
#include "models/money/finance.hpp"
#include "models/money/fines.hpp"
#include "models/money/footprints.hpp"
#include "models/money/income.hpp"
#include "models/money/incentive_fund.hpp"
#include "models/money/management.hpp"
#include "models/money/money_ledger.hpp"
#include "models/money/money_month.hpp"
#include "models/money/month_end.hpp"
#include "models/care/performance.hpp"
#include "models/money/pools.hpp"
#include "models/money/shadow_levy.hpp"
#include "models/regulator/regulator.hpp"
#include "models/care/trust.hpp"
#include "sim/calendar.hpp"

// The month end of one replication, in named stages (docs/architecture.md): after every trust
// has run a month, its performance is measured once; each trust is paid for its activity
// (income), charges its costs, and is fined (fines and where they go); pools and the incentive
// fund pay out at quarter and year ends; commissioners watch their allocations; the balance
// sheets post (loans, interest, special measures); management decides the capacity of the
// months ahead; and the regulator ranks trusts and intervenes (oversight). Every pound fined
// is somewhere: levied = withheld + returned + awaiting return + paid out of pools + left in pools.
namespace breachsim::models {

// The finance side of one trust that settlement needs, fixed for a run.
struct TrustFinanceSetup {
  std::string region;
  int commissioner = -1;  // index into the commissioners; -1: its own, unlimited
  FinanceParams finance;
  ManagementParams management;
  double planned_theatre_sessions_per_month = 0.0;
  std::array<StaffPosts, staff_group_count> posts{};  // the modelled groups' configured establishments and floors
  std::string name;  // the trust's, for reports
};

struct FinanceSetup {
  std::vector<TrustFinanceSetup> trusts;
  std::vector<CommissionerParams> commissioners;
  std::vector<Footprint> footprints;
  std::vector<Scheme> schemes;
  // The scenario's own fund and regulator first, then each regime's, every one dated: at any
  // date at most one fund settles and at most one of each league table and consequence is in
  // force (load_sweep checks), while agency rules in force together all apply.
  std::vector<IncentiveFundParams> funds;
  std::vector<RegulatorParams> regulators;

  // The enabled fund that settles the quarter or month starting on `date`, if any.
  const IncentiveFundParams* fund_at(const sim::Date& date) const;
  // Every agency rule in force on `date` at once: the lowest price cap and spend ceiling, and
  // every ban.
  AgencyRulesParams agency_at(const sim::Date& date) const;
  // The regulator whose league table ranks trusts at the quarter end of month `date`, if any.
  const RegulatorParams* league_at(const sim::Date& date) const;
  // The first regulator with `member` enabled and deciding on `date`, if any.
  template <class P>
  const P* in_force(P RegulatorParams::*member, const sim::Date& date) const {
    for (const RegulatorParams& r : regulators) {
      const P& p = r.*member;
      if (p.enabled && sim::in_period(date, p.from, p.to)) return &p;
    }
    return nullptr;
  }
};

// A trust's fine terms in the month: the same for its own levy and for the shadow levies.
inline FineTerms fine_terms(const FinanceParams& f, bool fund_in_force) {
  return FineTerms{f.fined, fund_in_force && f.takes_incentive_fund, f.contract_value_gbp_per_year,
                   f.fines_cap_share_of_contract_month, f.fines_cap_share_of_contract_year};
}

class Settlement {
 public:
  // `shadow`: the finance of every sweep point whose sanctions are levied in the shadow on
  // this replication's breaches (ShadowLevies); empty for all but the baseline point's tasks.
  Settlement(const FinanceSetup& setup, const sim::Calendar& calendar, std::uint64_t seed, std::uint32_t replication,
             std::vector<const FinanceSetup*> shadow = {});

  // Settles reported month `month` (0-based; months in order) given each trust's month, and
  // returns the levers each trust should run with next month.
  std::vector<MoneyMonth> settle(int month, const std::vector<TrustMonth>& months, std::vector<Levers>& next_levers);

  // For the conservation of money: fines still in pools or still to be returned, and the
  // incentive-fund money nobody earned.
  double pool_balance() const { return flows_.pool_balance(); }
  double awaiting_return() const { return flows_.awaiting_return(); }
  double fund_returned_to_centre() const { return fund_returned_to_centre_; }
  // [footprint]: each footprint's outturn and plan in the financial year to date, as of the
  // last month settled.
  const std::vector<FootprintToDate>& footprints() const { return footprints_; }
  // [shadow point]: what its sanctions levied on this replication's breaches so far.
  const std::vector<double>& shadow_levies() const { return shadow_.totals(); }

 private:
  // One trust's books between month ends.
  struct Books {
    explicit Books(const BorrowingParams& p) : sheet(p) {}
    BalanceSheet sheet;
    IncomeRules income;
    double ytd_surplus = 0, ytd_income = 0, ytd_before_fund = 0;
    // Incentive income (CQUIN, the fund) earned in this quarter's months so far but paid only
    // at its end: management judges the year to date on an accruals basis.
    double accrued_incentives = 0;
    FinesToDate fines;
    double cumulative_deficit = 0;  // at the last month end
    double cip_delivered = 0;       // share of this year's CIP target, drawn at the year start
    bool cip_plan_due = false;      // the year's capacity part to plan at this month end
    CipCapacity cip_plan;           // this year's, decided at its first month end
    CipCapacity cip_in_force;       // the posts out this month: last month's plan
    int league_rank = 0, league_segment = 0;
    double fund_allocation_year = 0;
    Management management;
    double referral_share_in_effect = 1.0;
    double agency_ceiling_factor = 1.0;  // the spend ceiling's cut to agency cover
    double capital_spent = 0;       // on beds, over the run
    int capital_beds = 0;           // open from the month after the spending
    double capital_own_month = 0;   // own surplus spent on capital this month: leaves cash at posting
  };

  MonthEnd open_month(int month);
  void start_year(int month);
  MoneyDraws draws(std::size_t t, int month) const;
  // The stages, in the order settle() runs them.
  void earn(std::size_t t, const MonthEnd& me, const TrustMonth& tm, const PerformanceRecord& r, MoneyMonth& m);
  void spend(std::size_t t, const MonthEnd& me, const TrustMonth& tm, MoneyMonth& m);
  void improve(std::size_t t, double costs_before_savings, MoneyMonth& m);
  void fine(std::size_t t, const MonthEnd& me, const PerformanceRecord& r, MoneyMonth& m);
  void pay_pools(std::vector<MoneyMonth>& out);
  void pay_fund(const MonthEnd& me, std::vector<MoneyMonth>& out);
  void post(std::size_t t, const MonthEnd& me, MoneyMonth& m);
  Levers manage(std::size_t t, const MonthEnd& me, const AgencyRulesParams& next_rules, MoneyMonth& m);
  void accrue_incentives(std::size_t t, const MonthEnd& me);
  void account_footprints(const MonthEnd& me);
  void oversee(const MonthEnd& me, std::vector<MoneyMonth>& out, std::vector<Levers>& next_levers);
  std::vector<LeagueTrustQuarter> league_quarter() const;

  const FinanceSetup* setup_;
  const sim::Calendar* calendar_;
  std::uint64_t seed_;
  std::uint32_t replication_;
  std::vector<Books> books_;
  std::vector<std::string> regions_;
  PerformanceLedger performance_;
  FineFlows flows_;
  Commissioners commissioners_;
  Oversight oversight_;
  ShadowLevies shadow_;
  std::vector<FootprintToDate> footprints_;
  std::vector<std::string> names_;  // for invariant reports
  MoneyLedger ledger_;              // checked in builds that check invariants (sim/invariant.hpp)
  double fund_unearned_year_ = 0;
  double fund_returned_to_centre_ = 0;
  int year_months_ = 0;
};

}  // namespace breachsim::models
