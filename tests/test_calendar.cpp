// SPDX-License-Identifier: MIT
#include "sim/calendar.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

using namespace breachsim::sim;

namespace {

// The day after `d`, computed from month lengths alone: an oracle that shares nothing with
// Hinnant's era arithmetic except days_in_month, which is itself checked below.
Date next_day(Date d) {
  if (d.day < days_in_month(d.year, d.month)) {
    ++d.day;
  } else if (d.month < 12) {
    d.day = 1;
    ++d.month;
  } else {
    d = Date{d.year + 1, 1, 1};
  }
  return d;
}

Time just_before(Time t) { return std::nextafter(t, -std::numeric_limits<Time>::infinity()); }

}  // namespace

TEST_CASE("days_from_civil is zero at the Unix epoch and matches known anchors", "[calendar]") {
  // Anchors from Python's datetime.date arithmetic ((d - date(1970, 1, 1)).days).
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({1969, 12, 31}) == -1);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  CHECK(days_from_civil({2016, 2, 29}) == 16860);
  CHECK(days_from_civil({2100, 3, 1}) == 47541);
  CHECK(days_from_civil({1, 1, 1}) == -719162);
  CHECK(days_from_civil({9999, 12, 31}) == 2932896);
  CHECK(civil_from_days(16860) == Date{2016, 2, 29});
  CHECK(civil_from_days(11017) == Date{2000, 3, 1});
}

TEST_CASE("days_from_civil and civil_from_days agree with a day-by-day walk", "[calendar]") {
  // Every day from year -400 to 10400 (27 whole 400-year Gregorian cycles, both signs of the
  // era arithmetic): the walk and the closed form must agree on every date.
  Date d{-400, 1, 1};
  const std::int64_t first = days_from_civil(d);
  const std::int64_t last = days_from_civil({10400, 1, 1});
  REQUIRE(last - first == 27 * 146097);  // 146097 days in every 400-year cycle
  std::int64_t mismatches = 0;
  for (std::int64_t z = first; z <= last; ++z, d = next_day(d)) {
    if (civil_from_days(z) != d || days_from_civil(d) != z) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("civil_from_days round-trips far outside the simulated range", "[calendar]") {
  // +-1e9 days is about +-2.7 million years, still inside int years.
  std::int64_t failures = 0;
  for (std::int64_t z = -1'000'000'000; z <= 1'000'000'000; z += 999'983) {
    const Date d = civil_from_days(z);
    if (days_from_civil(d) != z || !(d.month >= 1 && d.month <= 12) || d.day < 1 ||
        d.day > days_in_month(d.year, d.month))
      ++failures;
  }
  CHECK(failures == 0);
}

TEST_CASE("leap years follow the Gregorian rule", "[calendar]") {
  CHECK(days_in_month(2016, 2) == 29);  // divisible by 4
  CHECK(days_in_month(2015, 2) == 28);
  CHECK(days_in_month(2100, 2) == 28);  // divisible by 100 but not 400
  CHECK(days_in_month(2000, 2) == 29);  // divisible by 400
  CHECK(civil_from_days(days_from_civil({2100, 2, 28}) + 1) == Date{2100, 3, 1});
  CHECK(civil_from_days(days_from_civil({2000, 2, 28}) + 1) == Date{2000, 2, 29});
  int total = 0;
  for (int m = 1; m <= 12; ++m) total += days_in_month(2015, m);
  CHECK(total == 365);
}

TEST_CASE("day_of_week counts from Monday = 0", "[calendar]") {
  CHECK(day_of_week({2015, 4, 1}) == 2);    // a Wednesday
  CHECK(day_of_week({1970, 1, 1}) == 3);    // a Thursday
  CHECK(day_of_week({1969, 12, 31}) == 2);  // before the epoch: the modulo must stay positive
  CHECK(day_of_week({1969, 12, 28}) == 6);  // a Sunday, the first with days + 3 < 0
  CHECK(day_of_week({1900, 1, 1}) == 0);    // a Monday
  CHECK(day_of_week({2015, 3, 1}) == 6);    // a Sunday
  CHECK(day_of_week({2015, 6, 1}) == 0);    // a Monday
  for (int i = 0; i < 14; ++i) CHECK(day_of_week(civil_from_days(days_from_civil({2015, 6, 1}) + i)) == i % 7);
}

TEST_CASE("financial year and quarter switch on 1 April", "[calendar]") {
  CHECK(financial_year({2015, 3, 31}) == 2014);
  CHECK(financial_year({2015, 4, 1}) == 2015);
  CHECK(financial_year({2016, 1, 1}) == 2015);
  CHECK(financial_year({2016, 3, 31}) == 2015);
  CHECK(financial_quarter({2015, 3, 31}) == 4);
  CHECK(financial_quarter({2015, 4, 1}) == 1);
  // Q1 = April-June, Q2 = July-September, Q3 = October-December, Q4 = January-March.
  const int expected[13] = {0, 4, 4, 4, 1, 1, 1, 2, 2, 2, 3, 3, 3};
  for (int m = 1; m <= 12; ++m) {
    INFO("month " << m);
    CHECK(financial_quarter({2015, m, 1}) == expected[m]);
    CHECK(financial_quarter({2015, m, days_in_month(2015, m)}) == expected[m]);
  }
}

TEST_CASE("parse_date accepts only valid YYYY-MM-DD", "[calendar]") {
  Date d{1999, 9, 9};
  const Date untouched = d;
  for (const char* bad : {"2015-02-30", "2015-4-01", "abc", "", "2015-02-29", "2100-02-29", "2015-13-01",
                          "2015-00-10", "2015-04-00", "2015/04/01", "2015-04-01 ", "+015-04-01", "2015-0a-01"}) {
    INFO("input '" << bad << "'");
    CHECK_FALSE(parse_date(bad, d));
    CHECK(d == untouched);
  }
  REQUIRE(parse_date("2016-02-29", d));
  CHECK(d == Date{2016, 2, 29});
  REQUIRE(parse_date("2015-04-01", d));
  CHECK(d == Date{2015, 4, 1});
  CHECK(format_date(d) == "2015-04-01");
  Date back;
  REQUIRE(parse_date(format_date({2020, 12, 31}), back));
  CHECK(back == Date{2020, 12, 31});
}

TEST_CASE("add_months clamps the day to the target month", "[calendar]") {
  CHECK(add_months({2015, 1, 31}, 1) == Date{2015, 2, 28});
  CHECK(add_months({2016, 1, 31}, 1) == Date{2016, 2, 29});
  CHECK(add_months({2015, 3, 31}, -1) == Date{2015, 2, 28});
  CHECK(add_months({2015, 5, 31}, 1) == Date{2015, 6, 30});
  CHECK(add_months({2015, 12, 15}, 1) == Date{2016, 1, 15});
  CHECK(add_months({2015, 1, 15}, -1) == Date{2014, 12, 15});
  CHECK(add_months({2015, 4, 1}, -13) == Date{2014, 3, 1});
  CHECK(add_months({2015, 4, 1}, 120) == Date{2025, 4, 1});
  CHECK(add_months({2015, 4, 1}, 0) == Date{2015, 4, 1});
}

TEST_CASE("Calendar places month starts in minutes from a warm-up origin", "[calendar]") {
  // Reporting April 2015 to March 2016 after one warm-up month: the origin is 2015-03-01.
  const Calendar cal({2015, 4, 1}, 1, 12);
  CHECK(cal.origin() == Date{2015, 3, 1});
  CHECK(cal.months() == 12);
  CHECK(cal.warmup_months() == 1);
  CHECK(cal.month_start(-1) == 0.0);
  CHECK(cal.month_start(0) == 31 * 1440.0);         // March has 31 days
  CHECK(cal.month_start(1) == (31 + 30) * 1440.0);  // then April's 30
  // 2015-03-01 to 2016-04-01: 366 days to 2016-03-01 (February 2016 has 29) plus March's 31.
  CHECK(cal.end() == (366 + 31) * 1440.0);
  CHECK(cal.month_start(12) == cal.end());
  CHECK(cal.month_date(-1) == Date{2015, 3, 1});
  CHECK(cal.month_date(0) == Date{2015, 4, 1});
  CHECK(cal.month_date(11) == Date{2016, 3, 1});
  for (int m = -1; m < 12; ++m) {
    INFO("month " << m);
    const Date first = cal.month_date(m);
    CHECK(cal.month_start(m + 1) - cal.month_start(m) == days_in_month(first.year, first.month) * 1440.0);
    CHECK(cal.date_at(cal.month_start(m)) == first);
  }
}

TEST_CASE("Calendar month_index changes exactly at month boundaries", "[calendar]") {
  const Calendar cal({2015, 4, 1}, 1, 12);
  CHECK(cal.month_index(0.0) == -1);
  CHECK(cal.month_index(just_before(cal.month_start(0))) == -1);
  CHECK(cal.month_index(cal.month_start(0)) == 0);
  for (int m = 0; m < 12; ++m) {
    INFO("month " << m);
    CHECK(cal.month_index(cal.month_start(m)) == m);
    CHECK(cal.month_index(just_before(cal.month_start(m + 1))) == m);
    CHECK(cal.month_of_year(cal.month_start(m)) == cal.month_date(m).month);
  }
  CHECK(cal.month_index(cal.end()) == 12);  // the end belongs to the month after the run
  CHECK(cal.date_at(just_before(days(1))) == Date{2015, 3, 1});
  CHECK(cal.date_at(days(1)) == Date{2015, 3, 2});
}

TEST_CASE("Calendar hour_of_day and hour_of_week follow the origin's weekday", "[calendar]") {
  const Calendar cal({2015, 4, 1}, 1, 12);
  // The origin 2015-03-01 is a Sunday, so the run opens in hour 6 * 24 of a Monday-based week.
  CHECK(cal.hour_of_week(0.0) == 6 * 24);
  CHECK(cal.hour_of_week(hours(23.5)) == 6 * 24 + 23);
  CHECK(cal.hour_of_week(days(1)) == 0);  // Monday 2015-03-02, 00:00
  CHECK(cal.hour_of_week(days(1) + hours(30)) == 30);
  CHECK(cal.hour_of_week(days(8)) == 0);
  CHECK(cal.hour_of_week(just_before(days(8))) == 167);
  CHECK(cal.hour_of_day(0.0) == 0);
  CHECK(cal.hour_of_day(hours(5.99)) == 5);
  CHECK(cal.hour_of_day(hours(6)) == 6);
  CHECK(cal.hour_of_day(just_before(days(1))) == 23);
  CHECK(cal.hour_of_day(days(100) + hours(13) + minutes(59.9)) == 13);
  // 2015-04-01 (month 0 start) is a Wednesday: hour 2 * 24.
  CHECK(cal.hour_of_week(cal.month_start(0)) == 2 * 24);
  for (int h = 0; h < 2 * 168; ++h) {
    INFO("hour " << h);
    CHECK(cal.hour_of_week(days(1) + hours(h) + minutes(30)) == h % 168);
  }
}

TEST_CASE("Calendar rejects empty runs and negative warm-up", "[calendar]") {
  CHECK_THROWS_AS(Calendar({2015, 4, 1}, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(Calendar({2015, 4, 1}, -1, 12), std::invalid_argument);
  const Calendar no_warmup({2015, 6, 15}, 0, 2);  // the day of the first month is ignored
  CHECK(no_warmup.origin() == Date{2015, 6, 1});
  CHECK(no_warmup.month_start(0) == 0.0);
  CHECK(no_warmup.end() == (30 + 31) * 1440.0);
}
