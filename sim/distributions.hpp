// SPDX-License-Identifier: MIT
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/random.hpp"

// Samplers written here rather than taken from <random>, whose distributions differ between
// standard libraries: the same stream must give the same numbers on every machine.
namespace breachsim::sim {

// The small samplers are inline: models call them per patient, from other files.
inline double sample_exponential(RandomStream& s, double mean) { return -mean * std::log(s.uniform_positive()); }
// Box-Muller on two fresh uniforms (always exactly two draws, so draw counts stay simple).
inline double sample_standard_normal(RandomStream& s) {
  const double u1 = s.uniform_positive();
  const double u2 = s.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925286766559 * u2);
}
inline double sample_lognormal(RandomStream& s, double mu, double sigma) {
  return std::exp(mu + sigma * sample_standard_normal(s));
}
// Marsaglia and Tsang (2000) for shape >= 1, boosted by u^(1/shape) below 1.
double sample_gamma(RandomStream& s, double shape, double scale);
// Inversion below a mean of 10; Hormann's PTRS transformed rejection (1993) above.
std::int64_t sample_poisson(RandomStream& s, double mean);
inline bool sample_bernoulli(RandomStream& s, double p) { return s.uniform() < p; }

// Parameters of the lognormal with the given mean and standard deviation.
struct LognormalParams {
  double mu;
  double sigma;
};
LognormalParams lognormal_from_mean_sd(double mean, double sd);

// A continuous, non-negative distribution chosen by configuration: a tagged value with a
// switch, not a class hierarchy, so sampling is an inlinable call with no allocation.
class Distribution {
 public:
  enum class Kind : std::uint8_t { constant, exponential, lognormal, gamma, empirical, histogram };

  static Distribution constant(double value);
  static Distribution exponential(double mean);
  static Distribution lognormal(double mean, double sd);
  static Distribution gamma(double mean, double sd);
  // Discrete: `values` with probabilities proportional to `weights`.
  static Distribution empirical(std::vector<double> values, std::vector<double> weights);
  // Continuous: bin i = [edges[i], edges[i+1]) with probability proportional to weights[i],
  // uniform within the bin (a piecewise-linear CDF).
  static Distribution histogram(std::vector<double> edges, std::vector<double> weights);

  Kind kind() const { return kind_; }
  double mean() const;
  double variance() const;
  double sample(RandomStream& s) const;
  // P(X > x).
  double survival(double x) const;
  // A draw of X given X > x, by inverting the conditional distribution function with one
  // uniform. Returns x when X > x is impossible (survival(x) == 0). For starting a population
  // part-way through a delay: someone already x into it has sample_above(s, x) - x to go.
  double sample_above(RandomStream& s, double x) const;

 private:
  Kind kind_ = Kind::constant;
  double a_ = 0.0;  // value | mean | mu | shape
  double b_ = 0.0;  // sigma | scale
  std::vector<double> points_;      // empirical values or histogram edges
  std::vector<double> cumulative_;  // normalised cumulative weights, last = 1
  std::size_t pick(double u) const;
};

const char* to_string(Distribution::Kind kind);

}  // namespace breachsim::sim
