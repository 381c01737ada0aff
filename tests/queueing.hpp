// SPDX-License-Identifier: MIT
#pragma once
// Queueing theory and an A&E configured as an M/M/c queue, shared by the quick validation
// tests and the long ones.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"
#include "sim/stats.hpp"

namespace breachsim::testing {

// Erlang B by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
inline double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}


inline constexpr double minutes_per_year = 365.0 * 1440.0;

// Erlang C: probability that an arrival has to wait, for c servers and offered load a = lambda/mu.
inline double erlang_c(int c, double a) {
  double term = 1.0, sum = 1.0;  // a^k / k!, from k = 0
  for (int k = 1; k < c; ++k) {
    term *= a / k;
    sum += term;
  }
  const double last = term * a / c * c / (c - a);  // a^c/c! * c/(c-a)
  return last / (sum + last);
}

// M/M/c FCFS sojourn time T = Wq + S with Wq = 0 w.p. 1-C, else Exp(theta), theta = c*mu - lambda:
//   E[T]     = C / theta + 1/mu
//   P(T > t) = (1-C) e^{-mu t} + C (theta e^{-mu t} - mu e^{-theta t}) / (theta - mu)
struct MmcTheory {
  double mean_sojourn;
  double tail;
};
inline MmcTheory theory(int c, double lambda, double mu, double t) {
  const double C = erlang_c(c, lambda / mu);
  const double theta = c * mu - lambda;
  const double hypo = (theta * std::exp(-mu * t) - mu * std::exp(-theta * t)) / (theta - mu);
  return {C / theta + 1.0 / mu, (1.0 - C) * std::exp(-mu * t) + C * hypo};
}

inline models::Scenario mmc_scenario(int clinicians, double lambda_per_minute, double mean_treatment, int months) {
  models::Scenario s;
  s.scenario.name = "mmc";
  s.scenario.months = months;
  s.scenario.warmup_months = 1;
  models::TrustParams t;
  t.name = "MMc";
  t.ed.arrivals_per_year = lambda_per_minute * minutes_per_year;
  t.ed.arrivals_by_hour.assign(24, 1.0);
  t.ed.arrivals_by_weekday.assign(7, 1.0);
  t.ed.arrivals_by_month.assign(12, 1.0);
  t.ed.clinicians_by_hour = {static_cast<double>(clinicians)};
  t.ed.treatment_minutes.kind = sim::Distribution::Kind::exponential;
  t.ed.treatment_minutes.mean = mean_treatment;
  t.ed.treatment_minutes_by_month.assign(12, 1.0);  // the same service all year: M/M/c
  t.ed.admission_share = 0.0;
  // A&E alone: no planned care, cancer or readmissions, so arrivals are exactly Poisson.
  t.elective.referrals_per_week = 0.0;
  t.elective.initial_list = 0.0;
  t.cancer.urgent_referrals_per_week = 0.0;
  t.beds.readmission_share_after_emergency = 0.0;
  t.beds.readmission_share_after_elective = 0.0;
  // No turnover: the number of clinicians stays exactly c (staff changes scale the roster).
  t.staffing.ed_clinicians.leavers_per_year = 0.0;
  t.staffing.ed_clinicians.recruited_share_of_vacancies_per_month = 0.0;
  t.staffing.sickness_by_month.assign(12, 1.0);  // nor does winter sickness
  s.trusts.push_back(t);
  return s;
}

struct Replicated {
  std::vector<double> mean_sojourn, breach_share, littles_gap, occupancy;
};

inline Replicated replicate(const models::Scenario& s, int replications) {
  const models::ScenarioSetup setup(s);
  const sim::Calendar& cal = setup.calendar;
  Replicated out;
  for (int r = 0; r < replications; ++r) {
    models::Trust trust(setup.trust_setups[0], cal, sim::StreamKey{99, static_cast<std::uint32_t>(r), 0});
    double minutes = 0.0, attendances = 0.0, breaches = 0.0, occupancy = 0.0;
    for (int m = -cal.warmup_months(); m < cal.months(); ++m) {
      const models::EdMonth e = trust.run_month(cal.month_start(m + 1)).ed;
      if (m < 0) continue;
      minutes += e.minutes_in_department;
      attendances += static_cast<double>(e.attendances);
      breaches += static_cast<double>(e.breaches_4h);
      occupancy += e.occupancy_minutes;
    }
    const double horizon = cal.end() - cal.month_start(0);
    const double W = minutes / attendances;
    const double L = occupancy / horizon;
    const double lambda = attendances / horizon;
    out.mean_sojourn.push_back(W);
    out.breach_share.push_back(breaches / attendances);
    out.occupancy.push_back(L);
    out.littles_gap.push_back(L / (lambda * W) - 1.0);
  }
  return out;
}

// Replications are independent, so the standard error of the across-replication mean is
// sd / sqrt(R). A correct model lands within 4 standard errors of theory except with
// probability ~6e-5; the second assertion keeps the test from passing by being vague.
inline void check_close(const std::vector<double>& values, double expected, double max_relative_se, const char* what) {
  const auto ci = sim::mean_interval(values);
  const double se = ci.sd / std::sqrt(static_cast<double>(values.size()));
  INFO(what << ": simulated " << ci.mean << " +/- " << se << " (1 SE), theory " << expected);
  CHECK(std::fabs(ci.mean - expected) < 4.0 * se);
  CHECK(se < max_relative_se * expected);
}


// Poisson requests for planned admissions against the bed pool alone: each takes a bed if
// one is free or is turned away, so the pool is an M/M/c/c loss system.
struct LossHarness {
  models::Wards& wards;
  sim::RandomStream gaps;
  double mean_gap;
  std::uint64_t requests = 0, refused = 0;

  void on_event(const models::TrustEvent& e, models::TrustSimulator& s) {
    if (e.kind == models::TrustEventKind::bed_discharge) {
      wards.discharge(s);
      return;
    }
    ++requests;
    if (!wards.admit_elective(requests, s)) ++refused;
    s.schedule(s.now() + sim::sample_exponential(gaps, mean_gap), sim::Priority::arrival,
               {models::TrustEventKind::ed_arrival, 0});
  }
};

// The share of requests turned away by `beds` beds after a warm-up, per replication.
inline std::vector<double> blocked_shares(const models::BedParams& beds, double mean_gap_minutes, int replications,
                                          sim::Time warmup, sim::Time measured, std::uint64_t seed) {
  const models::WardSetup setup(beds, 14.0);
  std::vector<double> shares;
  for (int r = 0; r < replications; ++r) {
    const sim::StreamKey key{seed, static_cast<std::uint32_t>(r), 0};
    models::Wards wards(setup, key);
    LossHarness h{wards, sim::RandomStream(key, 0, 99), mean_gap_minutes};
    models::TrustSimulator s;
    s.schedule(0.0, sim::Priority::arrival, {models::TrustEventKind::ed_arrival, 0});
    s.run_until(warmup, h);  // start from the steady state, not empty wards
    h.requests = h.refused = 0;
    s.run_until(warmup + measured, h);
    shares.push_back(static_cast<double>(h.refused) / static_cast<double>(h.requests));
  }
  return shares;
}

}  // namespace breachsim::testing
