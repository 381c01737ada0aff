// SPDX-License-Identifier: MIT
#include "sim/arrivals.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/random.hpp"

using namespace breachsim::sim;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

MonthOfYearValues flat_months() {
  MonthOfYearValues m;
  m.fill(1.0);
  return m;
}

HourOfWeekValues flat_week(double per_minute) {
  HourOfWeekValues v;
  v.fill(per_minute);
  return v;
}

// A strongly varying week: a daily cycle between 0.05 and 0.15 per minute, 04:00-05:00
// closed every day (rate 0), and Wednesday 11:00-12:00 at 4 times the weekly mean of the rest.
constexpr std::size_t peak_hour = 2 * 24 + 11;
HourOfWeekValues varying_week() {
  HourOfWeekValues v;
  double sum = 0.0;
  for (std::size_t h = 0; h < 168; ++h) {
    const double hour_of_day = static_cast<double>(h % 24);
    v[h] = h % 24 == 4 ? 0.0 : 0.1 * (1.0 + 0.5 * std::sin(2.0 * 3.141592653589793 * (hour_of_day - 9.0) / 24.0));
    if (h != peak_hour) sum += v[h];
  }
  v[peak_hour] = 4.0 * sum / 167.0;
  return v;
}

}  // namespace

TEST_CASE("HourlyRates lays the week profile over the calendar", "[arrivals]") {
  // 2015-06-01 is a Monday, so hour h of the run is hour h % 168 of the week.
  const Calendar cal({2015, 6, 1}, 0, 2);  // June and July: 61 days
  const auto week = varying_week();
  const HourlyRates rates(cal, week, flat_months());
  REQUIRE(rates.hours() == 61 * 24);
  for (std::size_t h = 0; h < rates.hours(); ++h) CHECK(rates.rate(h) == week[h % 168]);
  // 61 days = 8 whole weeks plus Monday to Friday (the first 120 hours of a week).
  double week_total = 0.0, first_five_days = 0.0;
  for (std::size_t h = 0; h < 168; ++h) {
    week_total += week[h] * 60.0;
    if (h < 120) first_five_days += week[h] * 60.0;
  }
  CHECK(rates.expected_arrivals(0.0, cal.end()) == Approx(8 * week_total + first_five_days).epsilon(1e-12));
  // Partial hours are integrated piecewise; outside the run the rate is zero.
  CHECK(rates.expected_arrivals(30.0, 90.0) == Approx(30.0 * week[0] + 30.0 * week[1]).epsilon(1e-12));
  CHECK(rates.expected_arrivals(-100.0, 60.0) == Approx(60.0 * week[0]).epsilon(1e-12));
  CHECK(rates.expected_arrivals(cal.end() - 30.0, cal.end() + 1000.0) ==
        Approx(30.0 * week[(61 * 24 - 1) % 168]).epsilon(1e-12));
  CHECK(rates.expected_arrivals(90.0, 30.0) == 0.0);
  CHECK(rates.expected_arrivals(hours(4), hours(5)) == 0.0);
}

TEST_CASE("HourlyRates rejects negative and non-finite rates", "[arrivals]") {
  const Calendar cal({2015, 6, 1}, 0, 1);
  auto week = flat_week(0.1);
  week[17] = -0.01;
  CHECK_THROWS_AS(HourlyRates(cal, week, flat_months()), std::invalid_argument);
  week[17] = std::nan("");
  CHECK_THROWS_AS(HourlyRates(cal, week, flat_months()), std::invalid_argument);
  auto months = flat_months();
  months[5] = inf;  // June
  CHECK_THROWS_AS(HourlyRates(cal, flat_week(0.1), months), std::invalid_argument);
}

TEST_CASE("RateTablePool holds each distinct table once", "[arrivals]") {
  const Calendar cal({2015, 6, 1}, 0, 2);
  HourlyRates a(cal, varying_week(), flat_months()), b(cal, varying_week(), flat_months());
  HourlyRates c(cal, flat_week(0.05), flat_months());
  auto june_busier = flat_months();
  june_busier[5] = 1.01;
  HourlyRates d(cal, varying_week(), june_busier);  // equal to a in July only
  const HourlyRates b_before = b;
  REQUIRE_FALSE(a.shares_table_with(b));
  REQUIRE(a.same_rates(b));
  RateTablePool pool;
  for (HourlyRates* r : {&a, &b, &c, &d}) pool.share(*r);
  CHECK(pool.tables() == 3);
  CHECK(b.shares_table_with(a));
  CHECK_FALSE(c.shares_table_with(a));
  CHECK_FALSE(d.shares_table_with(a));
  CHECK_FALSE(d.same_rates(a));
  // Shared, b reads what it held before, and the arrivals it drives are the same.
  for (std::size_t h = 0; h < b.hours(); ++h) CHECK(b.rate(h) == b_before.rate(h));
  PoissonArrivals from_shared(b, RandomStream({7, 0, 0}, 0, 0)), from_own(b_before, RandomStream({7, 0, 0}, 0, 0));
  for (int i = 0; i < 1000; ++i) REQUIRE(from_shared.next() == from_own.next());
  // A copy keeps the table alive after the rates it came from are gone.
  HourlyRates kept = a;
  {
    const HourlyRates gone(cal, flat_week(0.07), flat_months());
    kept = gone;
  }
  CHECK(kept.rate(0) == 0.07);
  CHECK_THROWS_AS(c.share_table_of(d), std::invalid_argument);
}

TEST_CASE("PoissonArrivals reproduce the hour-of-week profile", "[arrivals][statistical]") {
  // 40 replications of 8 whole weeks: hour-of-week h is exposed 40 * 8 hours, so its count is
  // Poisson with mean 40 * 8 * 60 * rate[h] (about 1900 for an average hour, 7700 at the
  // peak). Poisson variance equals the mean: each count must lie within 4.5 standard errors,
  // which a correct process misses with probability 7e-6 per hour (1e-3 over the 168). A
  // 10% error in any average hour's rate is more than 4.5 SE and fails.
  const Calendar cal({2015, 6, 1}, 0, 2);
  const auto week = varying_week();
  const HourlyRates rates(cal, week, flat_months());
  constexpr int replications = 40;
  const Time weeks8 = 8 * minutes_per_week;
  std::vector<long> per_hour(168, 0);
  long total = 0, in_first_half_hour = 0, in_window = 0, out_of_order = 0;
  for (std::uint32_t r = 0; r < replications; ++r) {
    PoissonArrivals arrivals(rates, RandomStream({2015, r, 0}, 0, 0));
    Time previous = 0.0;
    for (Time t = arrivals.next(); t != inf; t = arrivals.next()) {
      if (!(t >= previous && t < cal.end())) ++out_of_order;
      previous = t;
      ++total;
      if (t >= weeks8) continue;
      ++in_window;
      ++per_hour[static_cast<std::size_t>(cal.hour_of_week(t))];
      if (t - std::floor(t / 60.0) * 60.0 < 30.0) ++in_first_half_hour;
    }
  }
  CHECK(out_of_order == 0);
  int outliers = 0;
  for (std::size_t h = 0; h < 168; ++h) {
    const double expected = replications * 8 * 60.0 * week[h];
    if (week[h] == 0.0) {
      INFO("closed hour " << h);
      CHECK(per_hour[h] == 0);
    } else if (std::fabs(per_hour[h] - expected) > 4.5 * std::sqrt(expected)) {
      ++outliers;
      UNSCOPED_INFO("hour " << h << ": " << per_hour[h] << " arrivals, expected " << expected);
    }
  }
  CHECK(outliers == 0);
  CHECK(per_hour[peak_hour] > 3 * per_hour[peak_hour - 24]);  // the peak really is one
  // The rate is constant within each hour, so arrivals are uniform inside it: the first half
  // of each hour gets Binomial(n, 1/2) of them, sd sqrt(n) / 2.
  CHECK(std::fabs(in_first_half_hour - 0.5 * in_window) <= 4.5 * 0.5 * std::sqrt(static_cast<double>(in_window)));
  // The whole run: Poisson with mean replications * integral of the rate.
  const double expected_total = replications * rates.expected_arrivals(0.0, cal.end());
  CHECK(std::fabs(total - expected_total) <= 4.5 * std::sqrt(expected_total));
}

TEST_CASE("Month factors scale the arrivals of each calendar month", "[arrivals][statistical]") {
  // January x1, February x2, March x0.5 of 0.05 per minute; the other months' factor (7) must
  // never be used. Counts per month are Poisson with mean replications * rate * factor *
  // minutes in the month (about 89000, 161000 and 45000): within 4.5 standard errors, which
  // means within 1-2% of the target.
  const Calendar cal({2015, 1, 1}, 0, 3);
  MonthOfYearValues factor;
  factor.fill(7.0);
  factor[0] = 1.0;
  factor[1] = 2.0;
  factor[2] = 0.5;
  const HourlyRates rates(cal, flat_week(0.05), factor);
  CHECK(rates.rate(0) == 0.05);
  CHECK(rates.rate(31 * 24) == 0.1);             // 1 February 00:00
  CHECK(rates.rate((31 + 28) * 24) == 0.025);    // 1 March 00:00
  CHECK(rates.rate((31 + 28) * 24 - 1) == 0.1);  // 28 February 23:00
  constexpr int replications = 40;
  long counts[3] = {0, 0, 0};
  for (std::uint32_t r = 0; r < replications; ++r) {
    PoissonArrivals arrivals(rates, RandomStream({1, r, 0}, 0, 7));
    for (Time t = arrivals.next(); t != inf; t = arrivals.next()) ++counts[cal.month_index(t)];
  }
  for (int m = 0; m < 3; ++m) {
    const double expected = replications * 0.05 * factor[static_cast<std::size_t>(m)] *
                            (cal.month_start(m + 1) - cal.month_start(m));
    INFO("month " << m << ": " << counts[m] << " arrivals, expected " << expected);
    CHECK(std::fabs(counts[m] - expected) <= 4.5 * std::sqrt(expected));
    CHECK(rates.expected_arrivals(cal.month_start(m), cal.month_start(m + 1)) * replications ==
          Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("PoissonArrivals spends one Exp(1) per arrival whatever the rate", "[arrivals]") {
  // Inverting the integrated rate: with a constant rate r the k-th arrival is at
  // (e_1 + ... + e_k) / r for the same Exp(1) draws, so doubling r exactly halves every time
  // (up to rounding in the hour-by-hour accumulation).
  const Calendar cal({2015, 6, 1}, 0, 1);
  const HourlyRates slow(cal, flat_week(0.02), flat_months());
  const HourlyRates fast(cal, flat_week(0.04), flat_months());
  PoissonArrivals a(slow, RandomStream({3, 0, 0}, 0, 0));
  PoissonArrivals b(fast, RandomStream({3, 0, 0}, 0, 0));
  int compared = 0;
  for (Time tb = b.next(); tb != inf; tb = b.next(), ++compared) {
    const Time ta = a.next();
    if (ta == inf) break;
    CHECK(tb == Approx(ta / 2.0).margin(1e-6));
  }
  CHECK(compared > 100);
}

TEST_CASE("PoissonArrivals returns +infinity past the horizon", "[arrivals]") {
  const Calendar cal({2015, 6, 1}, 0, 1);
  const HourlyRates rates(cal, flat_week(0.01), flat_months());
  PoissonArrivals arrivals(rates, RandomStream({4, 0, 0}, 0, 0));
  Time last = 0.0;
  int n = 0;
  for (Time t = arrivals.next(); t != inf; t = arrivals.next()) {
    last = t;
    ++n;
  }
  CHECK(n > 300);  // 0.01 per minute for 30 days: 432 expected
  CHECK(last < cal.end());
  CHECK(arrivals.next() == inf);  // and stays there
  CHECK(arrivals.next() == inf);

  const HourlyRates none(cal, flat_week(0.0), flat_months());
  PoissonArrivals silent(none, RandomStream({4, 0, 0}, 0, 1));
  CHECK(silent.next() == inf);

  // Starting in the last hour: arrivals only there.
  PoissonArrivals late(rates, RandomStream({4, 0, 0}, 0, 2), cal.end() - 60.0);
  for (Time t = late.next(); t != inf; t = late.next()) CHECK((t >= cal.end() - 60.0 && t < cal.end()));
}

TEST_CASE("Roster gives servers by hour of week", "[arrivals][roster]") {
  // Weekdays 08:00-18:00: 5 on duty, otherwise 2; Sunday 00:00-01:00: 0.
  HourOfWeekValues v;
  v.fill(2.0);
  for (std::size_t day = 0; day < 5; ++day)
    for (std::size_t h = 8; h < 18; ++h) v[day * 24 + h] = 5.0;
  v[6 * 24] = 0.0;
  const Roster roster(v);
  CHECK(roster.max_servers() == 5);

  const Calendar monday({2015, 6, 1}, 0, 2);  // origin is a Monday: hour h = hour h of week
  CHECK(monday.hour_of_week(0.0) == 0);
  CHECK(roster.servers_at(monday, hours(7.99)) == 2);
  CHECK(roster.servers_at(monday, hours(8)) == 5);
  CHECK(roster.servers_at(monday, hours(17.5)) == 5);
  CHECK(roster.servers_at(monday, hours(18)) == 2);
  CHECK(roster.servers_at(monday, hours(6 * 24 + 0.5)) == 0);
  CHECK(roster.servers_at(monday, hours(168 + 8)) == 5);

  const Calendar sunday({2015, 4, 1}, 1, 12);  // origin 2015-03-01 is a Sunday
  CHECK(roster.servers_at(sunday, 0.0) == 0);
  CHECK(roster.servers_at(sunday, hours(1)) == 2);
  CHECK(roster.servers_at(sunday, hours(24 + 8)) == 5);

  // Hours with equal staffing are skipped: from 07:30 the next change is 08:00, from 08:00
  // (or 12:34) it is 18:00, and from Friday 18:00 it is Sunday 00:00, then Sunday 01:00, then
  // Monday 08:00 of the following week.
  CHECK(roster.next_change_after(monday, hours(7.5)) == hours(8));
  CHECK(roster.next_change_after(monday, hours(8)) == hours(18));
  CHECK(roster.next_change_after(monday, hours(12) + 34.0) == hours(18));
  CHECK(roster.next_change_after(monday, hours(18)) == hours(24 + 8));
  CHECK(roster.next_change_after(monday, hours(4 * 24 + 18)) == hours(6 * 24));
  CHECK(roster.next_change_after(monday, hours(6 * 24)) == hours(6 * 24 + 1));
  CHECK(roster.next_change_after(monday, hours(6 * 24 + 1)) == hours(168 + 8));
  CHECK(roster.next_change_after(sunday, 0.0) == hours(1));
}

TEST_CASE("Roster: a constant roster never changes, and bad counts are rejected", "[arrivals][roster]") {
  const Calendar cal({2015, 6, 1}, 0, 2);
  const Roster flat = Roster::constant(3);
  CHECK(flat.servers_at(cal, hours(100)) == 3);
  CHECK(flat.max_servers() == 3);
  CHECK(flat.next_change_after(cal, 0.0) == inf);
  CHECK(flat.next_change_after(cal, hours(1000.5)) == inf);
  // One hour differing from all others is found from anywhere in the week.
  HourOfWeekValues v;
  v.fill(4.0);
  v[100] = 6.0;
  const Roster one(v);
  CHECK(one.next_change_after(cal, hours(100.5)) == hours(101));
  CHECK(one.next_change_after(cal, hours(101)) == hours(168 + 100));
  CHECK(one.next_change_after(cal, hours(99)) == hours(100));

  CHECK_THROWS_AS(Roster::constant(-1), std::invalid_argument);
  v[3] = 2.5;
  CHECK_THROWS_AS(Roster(v), std::invalid_argument);
  v[3] = std::nan("");
  CHECK_THROWS_AS(Roster(v), std::invalid_argument);
}
