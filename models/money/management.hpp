// SPDX-License-Identifier: MIT
#pragma once
#include <map>

#include "sim/config.hpp"
#include "models/care/trust.hpp"

// The management stage of the month end (docs/sources.md §1, the feedback loop): each trust's
// managers look at the year so far and the month just gone and decide the capacity of a month
// `lag_months` ahead. Each policy is a function of what they see; a plan holds what the
// policies decided for one month.
namespace breachsim::models {

// When the year-to-date position falls behind plan, cut costs (docs/sources.md §1: agency cover,
// recruitment and, where activity is not paid for by tariff, bed closures and cancelled
// electives); restore them once back on plan. The cuts are
// bounded: each is a fixed share while acting (they do not compound month on month), a
// recruitment freeze lasts at most freeze_max_months of an episode, and no cut takes a staff
// group below its safe-staffing floor (StaffGroupParams::floor_share_of_establishment).
struct CostControlParams {
  bool enabled = false;
  double trigger_share_of_income = 0.01;
  double agency_factor = 0.5;
  bool freeze_recruitment = true;
  int freeze_max_months = 6;
  double close_beds_share = 0.03;
  double cancel_sessions_share = 0.1;
  bool cut_capacity_under_tariff = false;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("enabled", enabled, Doc{"", "Switch the policy on.", ""});
    v.field("trigger_share_of_income", trigger_share_of_income,
            Doc{"share of year-to-date income", "Acts when the year-to-date surplus falls this far below the year-to-date control total; relaxes when back on it.",
                "assumption", Range::fraction()});
    v.field("agency_factor", agency_factor,
            Doc{"multiplier", "Agency share of the staffing gap while acting (0: no agency).", "assumption", Range::between(0.0, 1.0)});
    v.field("freeze_recruitment", freeze_recruitment,
            Doc{"", "Recruit nobody while acting (but never below a group's safe-staffing floor), for at most freeze_max_months of an episode.",
                "assumption"});
    v.field("freeze_max_months", freeze_max_months,
            Doc{"months", "Longest a recruitment freeze lasts in one episode of cost control; recruiting resumes after it even if the trust is still behind plan.",
                "assumption: freezes were announced for a quarter or two (docs/sources.md §1)", Range::between(1, 120)});
    v.field("close_beds_share", close_beds_share,
            Doc{"share of open beds", "Escalation beds closed while acting.", "assumption", Range::fraction()});
    v.field("cancel_sessions_share", cancel_sessions_share,
            Doc{"share of theatre sessions", "Elective theatre sessions cancelled while acting.", "assumption", Range::fraction()});
    v.field("cut_capacity_under_tariff", cut_capacity_under_tariff,
            Doc{"", "Whether a trust paid by activity (payment: activity) also closes beds and cancels sessions; off, only a block-paid trust does, since under payment by results the activity lost takes its tariff with it and closing beds saves no staff (agency and recruitment are the cuts that save money).",
                "assumption: docs/sources.md §1 (under payment by results closing capacity to save money also loses income)"});
  }
};

// Spend to meet the targets: more agency cover while A&E misses its standard, extra theatre
// sessions while the waiting list does; but not at any price. The finance director stops it
// once the trust is far enough behind its control total or in financial special measures,
// and the regulator's agency rules (price cap, bans, spending ceiling) bound the agency it buys.
struct ProtectPerformanceParams {
  bool enabled = false;
  double ed_standard = 0.95;
  double agency_factor = 2.0;
  double rtt_standard = 0.92;
  double extra_sessions_share = 0.1;
  double stop_behind_plan_share = 0.02;
  bool stop_in_special_measures = true;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("enabled", enabled, Doc{"", "Switch the policy on.", ""});
    v.field("ed_standard", ed_standard,
            Doc{"share within 4 hours", "Below this in a month, agency cover rises.", "docs/sources.md §2: 95%", Range::fraction()});
    v.field("agency_factor", agency_factor,
            Doc{"multiplier", "Agency share of the staffing gap while A&E is below its standard (the share is capped at the whole gap).",
                "assumption", Range::at_least(1.0)});
    v.field("rtt_standard", rtt_standard,
            Doc{"share within 18 weeks", "Below this at a month end, extra theatre sessions are bought.", "docs/sources.md §2: 92%", Range::fraction()});
    v.field("extra_sessions_share", extra_sessions_share,
            Doc{"share of theatre sessions", "Extra sessions bought while the waiting list is below its standard, each at the extra-session premium.",
                "assumption", Range::between(0.0, 1.0)});
    v.field("stop_behind_plan_share", stop_behind_plan_share,
            Doc{"share of year-to-date income", "Buys nothing while the year-to-date surplus (accruals basis) is this far or further behind the year-to-date control total.",
                "assumption: a finance director overrules spending once the year's plan is in doubt", Range::fraction()});
    v.field("stop_in_special_measures", stop_in_special_measures,
            Doc{"", "Buys nothing while the trust is in financial special measures (its spending needs the regulator's approval).",
                "assumption (docs/sources.md §7)"});
  }
};

// Fines the commissioner returns for reinvestment buy extra theatre sessions.
struct ReinvestFinesParams {
  bool enabled = false;
  double gbp_per_theatre_session = 10000.0;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("enabled", enabled, Doc{"", "Switch the policy on.", ""});
    v.field("gbp_per_theatre_session", gbp_per_theatre_session,
            Doc{"GBP", "What one extra session costs out of returned fines (staff at premium rates; the operations' own costs are counted as for any other).",
                "assumption", Range::positive()});
  }
};

struct ManagementParams {
  int lag_months = 1;
  CostControlParams cost_control;
  ProtectPerformanceParams protect_performance;
  ReinvestFinesParams reinvest_fines;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("lag_months", lag_months,
            Doc{"months", "Months between a month-end decision and its effect on capacity (1: the next month).", "assumption",
                Range::between(1, 24)});
    v.section("cost_control", cost_control, "cut costs when behind the financial plan");
    v.section("protect_performance", protect_performance, "spend to meet the access standards");
    v.section("reinvest_fines", reinvest_fines, "spend returned fines on extra capacity");
  }
};

// Which policies acted on a month's capacity (reported as the *_acting metrics).
struct PoliciesActing {
  bool cost_control = false, protect_performance = false;
};

// What management decided for one coming month.
struct Plan {
  Levers levers;
  double extra_sessions = 0, extra_cost = 0;  // theatre sessions bought, and their cost in GBP
  PoliciesActing acting;
};

// What the managers of one trust see at a month end.
struct ManagementView {
  int month = 0;                   // the month just settled
  double behind_plan = 0;          // year-to-date control total less year-to-date surplus (accruals basis), GBP
  double ytd_income = 0;           // GBP
  double ed_within_4h = 1;         // the month's shares within the standards
  double rtt_within_18w = 1;
  double fines_returned = 0;       // reinvested fines paid back this month, GBP
  double planned_sessions = 0;     // theatre sessions a month in the plan
  double extra_session_premium_gbp = 0;
  bool special_measures = false;   // in financial special measures from the next month
  bool paid_by_activity = true;    // tariff income: cutting activity loses its income
};

class Management {
 public:
  // Decides the plan for month view.month + p.lag_months.
  void decide(const ManagementParams& p, const ManagementView& view);
  // What was decided for `month` (the neutral plan when nothing was).
  Plan plan_for(int month) const;
  // Plans for months up to `month` have been used.
  void forget_through(int month) { plans_.erase(plans_.begin(), plans_.upper_bound(month)); }

 private:
  // Cut agency cover, recruitment, beds and sessions while behind plan; relax once back on it.
  void control_costs(const CostControlParams& p, const ManagementView& view, Plan& plan);
  // More agency cover while A&E misses its standard; extra sessions while the list does; nothing
  // when the money says no. Returns the sessions bought.
  double protect_performance(const ProtectPerformanceParams& p, const ManagementView& view, Plan& plan,
                             double& cost) const;

  std::map<int, Plan> plans_;  // month -> what was decided for it
  bool cost_control_ = false;  // the policy's state, with hysteresis
  int frozen_months_ = 0;      // months of recruitment frozen in the current episode
};

}  // namespace breachsim::models
