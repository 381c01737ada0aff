// SPDX-License-Identifier: MIT
#pragma once
#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

// Month-of-year profiles of the winter mechanisms (docs/architecture.md "Seasons"): each is
// 12 values, January first, read once per scenario into a table the departments index by
// the calendar month (1-12) they are told at each month start, so no event asks the calendar.
namespace breachsim::models {

using MonthProfile = std::array<double, 12>;  // January first

// A relative profile scaled to a mean of 1 over the 12 months, so the parameter it multiplies
// keeps its meaning as the year's average. A flat profile, at any level, gives exactly 1.0
// every month (dividing by a rounded mean would not), so it reproduces the model without
// seasons bit for bit. The config check refuses an all-zero one.
// `amplitude` stretches each month's departure from 1 (0: flat, 2: twice as deep a winter), so
// a sensitivity study can move a whole profile with one number; 1 leaves the values untouched
// (not 1 + 1 x (v - 1), which can round differently). A month stretched below zero is zero: no
// stay or sickness rate is negative.
inline MonthProfile relative_profile(const std::vector<double>& values, double amplitude = 1.0) {
  MonthProfile p{};
  p.fill(1.0);
  if (values.size() != 12 || std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; }))
    return p;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / 12.0;
  if (mean > 0.0)
    for (std::size_t m = 0; m < 12; ++m) p[m] = values[m] / mean;
  if (amplitude != 1.0)
    for (double& v : p) v = std::max(0.0, 1.0 + amplitude * (v - 1.0));
  return p;
}

// The same values taken as they are (shares, not multipliers), times `scale` and at most 1.
inline MonthProfile absolute_profile(const std::vector<double>& values, double scale = 1.0) {
  MonthProfile p{};
  for (std::size_t m = 0; m < 12 && m < values.size(); ++m)
    p[m] = scale == 1.0 ? values[m] : std::min(1.0, values[m] * scale);
  return p;
}

// The profile's value in calendar month `month_of_year` (1 = January).
inline double in_month(const MonthProfile& p, int month_of_year) {
  return p[static_cast<std::size_t>(month_of_year - 1)];
}

}  // namespace breachsim::models
