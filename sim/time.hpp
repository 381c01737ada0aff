// SPDX-License-Identifier: MIT
#pragma once
#include <cmath>

// Simulated time is one type with one unit: minutes since the simulation origin (00:00 on
// the first simulated day, warm-up included). Doubles keep sub-minute treatment times exact
// enough while a 30-year run stays far inside 2^53 minutes. All conversions are named here.
namespace breachsim::sim {

using Time = double;

inline constexpr Time minutes_per_hour = 60.0;
inline constexpr Time minutes_per_day = 1440.0;
inline constexpr Time minutes_per_week = 7.0 * minutes_per_day;

constexpr Time minutes(double m) { return m; }
constexpr Time hours(double h) { return h * minutes_per_hour; }
constexpr Time days(double d) { return d * minutes_per_day; }
constexpr double to_hours(Time t) { return t / minutes_per_hour; }
constexpr double to_days(Time t) { return t / minutes_per_day; }
// The last midnight at or before t, and the minutes since it, in [0, 1440): time 0 is a
// midnight and the model keeps no clock changes, so every day has 1440 minutes.
inline Time start_of_day(Time t) { return std::floor(t / minutes_per_day) * minutes_per_day; }
inline Time time_of_day(Time t) { return t - start_of_day(t); }

}  // namespace breachsim::sim
