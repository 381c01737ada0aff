// SPDX-License-Identifier: MIT
// Fine schemes: both counting modes, the 2014/15 RTT design, dates in force, caps, and the
// checks made when a scheme is read from a config.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/money/fines.hpp"

using namespace breachsim;
using models::BreachCounts;
using models::SchemeParams;

namespace {

models::Scheme excess(const std::string& standard, double rate, double tolerance, double floor = 0.0) {
  SchemeParams p;
  p.standard = standard;
  p.rate_gbp = rate;
  p.tolerance = tolerance;
  p.floor = floor;
  return models::compile_scheme(standard, p);
}

models::Scheme incident(const std::string& name, double rate) {
  SchemeParams p;
  p.type = "per_incident";
  p.incident = name;
  p.rate_gbp = rate;
  return models::compile_scheme(name, p);
}

BreachCounts ed(double attendances, double breaches) {
  BreachCounts c;
  c.ed_attendances = attendances;
  c.ed_breaches_4h = breaches;
  return c;
}

// The issues found reading `yaml` as the scheme at `fines.ae`, then checking it.
std::vector<sim::config::Issue> issues_of(const std::string& yaml) {
  sim::config::Diagnostics d("fines.yaml");
  SchemeParams p;
  sim::config::Reader r(d, YAML::Load(yaml), "fines.ae");
  p.describe(r);
  r.finish();
  models::check_scheme(p, "fines.ae", d);
  try {
    d.throw_if_errors();
  } catch (const sim::config::ConfigError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<sim::config::Issue>& issues, const std::string& path, const std::string& text,
               int line = -1) {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(text) != std::string::npos && (line < 0 || i.line == line)) return true;
  return false;
}

}  // namespace

TEST_CASE("A&E excess breaches above a 5% tolerance, no floor", "[fines]") {
  // 1,000 attendances allow floor(0.05 x 1000) = 50 breaches; 80 breaches: 30 fined at £120.
  CHECK(models::assess(excess("ed_4h", 120.0, 0.05), ed(1000, 80)) == 30 * 120.0);  // 3,600
  // 1,001 attendances: 50.05 rounds down to 50 allowed, so 80 still fines 30.
  CHECK(models::assess(excess("ed_4h", 120.0, 0.05), ed(1001, 80)) == 30 * 120.0);
  // 1,020 attendances: 51 allowed, 29 fined.
  CHECK(models::assess(excess("ed_4h", 120.0, 0.05), ed(1020, 80)) == 29 * 120.0);  // 3,480
}

TEST_CASE("no fine at or under the tolerance", "[fines]") {
  const auto ae = excess("ed_4h", 120.0, 0.05);
  CHECK(models::assess(ae, ed(1000, 0)) == 0.0);
  CHECK(models::assess(ae, ed(1000, 49)) == 0.0);
  CHECK(models::assess(ae, ed(1000, 50)) == 0.0);    // exactly the 50 allowed
  CHECK(models::assess(ae, ed(1000, 51)) == 120.0);  // one over
  CHECK(models::assess(ae, ed(0, 0)) == 0.0);
  CHECK(models::assess(excess("ed_4h", 200.0, 0.05, 0.92), ed(1000, 50)) == 0.0);
}

TEST_CASE("2014/15 A&E: £200 between the 95% standard and the 92% floor", "[fines]") {
  const auto ae = excess("ed_4h", 200.0, 0.05, 0.92);
  // Band top floor((1 - 0.92) x 1000) = 80 (79.99999999999996 in doubles before the
  // epsilon), allowance 50: 80 breaches fine 30 x £200 = £6,000.
  CHECK(models::assess(ae, ed(1000, 80)) == 30 * 200.0);
  // 120 breaches: the 40 beyond the band top are not fined, still £6,000.
  CHECK(models::assess(ae, ed(1000, 120)) == 30 * 200.0);
  // 70 breaches are inside the band: 20 x £200 = £4,000.
  CHECK(models::assess(ae, ed(1000, 70)) == 20 * 200.0);
}

TEST_CASE("2015/16 A&E: £120 with an 85% floor that binds under heavy breaching", "[fines]") {
  const auto ae = excess("ed_4h", 120.0, 0.05, 0.85);
  // Band top floor(0.15 x 1000) = 150, allowance 50: 200 breaches fine 100 x £120 = £12,000.
  CHECK(models::assess(ae, ed(1000, 200)) == 100 * 120.0);
  // 9,000 attendances, 2,000 breaches: band top 1,350, allowance 450: 900 x £120 = £108,000.
  CHECK(models::assess(ae, ed(9000, 2000)) == 900 * 120.0);
}

TEST_CASE("RTT 2015/16: £300 per month-end long-waiter above 8% of the list", "[fines]") {
  const auto rtt = excess("rtt_18w", 300.0, 0.08);
  BreachCounts c;
  c.rtt_waiting = 12000;
  c.rtt_over_18w = 1100;
  // Allowance floor(0.08 x 12000) = 960: 140 x £300 = £42,000.
  CHECK(models::assess(rtt, c) == 140 * 300.0);
  // 12,345 waiting: 0.08 x 12345 = 987.6, 987 allowed; 1,000 over 18 weeks: 13 x £300 = £3,900.
  c.rtt_waiting = 12345;
  c.rtt_over_18w = 1000;
  CHECK(models::assess(rtt, c) == 13 * 300.0);
  // The A&E counts are not this scheme's.
  c.ed_attendances = 100;
  c.ed_breaches_4h = 100;
  CHECK(models::assess(rtt, c) == 13 * 300.0);
}

TEST_CASE("cancer 62 days: excess over 15% of patients treated", "[fines]") {
  BreachCounts c;
  c.cancer_treated = 40;
  c.cancer_breaches_62d = 10;
  // Allowance floor(0.15 x 40) = 6: 4 x £1,000 = £4,000.
  CHECK(models::assess(excess("cancer_62d", 1000.0, 0.15), c) == 4 * 1000.0);
}

TEST_CASE("RTT 2014/15: admitted, non-admitted and incomplete terms", "[fines]") {
  SchemeParams p;
  p.type = "rtt_2014";
  const auto rtt = models::compile_scheme("rtt_2014", p);
  BreachCounts c;
  c.rtt_admitted_treated = 500;
  c.rtt_admitted_treated_over_18w = 70;
  c.rtt_non_admitted_treated = 1500;
  c.rtt_non_admitted_treated_over_18w = 100;
  c.rtt_waiting = 10000;
  c.rtt_over_18w = 900;
  // Admitted: 70 - floor(0.10 x 500) = 20, x £400 = £8,000. Non-admitted: 100 - floor(0.05 x
  // 1500) = 25, x £100 = £2,500. Incomplete: 900 - floor(0.08 x 10000) = 100, x £100 =
  // £10,000. Total £20,500.
  CHECK(models::assess(rtt, c) == 20 * 400.0 + 25 * 100.0 + 100 * 100.0);

  // Treating one more long-waiter on the admitted pathway costs more than leaving them: 501
  // treated, 71 late: 71 - floor(50.1) = 21, £8,400. The list falls to 9,999 with 899 over
  // 18 weeks: 899 - floor(799.92) = 100, still £10,000. Total £20,900: the fine rises £400.
  c.rtt_admitted_treated = 501;
  c.rtt_admitted_treated_over_18w = 71;
  c.rtt_waiting = 9999;
  c.rtt_over_18w = 899;
  CHECK(models::assess(rtt, c) == 21 * 400.0 + 25 * 100.0 + 100 * 100.0);

  // At every tolerance exactly: 50, 75 and 800 allowed, nothing fined.
  c.rtt_admitted_treated = 500;
  c.rtt_admitted_treated_over_18w = 50;
  c.rtt_non_admitted_treated_over_18w = 75;
  c.rtt_waiting = 10000;
  c.rtt_over_18w = 800;
  CHECK(models::assess(rtt, c) == 0.0);
}

TEST_CASE("per incident: every incident fined, no tolerance", "[fines]") {
  // Distinct counts, so a scheme reading the wrong count would show.
  BreachCounts c;
  c.ed_attendances = 1000;
  c.ed_trolley_waits_12h = 2;
  c.rtt_over_52w = 3;
  c.ambulance_handovers_30_60min = 7;
  c.ambulance_handovers_over_60min = 4;
  c.urgent_operations_cancelled_twice = 1;
  c.cancer_breaches_62d = 5;
  CHECK(models::assess(incident("ed_trolley_waits_12h", 1000.0), c) == 2 * 1000.0);            // £2,000
  CHECK(models::assess(incident("rtt_over_52w", 5000.0), c) == 3 * 5000.0);                     // £15,000
  CHECK(models::assess(incident("ambulance_handovers_30_60min", 200.0), c) == 7 * 200.0);       // £1,400
  CHECK(models::assess(incident("ambulance_handovers_over_60min", 1000.0), c) == 4 * 1000.0);   // £4,000
  CHECK(models::assess(incident("urgent_operations_cancelled_twice", 5000.0), c) == 1 * 5000.0);  // £5,000
  CHECK(models::assess(incident("cancer_breaches_62d", 1000.0), c) == 5 * 1000.0);              // £5,000
  // The tolerance does not apply: one trolley wait in 1,000 attendances is still fined.
  c.ed_trolley_waits_12h = 1;
  CHECK(models::assess(incident("ed_trolley_waits_12h", 1000.0), c) == 1000.0);
  c.ed_trolley_waits_12h = 0;
  CHECK(models::assess(incident("ed_trolley_waits_12h", 1000.0), c) == 0.0);
}

TEST_CASE("a scheme is in force for months starting in [from, to)", "[fines]") {
  SchemeParams p;
  p.from = {2015, 4, 1};
  p.to = {2016, 4, 1};
  const auto s = models::compile_scheme("ae_2015", p);
  CHECK_FALSE(models::in_force(s, {2015, 3, 1}));
  CHECK(models::in_force(s, {2015, 4, 1}));  // the first month
  CHECK(models::in_force(s, {2016, 3, 1}));  // the last month
  CHECK_FALSE(models::in_force(s, {2016, 4, 1}));  // the month of `to`
  CHECK(models::in_force(models::compile_scheme("always", SchemeParams{}), {2030, 1, 1}));
}

TEST_CASE("caps: a share of the month's and of the year's contract value", "[fines]") {
  const double contract = 240e6;  // £20m a month
  SchemeParams p;
  SECTION("no cap") {
    CHECK(models::apply_caps(models::compile_scheme("c", p), 7e6, 50e6, contract) == 7e6);
  }
  SECTION("monthly cap") {
    // 2.5% of £20m = £500,000.
    p.cap_share_of_contract_month = 0.025;
    const auto s = models::compile_scheme("c", p);
    CHECK(models::apply_caps(s, 600000.0, 0.0, contract) == Approx(500000.0));
    CHECK(models::apply_caps(s, 400000.0, 0.0, contract) == 400000.0);
  }
  SECTION("annual cap nearly exhausted") {
    // 1% of £240m = £2.4m a year; £2.35m already levied leaves £50,000.
    p.cap_share_of_contract_year = 0.01;
    const auto s = models::compile_scheme("c", p);
    CHECK(models::apply_caps(s, 120000.0, 2.35e6, contract) == Approx(50000.0));
    CHECK(models::apply_caps(s, 30000.0, 2.35e6, contract) == 30000.0);
    CHECK(models::apply_caps(s, 120000.0, 2.4e6, contract) == 0.0);
    CHECK(models::apply_caps(s, 120000.0, 2.5e6, contract) == 0.0);  // never negative
  }
  SECTION("both caps: the tighter binds") {
    // Month cap £500,000; year cap 10% of £240m = £24m, £23.8m levied leaves £200,000.
    p.cap_share_of_contract_month = 0.025;
    p.cap_share_of_contract_year = 0.1;
    const auto s = models::compile_scheme("c", p);
    CHECK(models::apply_caps(s, 600000.0, 23.8e6, contract) == Approx(200000.0));
    CHECK(models::apply_caps(s, 600000.0, 1e6, contract) == Approx(500000.0));
  }
}

TEST_CASE("compiling a scheme resolves its words and rejects unknown ones", "[fines]") {
  SchemeParams p;
  p.type = "per_incident";
  p.destination = "pooled";
  const auto s = models::compile_scheme("trolley", p);
  CHECK(s.name == "trolley");
  CHECK(s.type == models::SchemeType::per_incident);
  CHECK(s.destination == models::FineDestination::pooled);
  CHECK(s.counted == &BreachCounts::ed_trolley_waits_12h);
  CHECK(s.base == nullptr);

  const auto rejects = [](SchemeParams q, const char* what) {
    INFO(what);
    CHECK_THROWS_WITH(models::compile_scheme("bad", q), Catch::Contains("fine scheme 'bad'") && Catch::Contains(what));
  };
  SchemeParams q;
  q.type = "per_breach";
  rejects(q, "unknown type 'per_breach'");
  q = {};
  q.standard = "ed_12h";
  rejects(q, "unknown standard 'ed_12h'");
  q = {};
  q.incident = "trolley";
  rejects(q, "unknown incident 'trolley'");
  q = {};
  q.destination = "returned";
  rejects(q, "unknown destination 'returned'");
}

TEST_CASE("check_scheme reports cross-field problems at their keys", "[fines]") {
  SECTION("the 2015/16 A&E scheme is valid") {
    CHECK(issues_of("type: excess_breaches\nstandard: ed_4h\nrate_gbp: 120\ntolerance: 0.05\nfloor: 0.85\n"
                    "from: 2015-04-01\nto: 2016-04-01\ndestination: reinvested\n")
              .empty());
  }
  SECTION("a floor at 1 - tolerance leaves no band") {
    const auto issues = issues_of("tolerance: 0.05\nfloor: 0.95\n");
    REQUIRE(issues.size() == 1);
    CHECK(has_issue(issues, "fines.ae.floor", "must be 0 or below 1 - tolerance (0.95)", 2));
    CHECK(issues_of("tolerance: 0.05\nfloor: 0.97\n").size() == 1);
    // A per-incident scheme ignores the floor.
    CHECK(issues_of("type: per_incident\ntolerance: 0.05\nfloor: 0.97\n").empty());
  }
  SECTION("from must be before to") {
    CHECK(has_issue(issues_of("from: 2016-04-01\nto: 2015-04-01\n"), "fines.ae.to", "must be after from (2016-04-01)", 2));
    CHECK(has_issue(issues_of("from: 2016-04-01\nto: 2016-04-01\n"), "fines.ae.to", "never in force"));
  }
  SECTION("a pooled scheme names its pool") {
    CHECK(has_issue(issues_of("destination: pooled\npool: ''\n"), "fines.ae.pool", "must name the pool", 2));
  }
  SECTION("ranges and choices are checked by the reader") {
    const auto issues =
        issues_of("rate_gbp: -120\nreinvest_lag_months: -1\ntype: per_breach\nwaiver_probability: 1.5\n");
    CHECK(issues.size() == 4);
    CHECK(has_issue(issues, "fines.ae.rate_gbp", "must be >= 0 (got -120)", 1));
    CHECK(has_issue(issues, "fines.ae.reinvest_lag_months", "must be >= 0 (got -1)", 2));
    CHECK(has_issue(issues, "fines.ae.type", "must be one of excess_breaches, per_incident, rtt_2014", 3));
    CHECK(has_issue(issues, "fines.ae.waiver_probability", "must be in [0, 1] (got 1.5)", 4));
  }
}

TEST_CASE("a scheme written out reads back the same", "[fines]") {
  SchemeParams p;
  p.type = "rtt_2014";
  p.incident = "rtt_over_52w";
  p.admitted_rate_gbp = 450;
  p.from = {2014, 4, 1};
  p.to = {2015, 4, 1};
  p.cap_share_of_contract_year = 0.1;
  p.destination = "pooled";
  p.pool = "london";
  p.reinvest_lag_months = 6;
  p.suspended_for_fund_takers = true;
  YAML::Emitter out;
  out << YAML::BeginMap;
  sim::config::Writer w(out);
  p.describe(w);
  out << YAML::EndMap;

  sim::config::Diagnostics d("written");
  SchemeParams q;
  sim::config::Reader r(d, YAML::Load(out.c_str()), "fines.x");
  q.describe(r);
  r.finish();
  CHECK(d.ok());
  CHECK(q.type == p.type);
  CHECK(q.incident == p.incident);
  CHECK(q.admitted_rate_gbp == p.admitted_rate_gbp);
  CHECK(q.from == p.from);
  CHECK(q.to == p.to);
  CHECK(q.cap_share_of_contract_year == p.cap_share_of_contract_year);
  CHECK(q.destination == p.destination);
  CHECK(q.pool == p.pool);
  CHECK(q.reinvest_lag_months == p.reinvest_lag_months);
  CHECK(q.suspended_for_fund_takers == p.suspended_for_fund_takers);
}
