// SPDX-License-Identifier: MIT
#include "sim/calendar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace breachsim::sim {

// Howard Hinnant's days-from-civil algorithm: exact integer arithmetic on 400-year eras.
std::int64_t days_from_civil(const Date& d) {
  const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return Date{year, month, day};
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : lengths[month - 1];
}

bool is_valid_date(const Date& d) {
  return d.year >= 1900 && d.year <= 2200 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= days_in_month(d.year, d.month);
}

bool parse_date(const std::string& text, Date& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return false;
  Date d{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)), std::stoi(text.substr(8, 2))};
  if (!is_valid_date(d)) return false;
  out = d;
  return true;
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

Date add_months(const Date& d, int months) {
  int total = d.year * 12 + (d.month - 1) + months;
  int year = total >= 0 ? total / 12 : (total - 11) / 12;
  int month = total - year * 12 + 1;
  return Date{year, month, std::min(d.day, days_in_month(year, month))};
}

int day_of_week(const Date& d) {
  // 1970-01-01 was a Thursday (Monday-based index 3).
  const std::int64_t z = days_from_civil(d);
  return static_cast<int>(((z + 3) % 7 + 7) % 7);
}

int financial_year(const Date& d) { return d.month >= 4 ? d.year : d.year - 1; }

int financial_quarter(const Date& d) { return ((d.month + 8) % 12) / 3 + 1; }

Calendar::Calendar(Date first_reported_month, int warmup_months, int months)
    : warmup_months_(warmup_months), months_(months) {
  if (months <= 0 || warmup_months < 0)
    throw std::invalid_argument("Calendar: months must be > 0 and warm-up >= 0");
  const Date first{first_reported_month.year, first_reported_month.month, 1};
  origin_ = add_months(first, -warmup_months);
  origin_days_ = days_from_civil(origin_);
  origin_dow_ = day_of_week(origin_);
  month_starts_.reserve(static_cast<std::size_t>(warmup_months + months + 1));
  for (int m = -warmup_months; m <= months; ++m)
    month_starts_.push_back(
        days(static_cast<double>(days_from_civil(add_months(first, m)) - origin_days_)));
}

Date Calendar::month_date(int m) const { return add_months(origin_, m + warmup_months_); }

Date Calendar::date_at(Time t) const {
  return civil_from_days(origin_days_ + static_cast<std::int64_t>(std::floor(t / minutes_per_day)));
}

int Calendar::hour_of_day(Time t) const {
  return std::min(23, static_cast<int>(time_of_day(t) / minutes_per_hour));
}

int Calendar::hour_of_week(Time t) const {
  const auto day = static_cast<std::int64_t>(std::floor(t / minutes_per_day));
  const int dow = static_cast<int>(((origin_dow_ + day) % 7 + 7) % 7);
  return dow * 24 + hour_of_day(t);
}

int Calendar::month_of_year(Time t) const { return date_at(t).month; }

int Calendar::month_index(Time t) const {
  const auto it = std::upper_bound(month_starts_.begin(), month_starts_.end(), t);
  return static_cast<int>(it - month_starts_.begin()) - 1 - warmup_months_;
}

}  // namespace breachsim::sim
