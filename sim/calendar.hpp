// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"

// The one place that knows the civil calendar: dates, months, quarters and the English
// financial year (1 April to 31 March). Everything else asks it.
namespace breachsim::sim {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend bool operator==(const Date& a, const Date& b) {
    return a.year == b.year && a.month == b.month && a.day == b.day;
  }
  friend bool operator!=(const Date& a, const Date& b) { return !(a == b); }
  friend bool operator<(const Date& a, const Date& b) {
    return a.year != b.year ? a.year < b.year : a.month != b.month ? a.month < b.month : a.day < b.day;
  }
};

// Whether `d` falls in [from, to): the effective-date rule of every dated policy.
inline bool in_period(const Date& d, const Date& from, const Date& to) { return !(d < from) && d < to; }

// Days since 1970-01-01 (proleptic Gregorian), valid far beyond any simulated horizon.
std::int64_t days_from_civil(const Date& d);
Date civil_from_days(std::int64_t days);
bool is_valid_date(const Date& d);
int days_in_month(int year, int month);
// Parses YYYY-MM-DD; returns false (and leaves `out` alone) on anything else.
bool parse_date(const std::string& text, Date& out);
std::string format_date(const Date& d);
Date add_months(const Date& d, int months);  // day clamped to the target month's length

// Monday = 0 ... Sunday = 6: NHS weekly patterns start on Monday.
int day_of_week(const Date& d);
// Financial year named by its starting calendar year: 2015 means 2015/16.
int financial_year(const Date& d);
// Quarter of the financial year: Q1 = April-June = 1 ... Q4 = January-March = 4.
int financial_quarter(const Date& d);

// Maps simulated time onto dates for a run that starts at `origin` (00:00) and reports
// `months` calendar months after `warmup_months` discarded ones. Month index m counts from
// the first reported month; warm-up months have negative indices.
class Calendar {
 public:
  Calendar(Date first_reported_month, int warmup_months, int months);

  Date origin() const { return origin_; }
  int months() const { return months_; }
  int warmup_months() const { return warmup_months_; }
  // Time at which month m (warm-up months negative) starts; m == months() gives the end.
  Time month_start(int m) const { return month_starts_.at(static_cast<std::size_t>(m + warmup_months_)); }
  Time end() const { return month_start(months_); }
  Date month_date(int m) const;  // first day of month m

  Date date_at(Time t) const;
  int hour_of_day(Time t) const;
  int hour_of_week(Time t) const;  // 0 = Monday 00:00-01:00
  int month_of_year(Time t) const;  // 1..12
  int month_index(Time t) const;    // reported-month index of t (warm-up negative)

 private:
  Date origin_;
  std::int64_t origin_days_;
  int origin_dow_;
  int warmup_months_;
  int months_;
  std::vector<Time> month_starts_;
};

}  // namespace breachsim::sim
