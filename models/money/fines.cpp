// SPDX-License-Identifier: MIT
#include "models/money/fines.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace breachsim::models {

namespace {

// Products of a whole base and a share are meant to be whole or fractional patients, but
// doubles land just below whole numbers: (1 - 0.92) x 1000 is 79.99999999999996. This lifts
// them back without lifting any real fraction of a trust-sized base.
constexpr double whole_epsilon = 1e-9;

// A patient breaches or does not, so allowances and band tops are whole patients, rounded
// down: 5% of 1,001 attendances allows 50 breaches, not 50.05.
double whole_patients(double x) { return std::floor(x + whole_epsilon); }

// Breaches above the whole-patient allowance of `tolerance` of `base`.
double excess(double breaches, double base, double tolerance) {
  return std::max(0.0, breaches - whole_patients(tolerance * base));
}

template <class T, std::size_t N>
T parse(const std::pair<const char*, T> (&words)[N], const std::string& word, const std::string& scheme,
        const char* what) {
  for (const auto& [w, value] : words)
    if (word == w) return value;
  throw std::invalid_argument("fine scheme '" + scheme + "': unknown " + what + " '" + word + "'");
}

}  // namespace

Scheme compile_scheme(const std::string& name, const SchemeParams& p) {
  Scheme s;
  s.name = name;
  s.type = parse(scheme_types, p.type, name, "type");
  const auto standard = parse(scheme_standards, p.standard, name, "standard");
  const Count incident = parse(scheme_incidents, p.incident, name, "incident");
  s.destination = parse(scheme_destinations, p.destination, name, "destination");
  if (s.type == SchemeType::excess_breaches) std::tie(s.base, s.counted) = standard;
  if (s.type == SchemeType::per_incident) s.counted = incident;
  s.params = p;
  return s;
}

void check_scheme(const SchemeParams& p, const std::string& path, sim::config::Diagnostics& d) {
  if (!(p.from < p.to))
    d.error_at(path + ".to", "must be after from (" + sim::format_date(p.from) + "), or the scheme is never in force");
  if (p.type == "excess_breaches" && p.floor > 0.0 && 1.0 - p.floor <= p.tolerance + whole_epsilon)
    d.error_at(path + ".floor",
               "must be 0 or below 1 - tolerance (" + sim::config::format_number(1.0 - p.tolerance) +
                   "): breaches are fined between tolerance and 1 - floor of the base, so this band is empty");
  if (p.destination == "pooled" && p.pool.empty()) d.error_at(path + ".pool", "must name the pool the fines go to");
}

double assess(const Scheme& s, const BreachCounts& c) {
  const SchemeParams& p = s.params;
  switch (s.type) {
    case SchemeType::excess_breaches: {
      const double base = c.*s.base, breaches = c.*s.counted;
      const double fined_up_to = p.floor > 0.0 ? std::min(breaches, whole_patients((1.0 - p.floor) * base)) : breaches;
      return p.rate_gbp * std::max(0.0, fined_up_to - whole_patients(p.tolerance * base));
    }
    case SchemeType::per_incident: return p.rate_gbp * (c.*s.counted);
    case SchemeType::rtt_2014: break;
  }
  return p.admitted_rate_gbp * excess(c.rtt_admitted_treated_over_18w, c.rtt_admitted_treated, p.admitted_tolerance) +
         p.non_admitted_rate_gbp *
             excess(c.rtt_non_admitted_treated_over_18w, c.rtt_non_admitted_treated, p.non_admitted_tolerance) +
         p.incomplete_rate_gbp * excess(c.rtt_over_18w, c.rtt_waiting, p.incomplete_tolerance);
}

bool in_force(const Scheme& s, const sim::Date& month_start) {
  return sim::in_period(month_start, s.params.from, s.params.to);
}

double apply_caps(const Scheme& s, double raw, double year_to_date, double contract_value_gbp_year) {
  const SchemeParams& p = s.params;
  double fine = raw;
  if (p.cap_share_of_contract_month > 0.0)
    fine = std::min(fine, p.cap_share_of_contract_month * contract_value_gbp_year / 12.0);
  if (p.cap_share_of_contract_year > 0.0)
    fine = std::min(fine, std::max(0.0, p.cap_share_of_contract_year * contract_value_gbp_year - year_to_date));
  return fine;
}

Levy levy_fines(const std::vector<Scheme>& schemes, const BreachCounts& counts, const sim::Date& month_start,
                  const FineTerms& terms, const MoneyDraws& draws, FinesToDate& year, std::vector<double>& by_scheme) {
  double assessed = 0.0, levied = 0.0;
  for (std::size_t i = 0; i < schemes.size() && terms.fined; ++i) {
    const Scheme& scheme = schemes[i];
    if (!in_force(scheme, month_start)) continue;
    const double raw = assess(scheme, counts);
    if (!(raw > 0.0)) continue;
    assessed += raw;
    if (scheme.params.suspended_for_fund_takers && terms.fund_taker) continue;
    if (scheme.params.waiver_probability > 0.0 && draws.waiver(i).uniform() < scheme.params.waiver_probability) continue;
    by_scheme[i] = apply_caps(scheme, raw, year.by_scheme[i], terms.contract_value_gbp_per_year);
    levied += by_scheme[i];
  }
  const double contract = terms.contract_value_gbp_per_year;
  double allowed = levied;
  if (terms.cap_share_of_contract_month > 0.0)
    allowed = std::min(allowed, terms.cap_share_of_contract_month * contract / 12.0);
  if (terms.cap_share_of_contract_year > 0.0)
    allowed = std::min(allowed, std::max(0.0, terms.cap_share_of_contract_year * contract - year.total));
  const double scale = levied > 0.0 ? allowed / levied : 0.0;
  Levy out;
  out.assessed = assessed;
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    by_scheme[i] *= scale;
    year.by_scheme[i] += by_scheme[i];
    out.levied += by_scheme[i];
  }
  year.total += out.levied;
  return out;
}

}  // namespace breachsim::models
