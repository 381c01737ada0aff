// SPDX-License-Identifier: MIT
#include "sim/stats.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/math_policy.hpp"

namespace breachsim::sim {

double quantile(std::vector<double> values, double p) {
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("quantile: p must be in [0, 1]");
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

double student_t_critical(std::size_t degrees_of_freedom, double confidence) {
  if (degrees_of_freedom == 0) return std::numeric_limits<double>::infinity();
  const boost::math::students_t_distribution<double, DoublePolicy> t(static_cast<double>(degrees_of_freedom));
  return boost::math::quantile(boost::math::complement(t, (1.0 - confidence) / 2.0));
}

MeanInterval mean_interval(const std::vector<double>& values, double confidence) {
  MeanInterval r;
  r.n = values.size();
  if (values.empty()) {
    r.mean = r.low = r.high = r.sd = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  // Two passes in a fixed order: the result must not depend on how values were produced.
  double sum = 0.0;
  for (double v : values) sum += v;
  r.mean = sum / static_cast<double>(r.n);
  double squares = 0.0;
  for (double v : values) squares += (v - r.mean) * (v - r.mean);
  r.sd = r.n > 1 ? std::sqrt(squares / static_cast<double>(r.n - 1)) : 0.0;
  const double half = r.n > 1 ? student_t_critical(r.n - 1, confidence) * r.sd / std::sqrt(static_cast<double>(r.n))
                              : std::numeric_limits<double>::infinity();
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

}  // namespace breachsim::sim
