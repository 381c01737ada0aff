// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <vector>

namespace breachsim::sim {

// Sample quantile by linear interpolation between order statistics (Hyndman and Fan type 7,
// the default of R and numpy), so figures printed here match what users compute themselves.
double quantile(std::vector<double> values, double p);

struct MeanInterval {
  double mean = 0.0;
  double low = 0.0;   // 95% confidence interval from Student's t
  double high = 0.0;
  double sd = 0.0;    // sample standard deviation
  std::size_t n = 0;
};
MeanInterval mean_interval(const std::vector<double>& values, double confidence = 0.95);

// Two-sided Student t critical value, e.g. 1.96 for large n at 95%.
double student_t_critical(std::size_t degrees_of_freedom, double confidence);

}  // namespace breachsim::sim
