// SPDX-License-Identifier: MIT
// The money loop in whole simulated runs: every pound fined is accounted for, a policy that
// starts mid-year starts on its date, and cost control cuts capacity only after its trigger,
// which then shows in longer waits.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/run/run.hpp"

using namespace breachsim;
using models::Metric;

namespace {

models::SchemeParams scheme(const char* type, const char* what, double rate, const char* destination) {
  models::SchemeParams p;
  p.type = type;
  if (std::string(type) == "per_incident") p.incident = what;
  else p.standard = what;
  p.rate_gbp = rate;
  p.tolerance = std::string(what) == "rtt_18w" ? 0.08 : 0.05;
  p.destination = destination;
  p.reinvest_lag_months = 2;
  return p;
}

// Two trusts of the default size, one of them short of A&E staff so that it breaches.
models::Scenario two_trusts(int months) {
  models::Scenario s;
  s.scenario.name = "money";
  s.scenario.months = months;
  s.scenario.warmup_months = 2;
  for (const char* name : {"Steady", "Stretched"}) {
    models::TrustParams t;
    t.name = name;
    t.region = name;
    if (std::string(name) == "Stretched") {
      t.staffing.ed_clinicians.establishment_wte *= 0.93;
      t.finance.costs.fixed_gbp_per_year *= 1.1;  // and in deficit, so pools pay it
    }
    s.trusts.push_back(t);
  }
  return s;
}

double sum_over(const models::RunOutcome& run, Metric m, std::size_t r) { return run.national_run(m, r); }

}  // namespace

TEST_CASE("every pound fined is withheld, returned, awaiting return or in a pool", "[money][threads]") {
  models::Scenario s = two_trusts(12);
  s.schemes = {{"ed", scheme("excess_breaches", "ed_4h", 120.0, "reinvested")},
               {"rtt", scheme("excess_breaches", "rtt_18w", 300.0, "withheld")},
               {"trolley", scheme("per_incident", "ed_trolley_waits_12h", 1000.0, "pooled")},
               {"ed_pooled", scheme("excess_breaches", "ed_4h", 60.0, "pooled")}};
  s.schemes[3].second.pool = "Stretched";  // a regional pool: only that region's trust can draw on it
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, 11, 3, 2);
  for (std::size_t r = 0; r < run.replications; ++r) {
    const double fines = sum_over(run, Metric::fines, r);
    const double withheld = sum_over(run, Metric::fines_withheld, r);
    const double reinvested = sum_over(run, Metric::fines_reinvested, r);
    const double pooled = sum_over(run, Metric::fines_pooled, r);
    const double returned = sum_over(run, Metric::fines_returned, r);
    const double payouts = sum_over(run, Metric::pool_payouts, r);
    const auto& out = run.runs[r];
    INFO("replication " << r << ": fines " << fines << ", withheld " << withheld << ", reinvested " << reinvested
                        << ", pooled " << pooled << ", returned " << returned << ", payouts " << payouts);
    REQUIRE(fines > 0.0);
    CHECK(withheld > 0.0);
    CHECK(returned > 0.0);
    CHECK(payouts > 0.0);
    CHECK(fines == Approx(withheld + reinvested + pooled).epsilon(1e-12));
    CHECK(reinvested == Approx(returned + out.awaiting_return).epsilon(1e-12));
    CHECK(pooled == Approx(payouts + out.pool_balance).epsilon(1e-12));
    // Scheme by scheme, the fines add up to the total.
    double by_scheme = 0.0;
    for (std::size_t k = 0; k < run.schemes; ++k)
      for (std::size_t t = 0; t < run.trusts; ++t)
        for (std::size_t m = 0; m < run.months; ++m) by_scheme += run.scheme_fines(k, r, t, m);
    CHECK(by_scheme == Approx(fines).epsilon(1e-12));
    // Only the trust in deficit draws on the pools.
    CHECK(run.trust_run(Metric::pool_payouts, r, 0) == 0.0);
  }
}

TEST_CASE("a returned share of withheld and pooled fines comes back after the lag, every pound counted", "[money][threads]") {
  // The same run with the share 0 and 0.25: fines (levied before anything is returned) are
  // the same in the months before the first return; a quarter of every withheld or pooled
  // pound is reinvested, the rest goes where the scheme says, and what is reinvested is
  // returned or still awaiting return at the end.
  models::Scenario s = two_trusts(12);
  s.schemes = {{"rtt", scheme("excess_breaches", "rtt_18w", 300.0, "withheld")},
               {"ed_pooled", scheme("excess_breaches", "ed_4h", 60.0, "pooled")}};
  const auto kept = models::run_replications(models::ScenarioSetup(s), 11, 2, 2);
  for (auto& [name, p] : s.schemes) {
    p.reinvested_share = 0.25;
    p.reinvest_lag_months = 2;
  }
  const auto returned = models::run_replications(models::ScenarioSetup(s), 11, 2, 2);
  for (std::size_t r = 0; r < returned.replications; ++r) {
    const double fines = sum_over(returned, Metric::fines, r);
    REQUIRE(fines > 0.0);
    CHECK(sum_over(kept, Metric::fines_reinvested, r) == 0.0);
    CHECK(sum_over(returned, Metric::fines_reinvested, r) == Approx(0.25 * fines).epsilon(1e-12));
    CHECK(sum_over(returned, Metric::fines_withheld, r) + sum_over(returned, Metric::fines_pooled, r) ==
          Approx(0.75 * fines).epsilon(1e-12));
    CHECK(sum_over(returned, Metric::fines_reinvested, r) ==
          Approx(sum_over(returned, Metric::fines_returned, r) + returned.runs[r].awaiting_return).epsilon(1e-12));
    // Nothing comes back before the lag: the first two months are the kept run's, pound for pound.
    for (std::size_t m = 0; m < 2; ++m) {
      CHECK(returned.national_month(Metric::fines_returned, r, m) == 0.0);
      CHECK(returned.national_month(Metric::fines, r, m) == kept.national_month(Metric::fines, r, m));
    }
    CHECK(sum_over(returned, Metric::fines_returned, r) > 0.0);
  }
}

TEST_CASE("a scheme that starts mid-year levies nothing before its date", "[money][threads]") {
  models::Scenario s = two_trusts(12);  // April 2015 to March 2016
  auto ed = scheme("excess_breaches", "ed_4h", 120.0, "withheld");
  ed.from = sim::Date{2015, 10, 1};
  s.schemes = {{"ed_from_october", ed}};
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, 5, 2, 2);
  for (std::size_t r = 0; r < run.replications; ++r) {
    for (std::size_t m = 0; m < 6; ++m) CHECK(run.national_month(Metric::fines, r, m) == 0.0);
    double after = 0.0;
    for (std::size_t m = 6; m < 12; ++m) after += run.national_month(Metric::fines, r, m);
    CHECK(after > 0.0);
  }
}

TEST_CASE("cost control cuts capacity only after its trigger, and waits lengthen", "[money][threads]") {
  // A trust whose fixed costs put it behind plan from the first month. With cost control on,
  // the months up to the first decision are identical to the run without it (same patients,
  // same draws); afterwards agency cover is cut (so fewer nurses open fewer beds) and
  // recruitment frozen, and the list grows.
  models::Scenario base;
  base.scenario.name = "cost_control";
  base.scenario.months = 12;
  base.scenario.warmup_months = 2;
  models::TrustParams t;
  t.name = "Overspent";
  t.finance.costs.fixed_gbp_per_year *= 1.15;
  base.trusts.push_back(t);
  models::Scenario acting = base;
  acting.trusts[0].management.cost_control.enabled = true;
  acting.trusts[0].management.lag_months = 2;

  const auto off = models::run_replications(models::ScenarioSetup(base), 3, 4, 2);
  const auto on = models::run_replications(models::ScenarioSetup(acting), 3, 4, 2);
  double rtt_over_off = 0.0, rtt_over_on = 0.0;
  for (std::size_t r = 0; r < on.replications; ++r) {
    // Decided at the end of month 0 with a lag of 2: months 0 and 1 run as before.
    for (std::size_t m = 0; m < 2; ++m) {
      CHECK(on.trust_month(Metric::cost_control_acting, r, 0, m) == 0.0);
      CHECK(on.trust_month(Metric::ed_breaches_4h, r, 0, m) == off.trust_month(Metric::ed_breaches_4h, r, 0, m));
      CHECK(on.trust_month(Metric::rtt_treated, r, 0, m) == off.trust_month(Metric::rtt_treated, r, 0, m));
    }
    CHECK(on.trust_month(Metric::cost_control_acting, r, 0, 2) == 1.0);
    CHECK(on.trust_month(Metric::staff_agency_wte, r, 0, 2) < off.trust_month(Metric::staff_agency_wte, r, 0, 2));
    CHECK(on.trust_month(Metric::beds_open, r, 0, 2) < off.trust_month(Metric::beds_open, r, 0, 2));
    for (std::size_t m = 6; m < 12; ++m) {
      rtt_over_off += off.trust_month(Metric::rtt_over_18w, r, 0, m);
      rtt_over_on += on.trust_month(Metric::rtt_over_18w, r, 0, m);
    }
    // The cuts save money: the deficit at the year end is smaller.
    CHECK(on.trust_run(Metric::cumulative_deficit, r, 0) < off.trust_run(Metric::cumulative_deficit, r, 0));
  }
  INFO("RTT over 18 weeks, months 6-11 summed: " << rtt_over_off << " without cost control, " << rtt_over_on << " with");
  CHECK(rtt_over_on > 1.5 * rtt_over_off);
}

TEST_CASE("an operation done more than 28 days after its cancellation is not paid for", "[money][threads]") {
  // Beds so few that some cancelled patients wait weeks for a bed. The rule touches only the
  // money, so with it off the same patients are treated and the tariff lost reappears.
  models::Scenario paid;
  paid.scenario.months = 6;
  paid.scenario.warmup_months = 2;
  models::TrustParams t;
  t.name = "Short of beds";
  t.beds.general_acute_beds = 630;
  paid.trusts.push_back(t);
  models::Scenario unpaid = paid;
  paid.trusts[0].finance.income.unpaid_late_rebookings = false;
  const auto on = models::run_replications(models::ScenarioSetup(unpaid), 7, 2, 2);
  const auto off = models::run_replications(models::ScenarioSetup(paid), 7, 2, 2);
  const auto& pay = t.finance.income;
  double late_total = 0.0;
  for (std::size_t r = 0; r < on.replications; ++r) {
    for (std::size_t m = 0; m < on.months; ++m) {
      const double late = on.trust_month(Metric::elective_rebooked_late_28d, r, 0, m);
      const double lost = on.trust_month(Metric::rebooking_nonpayment, r, 0, m);
      late_total += late;
      INFO("replication " << r << ", month " << m << ": " << late << " rebooked late, " << lost << " GBP unpaid");
      CHECK(late == off.trust_month(Metric::elective_rebooked_late_28d, r, 0, m));
      CHECK(lost >= late * pay.day_case_gbp);
      CHECK(lost <= late * pay.elective_spell_gbp);
      CHECK((late > 0.0) == (lost > 0.0));
      CHECK(off.trust_month(Metric::rebooking_nonpayment, r, 0, m) == 0.0);
      CHECK(on.trust_month(Metric::income_activity, r, 0, m) + lost ==
            Approx(off.trust_month(Metric::income_activity, r, 0, m)).epsilon(1e-12));
    }
  }
  CHECK(late_total > 20.0);
}

TEST_CASE("mixed-sex accommodation is fined per patient-day", "[money][threads]") {
  models::Scenario s = two_trusts(6);
  for (auto& t : s.trusts) t.beds.general_acute_beds = 680;  // often down to the last bed
  models::SchemeParams msa;
  msa.type = "per_incident";
  msa.incident = "mixed_sex_accommodation";
  msa.rate_gbp = 250.0;
  s.schemes = {{"mixed_sex", msa}};
  const auto run = models::run_replications(models::ScenarioSetup(s), 9, 2, 2);
  double days = 0.0;
  for (std::size_t r = 0; r < run.replications; ++r)
    for (std::size_t t = 0; t < run.trusts; ++t)
      for (std::size_t m = 0; m < run.months; ++m) {
        const double d = run.trust_month(Metric::mixed_sex_breaches, r, t, m);
        days += d;
        CHECK(run.scheme_fines(0, r, t, m) == 250.0 * d);
      }
  CHECK(days > 10.0);
}

TEST_CASE("CQUIN earned on the 4-hour standard is paid for the quarters that met it", "[money][threads]") {
  // Checked against the quarter's performance recomputed from the outputs. The standard sits
  // between the two trusts' typical performance so both outcomes occur.
  models::Scenario s = two_trusts(12);
  for (auto& t : s.trusts) {
    t.finance.income.cquin_earned_on = "ed_4h";
    t.finance.income.cquin_standard = 0.92;
  }
  const auto run = models::run_replications(models::ScenarioSetup(s), 13, 3, 2);
  int earned = 0, missed = 0;
  for (std::size_t r = 0; r < run.replications; ++r)
    for (std::size_t t = 0; t < run.trusts; ++t)
      for (std::size_t q = 0; q < 4; ++q) {
        double attendances = 0.0, breaches = 0.0;
        for (std::size_t m = 3 * q; m < 3 * q + 3; ++m) {
          attendances += run.trust_month(Metric::ed_attendances, r, t, m);
          breaches += run.trust_month(Metric::ed_breaches_4h, r, t, m);
          if (m % 3 != 2) CHECK(run.trust_month(Metric::income_incentives, r, t, m) == 0.0);
        }
        const bool met = 1.0 - breaches / attendances >= 0.92;
        (met ? earned : missed) += 1;
        const double expected = met ? 0.025 * s.trusts[t].finance.contract_value_gbp_per_year / 4.0 : 0.0;
        INFO("replication " << r << ", trust " << t << ", quarter " << q << ": " << 1.0 - breaches / attendances);
        CHECK(run.trust_month(Metric::income_incentives, r, t, 3 * q + 2) == Approx(expected));
      }
  CHECK(earned > 0);
  CHECK(missed > 0);
}

TEST_CASE("a run that starts in October keeps financial years: annual caps reset in April", "[money][threads]") {
  // October 2015 to September 2016. The A&E scheme is capped at a sliver of the contract a
  // year, so the cap binds before March; from April the new year's cap allows fines again.
  models::Scenario s = two_trusts(12);
  s.scenario.first_month = {2015, 10, 1};
  // Without the winter's longer treatments April is no easier than March, so the stretched
  // trust breaches in April and the fines of the new year show at once.
  for (auto& t : s.trusts) t.ed.treatment_minutes_by_month.assign(12, 1.0);
  auto ed = scheme("excess_breaches", "ed_4h", 120.0, "reinvested");
  ed.cap_share_of_contract_year = 0.00001;  // £4,000 a year on a £400m contract
  s.schemes = {{"ed", ed}};
  const models::ScenarioSetup setup(s);
  const auto run = models::run_replications(setup, 17, 2, 2);
  const double cap = 0.00001 * s.trusts[1].finance.contract_value_gbp_per_year;
  for (std::size_t r = 0; r < run.replications; ++r) {
    double first_year = 0.0, second_year = 0.0, waived = 0.0;
    for (std::size_t m = 0; m < 6; ++m) first_year += run.trust_month(Metric::fines, r, 1, m);
    for (std::size_t m = 6; m < 12; ++m) second_year += run.trust_month(Metric::fines, r, 1, m);
    for (std::size_t m = 0; m < 12; ++m) waived += run.trust_month(Metric::fines_waived, r, 1, m);
    INFO("replication " << r << ": " << first_year << " in Oct-Mar, " << second_year << " in Apr-Sep");
    CHECK(first_year == Approx(cap));
    CHECK(second_year == Approx(cap));
    CHECK(waived > 0.0);
    CHECK(run.trust_month(Metric::fines, r, 1, 6) > 0.0);  // April: a new year
    // The reinvested fines come back two months on, across the year end too.
    for (std::size_t m = 2; m < 12; ++m)
      CHECK(run.trust_month(Metric::fines_returned, r, 1, m) == run.trust_month(Metric::fines_reinvested, r, 1, m - 2));
  }
}

TEST_CASE("the incentive fund starting in April 2016 suspends fines for its takers from then", "[money][threads]") {
  // 2015/16 under fines, 2016/17 under the fund: the taker is fined only in the first year and
  // paid by the fund only in the second; the trust that declined is fined throughout.
  models::Scenario s = two_trusts(24);
  s.trusts[0].staffing.ed_clinicians.establishment_wte *= 0.93;  // both breach
  s.trusts[0].finance.takes_incentive_fund = true;
  s.trusts[1].finance.takes_incentive_fund = false;
  for (auto& t : s.trusts) t.finance.income.cquin_share = 0.0;  // income_incentives is then the fund alone
  s.incentive_fund.enabled = true;
  s.incentive_fund.from = sim::Date{2016, 4, 1};
  auto ed = scheme("excess_breaches", "ed_4h", 120.0, "withheld");
  ed.suspended_for_fund_takers = true;
  s.schemes = {{"ed", ed}};
  const auto run = models::run_replications(models::ScenarioSetup(s), 19, 2, 2);
  for (std::size_t r = 0; r < run.replications; ++r) {
    double taker_fined[2] = {0, 0}, taker_fund[2] = {0, 0}, other_fined[2] = {0, 0};
    for (std::size_t m = 0; m < 24; ++m) {
      taker_fined[m / 12] += run.trust_month(Metric::fines, r, 0, m);
      taker_fund[m / 12] += run.trust_month(Metric::income_incentives, r, 0, m);
      other_fined[m / 12] += run.trust_month(Metric::fines, r, 1, m);
    }
    INFO("replication " << r);
    CHECK(taker_fined[0] > 0.0);
    CHECK(taker_fined[1] == 0.0);
    CHECK(other_fined[0] > 0.0);
    CHECK(other_fined[1] > 0.0);
    CHECK(taker_fund[0] == 0.0);
    CHECK(taker_fund[1] > 0.0);
  }
}

TEST_CASE("a commissioner short of money defers referrals: every patient kept, waits longer", "[money][threads]") {
  // A commissioner whose allocation runs out within the first months restricts referrals to
  // the year end; restricted patients are held back and join the list in April with their
  // clocks running from referral. The referral stream is the same with and without the
  // restriction (common random numbers), so the patients are conserved exactly.
  models::Scenario base;
  base.scenario.name = "demand_management";
  base.scenario.first_month = {2015, 10, 1};
  base.scenario.months = 9;  // October 2015 to June 2016
  base.scenario.warmup_months = 1;
  models::TrustParams t;
  t.name = "Referred";
  t.commissioner = "Short";
  base.trusts.push_back(t);
  models::CommissionerParams c;
  c.name = "Short";
  c.restricted_referral_share = 0.5;
  models::Scenario open = base;
  c.allocation_gbp_per_year = 1e12;  // never runs out
  open.commissioners.push_back(c);
  c.allocation_gbp_per_year = 1e6;  // runs out in the first month
  base.commissioners.push_back(c);

  const auto restricted = models::run_replications(models::ScenarioSetup(base), 11, 2, 2);
  const auto free = models::run_replications(models::ScenarioSetup(open), 11, 2, 2);
  for (std::size_t r = 0; r < 2; ++r) {
    double held = 0.0, starts_restricted = 0.0, starts_free = 0.0;
    for (std::size_t m = 0; m < 9; ++m) {
      held += restricted.trust_month(Metric::rtt_referrals_restricted, r, 0, m);
      starts_restricted += restricted.trust_month(Metric::rtt_clock_starts, r, 0, m);
      starts_free += free.trust_month(Metric::rtt_clock_starts, r, 0, m);
      // Restricted from November (decided at October's end) to March.
      if (m >= 1 && m < 6) CHECK(restricted.trust_month(Metric::rtt_referrals_deferred_at_end, r, 0, m) > 0.0);
    }
    INFO("replication " << r << ": " << held << " referrals held back");
    CHECK(held > 1000.0);
    // April releases them all (the allocation runs out again, so May and June restrict anew):
    // every referral is on the list, treated, or still held at the end, in both runs.
    CHECK(restricted.trust_month(Metric::rtt_referrals_deferred_at_end, r, 0, 6) == 0.0);
    CHECK(starts_restricted + restricted.trust_run(Metric::rtt_referrals_deferred_at_end, r, 0) == starts_free);
    // Held back for months, they come to the list with long clocks: more over 18 weeks after April.
    CHECK(restricted.trust_month(Metric::rtt_over_18w, r, 0, 7) > free.trust_month(Metric::rtt_over_18w, r, 0, 7));
  }
}

TEST_CASE("CIP capacity in whole runs: fewer staff and less pay, money conserved, a bigger target delivers less of itself",
          "[money][threads]") {
  // April 2015 to June 2016, so April 2016's plan replaces 2015's. Same patients at every
  // setting (common random numbers): the differences are where the savings come from.
  auto with = [](double capacity_share, double target) {
    models::Scenario s = two_trusts(15);
    for (models::TrustParams& t : s.trusts) {
      t.finance.costs.cip_capacity_share = capacity_share;
      t.finance.costs.cip_target_share = target;
    }
    return models::run_replications(models::ScenarioSetup(s), 13, 2, 2);
  };
  const auto productivity = with(0.0, 0.03), capacity = with(0.5, 0.03), ambitious = with(0.5, 0.07);
  const std::size_t last = 14;
  for (std::size_t r = 0; r < 2; ++r) {
    INFO("replication " << r);
    // Capacity share 0: every pound of savings is productivity, and no post comes out.
    CHECK(sum_over(productivity, Metric::cip_savings_capacity, r) == 0.0);
    CHECK(sum_over(productivity, Metric::cip_establishment_cut_wte, r) == 0.0);
    CHECK(sum_over(productivity, Metric::cip_savings, r) == sum_over(productivity, Metric::cip_savings_productivity, r));
    for (std::size_t t = 0; t < 2; ++t) {
      // The posts come out from May and stay out through the run.
      CHECK(capacity.trust_month(Metric::cip_establishment_cut_wte, r, t, 0) == 0.0);
      CHECK(capacity.trust_month(Metric::cip_establishment_cut_wte, r, t, 1) > 0.0);
      // Fewer staff in post by the end, so less substantive pay: the saving is in the ledger
      // because fewer people are paid.
      CHECK(capacity.trust_month(Metric::staff_substantive_wte, r, t, last) <
            productivity.trust_month(Metric::staff_substantive_wte, r, t, last));
      CHECK(capacity.trust_run(Metric::cost_pay, r, t) < productivity.trust_run(Metric::cost_pay, r, t));
      // A 7% target delivers a smaller share of itself than 3%, takes out more posts and
      // leaves fewer staff.
      CHECK(ambitious.trust_month(Metric::cip_delivered_share, r, t, 0) <
            capacity.trust_month(Metric::cip_delivered_share, r, t, 0));
      CHECK(ambitious.trust_month(Metric::cip_establishment_cut_wte, r, t, 1) >
            capacity.trust_month(Metric::cip_establishment_cut_wte, r, t, 1));
      CHECK(ambitious.trust_month(Metric::staff_substantive_wte, r, t, last) <
            capacity.trust_month(Metric::staff_substantive_wte, r, t, last));
    }
    // Money is conserved: savings are productivity plus capacity, and every month's surplus is
    // its income less its costs, fines and interest, with capacity savings counted once (in pay).
    for (const auto* run : {&productivity, &capacity, &ambitious})
      for (std::size_t t = 0; t < 2; ++t)
        for (std::size_t m = 0; m <= last; ++m) {
          auto v = [&](Metric k) { return run->trust_month(k, r, t, m); };
          CHECK(v(Metric::cip_savings) ==
                Approx(v(Metric::cip_savings_productivity) + v(Metric::cip_savings_capacity)).epsilon(1e-12));
          const double income = v(Metric::income_activity) + v(Metric::income_other) + v(Metric::income_incentives) +
                                v(Metric::fines_returned) + v(Metric::pool_payouts);
          const double spent = v(Metric::fines) + v(Metric::cost_pay) + v(Metric::cost_agency) +
                               v(Metric::cost_other) + v(Metric::interest);
          CHECK(v(Metric::surplus) == Approx(income - spent).epsilon(1e-9).margin(1e-3));
        }
  }
}
