// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/balance_sheet.hpp"
#include "models/finance.hpp"
#include "models/fines.hpp"
#include "models/incentive_fund.hpp"
#include "models/regulator.hpp"
#include "models/trust.hpp"
#include "sim/calendar.hpp"
#include "sim/random.hpp"

// The month-end settlement of one replication (DESIGN.md data flow): after every trust has
// run a month, each is paid for its activity and charges its costs, fines are levied and
// sent where the schemes say, the incentive fund and the pools pay out at quarter and year
// ends, the balance sheets post, commissioners watch their allocations and management
// decides the capacity of the months ahead. Every pound fined is somewhere:
//   levied = withheld + returned + awaiting return + paid out of pools + left in pools.
namespace breachsim::models {

// A commissioner pays one or more trusts out of an annual allocation; when its year-to-date
// payments run beyond the allocation it restricts elective referrals for the rest of the
// financial year (docs/sources.md §1).
struct CommissionerParams {
  std::string name;
  double allocation_gbp_per_year = 0.0;
  double restricted_referral_share = 0.9;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("name", name, Doc{"", "Commissioner name, referred to by trusts' `commissioner` (required).", ""});
    v.field("allocation_gbp_per_year", allocation_gbp_per_year,
            Doc{"GBP a year", "What the commissioner can spend on its trusts' activity in a year; 0: unlimited.", "assumption",
                Range::non_negative()});
    v.field("restricted_referral_share", restricted_referral_share,
            Doc{"share", "Share of elective referrals let through, from the month after an overspend to the financial-year end.",
                "assumption", Range::fraction()});
  }
};

// The finance side of one trust that settlement needs, fixed for a run.
struct TrustFinanceSetup {
  std::string region;
  int commissioner = -1;  // index into the commissioners; -1: its own, unlimited
  FinanceParams finance;
  ManagementParams management;
  double planned_theatre_sessions_per_month = 0.0;
};

struct FinanceSetup {
  std::vector<TrustFinanceSetup> trusts;
  std::vector<CommissionerParams> commissioners;
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

// One trust-month of money, GBP (a deficit is a negative surplus).
struct MoneyMonth {
  double income_activity = 0;          // tariff (or block) for the month's activity, coding outcome included
  double income_other = 0;             // activity not simulated patient by patient
  double income_incentives = 0;        // incentive fund and CQUIN
  double readmission_nonpayment = 0;   // tariff not paid for readmissions (already left out of income_activity)
  double rebooking_nonpayment = 0;     // tariff not paid for operations rebooked beyond 28 days (likewise)
  double coding_uplift = 0;            // of income_activity, the coding uplift kept after any challenge
  double fines = 0;                    // levied after caps, waivers and suspensions
  double fines_waived = 0;             // assessed but waived, suspended or cut by caps: assessed = fines + fines_waived
  double fines_withheld = 0, fines_reinvested = 0, fines_pooled = 0;  // where this month's fines went
  double fines_returned = 0;           // reinvested fines coming back this month
  double pool_payouts = 0;             // received from fine pools as a trust in deficit
  double fund_unearned = 0;            // incentive-fund allocation not earned this quarter
  double cost_pay = 0;                 // substantive pay, modelled groups and the rest
  double cost_agency = 0;
  double cost_other = 0;               // activity, fixed and extra-session costs, less CIP savings
  double cip_savings = 0;
  double interest = 0;
  double surplus = 0;
  double cumulative_deficit = 0;
  double debt = 0;
  double cash = 0;
  bool special_measures = false;
  bool cost_control = false;           // the policy was acting this month
  bool protect_performance = false;
  double extra_sessions = 0;           // bought with returned fines or to protect performance
  double referral_share = 1.0;         // share of referrals the commissioner let through
  double league_rank = 0, league_segment = 0;  // the latest quarter's league table; 0: not yet ranked
  bool control_total_met = false;      // year-to-date surplus at least the year-to-date control total
  double cip_delivered_share = 0;      // of this financial year's CIP target
  bool turnaround_team = false;        // the regulator's consequences in force this month
  double turnaround_cost = 0;          // (already in cost_other)
  bool management_replaced = false;
  double productivity_factor = 1.0, recruitment_factor = 1.0;
  double capital_rewards = 0, capital_committed = 0, capital_invested = 0;
  double capital_beds = 0;             // beds opened with capital so far
  std::vector<double> fines_by_scheme;

  double income() const { return income_activity + income_other + income_incentives + fines_returned + pool_payouts; }
  // Before interest, which the balance sheet charges.
  double operating_surplus() const { return income() - fines - cost_pay - cost_agency - cost_other; }
};

class Settlement {
 public:
  Settlement(const FinanceSetup& setup, const sim::Calendar& calendar, std::uint64_t seed, std::uint32_t replication);

  // Settles reported month `month` (0-based) given each trust's month, and returns the
  // levers each trust should run with next month.
  std::vector<MoneyMonth> settle(int month, const std::vector<TrustMonth>& months, std::vector<Levers>& next_levers);

  // For the conservation of money: fines still in pools or still to be returned, and the
  // incentive-fund money nobody earned.
  double pool_balance() const;
  double awaiting_return() const;
  double fund_returned_to_centre() const { return fund_returned_to_centre_; }

 private:
  // What management decided for one coming month.
  struct Plan {
    Levers levers;
    double extra_sessions = 0, extra_cost = 0;
    bool cost_control = false, protect_performance = false;
  };
  struct TrustState {
    explicit TrustState(const BorrowingParams& p) : sheet(p) {}
    BalanceSheet sheet;
    double ytd_surplus = 0, ytd_income = 0, ytd_before_fund = 0;
    double ytd_fines = 0;
    double cumulative_deficit = 0;  // at the last month end
    std::vector<double> ytd_scheme;
    double cip_delivered = 0;
    double quarter_emergency = 0, quarter_ed_attendances = 0, quarter_ed_breaches = 0;
    double quarter_cancer_treated = 0, quarter_cancer_breaches = 0;
    double quarter_trolley_waits = 0;
    int league_rank = 0, league_segment = 0;
    double fund_allocation_year = 0;
    std::map<int, double> returns;  // month -> reinvested fines due back
    std::map<int, Plan> plans;      // month -> what was decided for it
    bool cost_control = false;      // the policy's state, with hysteresis
    double referral_share_in_effect = 1.0;
    double agency_ceiling_factor = 1.0;  // the spend ceiling's cut to agency cover
    double capital_spent = 0;       // on beds, over the run
    int capital_beds = 0;           // open from the month after the spending
  };
  struct CommissionerState {
    double ytd_spend = 0;
    bool restricting = false;
  };

  sim::RandomStream draws(std::size_t trust, int month, std::uint64_t what) const;
  void start_year(int month);

  const FinanceSetup* setup_;
  const sim::Calendar* calendar_;
  std::uint64_t seed_;
  std::uint32_t replication_;
  std::vector<TrustState> trusts_;
  std::vector<CommissionerState> commissioners_;
  Oversight oversight_;
  std::map<std::string, double> pools_;
  double fund_unearned_year_ = 0;
  double fund_returned_to_centre_ = 0;
  int year_months_ = 0;
};

}  // namespace breachsim::models
