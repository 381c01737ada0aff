// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstddef>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/distributions.hpp"

namespace breachsim::sim {

using HourOfWeekValues = std::array<double, 168>;  // Monday 00:00-01:00 first
using MonthOfYearValues = std::array<double, 12>;  // January first

// A piecewise-constant arrival rate, one value per hour of the run: the hour-of-week rate
// times the factor of the calendar month the hour falls in. Built once per scenario and
// shared read-only by every replication; equal tables of different scenarios (the points of a
// sweep whose demand is not a factor) can share one copy (RateTablePool).
class HourlyRates {
 public:
  HourlyRates(const Calendar& calendar, const HourOfWeekValues& per_minute,
              const MonthOfYearValues& month_factor);
  // Any piecewise-constant rate: per_minute[h] for hour h of the run.
  explicit HourlyRates(std::vector<double> per_minute);

  std::size_t hours() const { return hours_; }
  double rate(std::size_t hour) const { return data_[hour]; }  // arrivals per minute
  double expected_arrivals(Time from, Time to) const;          // integral of the rate

  bool same_rates(const HourlyRates& other) const;
  bool shares_table_with(const HourlyRates& other) const { return data_ == other.data_; }
  // Holds `other`'s table in place of its own, which must be equal to it.
  void share_table_of(const HourlyRates& other);

 private:
  friend class RateTablePool;  // adopts a table it has just compared, without comparing again
  void check_and_hold(std::vector<double> per_minute);
  void adopt_table_of(const HourlyRates& other) {
    table_ = other.table_;
    data_ = other.data_;
  }

  // The table is read through a plain pointer, as fast as a vector's own; the shared_ptr only
  // keeps it alive while any setup holds it.
  std::shared_ptr<const std::vector<double>> table_;
  const double* data_ = nullptr;
  std::size_t hours_ = 0;
};

// Holds each distinct rate table once: a sweep of thousands of points (a sensitivity study)
// would otherwise keep a copy of the same demand per point, about 3 MB a point for the
// five-trust default scenario over 27 months.
class RateTablePool {
 public:
  // Gives `rates` the table of an equal one seen before, or remembers its table.
  void share(HourlyRates& rates);
  std::size_t tables() const { return held_.size(); }

 private:
  std::unordered_multimap<std::size_t, HourlyRates> held_;  // by a hash of the rates
};

// Hourly rates (per minute) of something that comes `per_week` times a week, shaped by day of
// week (`by_weekday`, Monday first, scaled to a mean of 1) and growing at `growth_per_year`,
// compounded from `growth_start` (constant before it).
std::vector<double> weekly_rates(const Calendar& calendar, double per_week, const std::vector<double>& by_weekday,
                                 double growth_per_year, Time growth_start);

// Spreads a weekly number over Monday to Friday as whole numbers that sum to it exactly and
// differ by at most one between days.
std::array<int, 5> spread_over_weekdays(double per_week);

// A non-homogeneous Poisson process by exact inversion of the integrated rate: each arrival
// consumes one Exp(1) draw, whatever the rate, so changing the rate at one sweep point moves
// arrivals without reshuffling the random numbers behind them.
class PoissonArrivals {
 public:
  PoissonArrivals(const HourlyRates& rates, RandomStream stream, Time start = 0.0)
      : rates_(&rates), stream_(std::move(stream)), t_(start) {}

  // The next arrival time after the previous one; +infinity once the rates run out.
  Time next() {
    if (!(t_ < horizon())) return std::numeric_limits<Time>::infinity();
    double e = sample_exponential(stream_, 1.0);
    auto hour = static_cast<std::size_t>(t_ / minutes_per_hour);
    while (hour < rates_->hours()) {
      const double r = rates_->rate(hour);
      const Time hour_end = static_cast<double>(hour + 1) * minutes_per_hour;
      const double mass = r * (hour_end - t_);
      // r > 0 as well: a draw of exactly 0 in a closed hour must not divide 0 by 0.
      if (r > 0.0 && mass >= e) {
        t_ += e / r;
        return t_;
      }
      e -= mass;
      t_ = hour_end;
      ++hour;
    }
    t_ = std::numeric_limits<Time>::infinity();
    return t_;
  }

 private:
  Time horizon() const { return static_cast<double>(rates_->hours()) * minutes_per_hour; }

  const HourlyRates* rates_;
  RandomStream stream_;
  Time t_;
};

// Servers on duty by hour of week.
class Roster {
 public:
  explicit Roster(const HourOfWeekValues& servers);
  static Roster constant(int servers);

  int servers_at(const Calendar& calendar, Time t) const { return servers_[static_cast<std::size_t>(calendar.hour_of_week(t))]; }
  // The first hour boundary after t at which the number on duty changes; +inf if never.
  Time next_change_after(const Calendar& calendar, Time t) const;
  int max_servers() const;

 private:
  std::array<int, 168> servers_{};
};

}  // namespace breachsim::sim
