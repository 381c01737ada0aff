// SPDX-License-Identifier: MIT
#include "sim/distributions.hpp"

#include <math.h>  // lgamma_r

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "sim/math_policy.hpp"

namespace breachsim::sim {

namespace {

// log Γ(x) without a data race: std::lgamma (C's lgamma) stores the sign of Γ(x) in the global
// `signgam`, so trusts sampling on two threads write it at once (ThreadSanitizer caught it in
// sample_poisson, the trusts of one replication running in parallel). glibc's lgamma is its
// lgamma_r with &signgam, so values are bit for bit the same.
double log_gamma(double x) {
  int sign = 0;
  return lgamma_r(x, &sign);
}

// z with P(Z > z) = q for a standard normal Z.
double normal_upper_quantile(double q) {
  return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<double, DoublePolicy>(), q));
}

// Q(a, x) = 1 - P(a, x), the upper regularised incomplete gamma function.
double upper_incomplete_gamma(double a, double x) {
  return x > 0.0 ? boost::math::gamma_q(a, x, DoublePolicy()) : 1.0;
}

// x with Q(a, x) = q.
double upper_incomplete_gamma_inverse(double a, double q) { return boost::math::gamma_q_inv(a, q, DoublePolicy()); }

}  // namespace

double sample_gamma(RandomStream& s, double shape, double scale) {
  if (shape < 1.0) {
    const double boost = std::pow(s.uniform_positive(), 1.0 / shape);
    return sample_gamma(s, shape + 1.0, scale) * boost;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = sample_standard_normal(s);
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = s.uniform_positive();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v * scale;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

std::int64_t sample_poisson(RandomStream& s, double mean) {
  if (mean <= 0.0) return 0;
  if (mean < 10.0) {
    const double limit = std::exp(-mean);
    std::int64_t k = 0;
    double product = s.uniform();
    while (product > limit) {
      ++k;
      product *= s.uniform();
    }
    return k;
  }
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = s.uniform() - 0.5;
    const double v = s.uniform_positive();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<std::int64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - log_gamma(k + 1.0))
      return static_cast<std::int64_t>(k);
  }
}

LognormalParams lognormal_from_mean_sd(double mean, double sd) {
  const double sigma2 = std::log1p((sd * sd) / (mean * mean));
  return {std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2)};
}

Distribution Distribution::constant(double value) {
  Distribution d;
  d.kind_ = Kind::constant;
  d.a_ = value;
  return d;
}

Distribution Distribution::exponential(double mean) {
  if (!(mean > 0.0)) throw std::invalid_argument("exponential: mean must be > 0");
  Distribution d;
  d.kind_ = Kind::exponential;
  d.a_ = mean;
  return d;
}

Distribution Distribution::lognormal(double mean, double sd) {
  if (!(mean > 0.0) || !(sd > 0.0)) throw std::invalid_argument("lognormal: mean and sd must be > 0");
  Distribution d;
  d.kind_ = Kind::lognormal;
  const auto p = lognormal_from_mean_sd(mean, sd);
  d.a_ = p.mu;
  d.b_ = p.sigma;
  return d;
}

Distribution Distribution::gamma(double mean, double sd) {
  if (!(mean > 0.0) || !(sd > 0.0)) throw std::invalid_argument("gamma: mean and sd must be > 0");
  Distribution d;
  d.kind_ = Kind::gamma;
  d.a_ = (mean * mean) / (sd * sd);  // shape
  d.b_ = (sd * sd) / mean;           // scale
  return d;
}

static std::vector<double> normalised_cumulative(const std::vector<double>& weights) {
  std::vector<double> cumulative(weights.size());
  double total = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] >= 0.0)) throw std::invalid_argument("weights must be >= 0");
    total += weights[i];
    cumulative[i] = total;
  }
  if (!(total > 0.0)) throw std::invalid_argument("weights must not all be zero");
  for (double& c : cumulative) c /= total;
  cumulative.back() = 1.0;
  return cumulative;
}

Distribution Distribution::empirical(std::vector<double> values, std::vector<double> weights) {
  if (values.empty() || values.size() != weights.size())
    throw std::invalid_argument("empirical: values and weights must be non-empty and of equal length");
  Distribution d;
  d.kind_ = Kind::empirical;
  d.cumulative_ = normalised_cumulative(weights);
  d.points_ = std::move(values);
  return d;
}

Distribution Distribution::histogram(std::vector<double> edges, std::vector<double> weights) {
  if (weights.empty() || edges.size() != weights.size() + 1)
    throw std::invalid_argument("histogram: needs one more edge than weights");
  for (std::size_t i = 1; i < edges.size(); ++i)
    if (!(edges[i] > edges[i - 1])) throw std::invalid_argument("histogram: edges must increase");
  Distribution d;
  d.kind_ = Kind::histogram;
  d.cumulative_ = normalised_cumulative(weights);
  d.points_ = std::move(edges);
  return d;
}

std::size_t Distribution::pick(double u) const {
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

double Distribution::sample(RandomStream& s) const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::exponential:
      return sample_exponential(s, a_);
    case Kind::lognormal:
      return sample_lognormal(s, a_, b_);
    case Kind::gamma:
      return sample_gamma(s, a_, b_);
    case Kind::empirical:
      return points_[pick(s.uniform())];
    case Kind::histogram: {
      const std::size_t i = pick(s.uniform());
      return points_[i] + s.uniform() * (points_[i + 1] - points_[i]);
    }
  }
  return a_;
}

double Distribution::survival(double x) const {
  switch (kind_) {
    case Kind::constant:
      return a_ > x ? 1.0 : 0.0;
    case Kind::exponential:
      return x <= 0.0 ? 1.0 : std::exp(-x / a_);
    case Kind::lognormal:
      return x <= 0.0 ? 1.0 : 0.5 * std::erfc((std::log(x) - a_) / (b_ * std::sqrt(2.0)));
    case Kind::gamma:
      return x <= 0.0 ? 1.0 : upper_incomplete_gamma(a_, x / b_);
    case Kind::empirical: {
      double above = 0.0, previous = 0.0;
      for (std::size_t i = 0; i < cumulative_.size(); ++i) {
        if (points_[i] > x) above += cumulative_[i] - previous;
        previous = cumulative_[i];
      }
      return above;
    }
    case Kind::histogram: {
      if (x < points_.front()) return 1.0;
      if (x >= points_.back()) return 0.0;
      const auto bin = static_cast<std::size_t>(std::upper_bound(points_.begin(), points_.end(), x) - points_.begin()) - 1;
      const double before = bin == 0 ? 0.0 : cumulative_[bin - 1];
      const double in_bin = (cumulative_[bin] - before) * (points_[bin + 1] - x) / (points_[bin + 1] - points_[bin]);
      return (1.0 - cumulative_[bin]) + in_bin;
    }
  }
  return 0.0;
}

double Distribution::sample_above(RandomStream& s, double x) const {
  const double above = survival(x);
  if (!(above > 0.0)) return x;
  // The conditional survival is uniform on (0, above]: q is P(X > result).
  const double q = above * s.uniform_positive();
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::exponential:
      return std::max(x, 0.0) - a_ * std::log(q / above);
    case Kind::lognormal:
      return std::exp(a_ + b_ * normal_upper_quantile(q));
    case Kind::gamma:
      return std::max(x, b_ * upper_incomplete_gamma_inverse(a_, q));
    case Kind::empirical: {
      // Walk the values above x until their probability, counted from the top, reaches q.
      double previous = 0.0, seen = 0.0;
      for (std::size_t i = 0; i < cumulative_.size(); ++i) {
        const double p = cumulative_[i] - previous;
        previous = cumulative_[i];
        if (points_[i] > x && (seen += p) > above - q) return points_[i];
      }
      for (std::size_t i = cumulative_.size(); i-- > 0;)
        if (points_[i] > x) return points_[i];
      return x;
    }
    case Kind::histogram: {
      // Invert the piecewise-linear distribution function at 1 - q.
      const double u = 1.0 - q;
      const std::size_t bin = pick(u);
      const double before = bin == 0 ? 0.0 : cumulative_[bin - 1];
      const double width = cumulative_[bin] - before;
      const double within = width > 0.0 ? (u - before) / width : 1.0;
      return std::max(x, points_[bin] + std::clamp(within, 0.0, 1.0) * (points_[bin + 1] - points_[bin]));
    }
  }
  return x;
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::constant:
    case Kind::exponential:
      return a_;
    case Kind::lognormal:
      return std::exp(a_ + 0.5 * b_ * b_);
    case Kind::gamma:
      return a_ * b_;
    case Kind::empirical:
    case Kind::histogram: {
      double m = 0.0, previous = 0.0;
      for (std::size_t i = 0; i < cumulative_.size(); ++i) {
        const double p = cumulative_[i] - previous;
        previous = cumulative_[i];
        m += p * (kind_ == Kind::empirical ? points_[i] : 0.5 * (points_[i] + points_[i + 1]));
      }
      return m;
    }
  }
  return 0.0;
}

double Distribution::variance() const {
  switch (kind_) {
    case Kind::constant:
      return 0.0;
    case Kind::exponential:
      return a_ * a_;
    case Kind::lognormal:
      return std::expm1(b_ * b_) * std::exp(2.0 * a_ + b_ * b_);
    case Kind::gamma:
      return a_ * b_ * b_;
    case Kind::empirical:
    case Kind::histogram: {
      double second = 0.0, previous = 0.0;
      for (std::size_t i = 0; i < cumulative_.size(); ++i) {
        const double p = cumulative_[i] - previous;
        previous = cumulative_[i];
        if (kind_ == Kind::empirical) {
          second += p * points_[i] * points_[i];
        } else {
          const double lo = points_[i], hi = points_[i + 1];
          second += p * (lo * lo + lo * hi + hi * hi) / 3.0;  // E[X^2] of a uniform bin
        }
      }
      const double m = mean();
      return second - m * m;
    }
  }
  return 0.0;
}

const char* to_string(Distribution::Kind kind) {
  switch (kind) {
    case Distribution::Kind::constant: return "constant";
    case Distribution::Kind::exponential: return "exponential";
    case Distribution::Kind::lognormal: return "lognormal";
    case Distribution::Kind::gamma: return "gamma";
    case Distribution::Kind::empirical: return "empirical";
    case Distribution::Kind::histogram: return "histogram";
  }
  return "unknown";
}

}  // namespace breachsim::sim
