// SPDX-License-Identifier: MIT
#include "sim/arrivals.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace breachsim::sim {

HourlyRates::HourlyRates(const Calendar& calendar, const HourOfWeekValues& per_minute,
                         const MonthOfYearValues& month_factor) {
  const auto n = static_cast<std::size_t>(std::ceil(calendar.end() / minutes_per_hour));
  std::vector<double> rates(n);
  for (std::size_t h = 0; h < n; ++h) {
    const Time t = static_cast<double>(h) * minutes_per_hour;
    rates[h] = per_minute[static_cast<std::size_t>(calendar.hour_of_week(t))] *
               month_factor[static_cast<std::size_t>(calendar.month_of_year(t) - 1)];
  }
  check_and_hold(std::move(rates));
}

HourlyRates::HourlyRates(std::vector<double> per_minute) { check_and_hold(std::move(per_minute)); }

void HourlyRates::check_and_hold(std::vector<double> per_minute) {
  for (double r : per_minute)
    if (!(r >= 0.0) || !std::isfinite(r)) throw std::invalid_argument("HourlyRates: rates must be finite and >= 0");
  auto table = std::make_shared<const std::vector<double>>(std::move(per_minute));
  data_ = table->data();
  hours_ = table->size();
  table_ = std::move(table);
}

bool HourlyRates::same_rates(const HourlyRates& other) const {
  return hours_ == other.hours_ && (data_ == other.data_ || std::equal(data_, data_ + hours_, other.data_));
}

void HourlyRates::share_table_of(const HourlyRates& other) {
  if (!same_rates(other)) throw std::invalid_argument("HourlyRates: only an equal table can be shared");
  adopt_table_of(other);
}

void RateTablePool::share(HourlyRates& rates) {
  // std::hash<double> agrees with == (NaN is refused), so equal tables hash alike.
  std::size_t hash = rates.hours();
  for (std::size_t h = 0; h < rates.hours(); ++h) hash = hash * 1099511628211u ^ std::hash<double>{}(rates.rate(h));
  const auto [first, last] = held_.equal_range(hash);
  for (auto it = first; it != last; ++it)
    if (rates.same_rates(it->second)) {
      rates.adopt_table_of(it->second);
      return;
    }
  held_.emplace(hash, rates);
}

double HourlyRates::expected_arrivals(Time from, Time to) const {
  double total = 0.0;
  for (auto h = static_cast<std::size_t>(std::max(0.0, from) / minutes_per_hour); h < hours_; ++h) {
    const Time lo = std::max(from, static_cast<double>(h) * minutes_per_hour);
    const Time hi = std::min(to, static_cast<double>(h + 1) * minutes_per_hour);
    if (hi <= lo) break;
    total += data_[h] * (hi - lo);
  }
  return total;
}

std::vector<double> weekly_rates(const Calendar& calendar, double per_week, const std::vector<double>& by_weekday,
                                 double growth_per_year, Time growth_start) {
  if (by_weekday.size() != 7) throw std::invalid_argument("weekly_rates: needs 7 weekday values");
  double weekday_sum = 0.0;
  for (double w : by_weekday) weekday_sum += w;
  const double weekday_mean = weekday_sum / 7.0;
  if (!(weekday_mean > 0.0)) throw std::invalid_argument("weekly_rates: weekday values must not all be zero");
  const double per_minute = per_week / minutes_per_week;
  const auto hours = static_cast<std::size_t>(std::ceil(calendar.end() / minutes_per_hour));
  std::vector<double> rates(hours);
  for (std::size_t h = 0; h < hours; ++h) {
    const Time t = static_cast<double>(h) * minutes_per_hour;
    const double years = std::max(0.0, t - growth_start) / days(365.25);
    const double weekday = by_weekday[static_cast<std::size_t>(calendar.hour_of_week(t) / 24)];
    rates[h] = per_minute * weekday / weekday_mean * std::pow(1.0 + growth_per_year, years);
  }
  return rates;
}

std::array<int, 5> spread_over_weekdays(double per_week) {
  // Day d gets floor((d+1) S / 5) - floor(d S / 5).
  std::array<int, 5> per_day{};
  const auto total = static_cast<long long>(std::llround(per_week));
  for (int d = 0; d < 5; ++d) per_day[static_cast<std::size_t>(d)] = static_cast<int>((d + 1) * total / 5 - d * total / 5);
  return per_day;
}

Roster::Roster(const HourOfWeekValues& servers) {
  for (std::size_t i = 0; i < 168; ++i) {
    if (!(servers[i] >= 0.0) || servers[i] != std::floor(servers[i]))
      throw std::invalid_argument("Roster: servers must be whole numbers >= 0");
    servers_[i] = static_cast<int>(servers[i]);
  }
}

Roster Roster::constant(int servers) {
  HourOfWeekValues v;
  v.fill(servers);
  return Roster(v);
}

Time Roster::next_change_after(const Calendar& calendar, Time t) const {
  const int now = servers_at(calendar, t);
  Time boundary = (std::floor(t / minutes_per_hour) + 1.0) * minutes_per_hour;
  for (int i = 0; i < 168; ++i, boundary += minutes_per_hour)
    if (servers_at(calendar, boundary) != now) return boundary;
  return std::numeric_limits<Time>::infinity();
}

int Roster::max_servers() const { return *std::max_element(servers_.begin(), servers_.end()); }

}  // namespace breachsim::sim
