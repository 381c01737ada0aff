// SPDX-License-Identifier: MIT
#include "sim/sensitivity.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "sim/random.hpp"
#include "sim/stats.hpp"

namespace breachsim::sim::sensitivity {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The purposes of this module's streams (the counter's second word, sim/random.hpp). Never
// renumber: a seed would stop giving the designs and intervals already run with it.
enum class Purpose : std::uint64_t {
  morris_trajectory = 1,
  morris_bootstrap = 2,
  sobol_shift = 3,
  sobol_bootstrap = 4
};

RandomStream stream(std::uint64_t seed, std::uint64_t entity, Purpose purpose) {
  return RandomStream(StreamKey{seed, 0, 0}, entity, static_cast<std::uint64_t>(purpose));
}

// Uniform on {0, ..., n - 1}, n >= 1, with no modulo bias: draws below 2^64 mod n, which would
// make the small remainders likelier, are drawn again (as OpenBSD's arc4random_uniform).
std::size_t draw_below(RandomStream& s, std::size_t n) {
  const std::uint64_t bound = n;
  const std::uint64_t reject_below = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t x = s.next_u64();
    if (x >= reject_below) return static_cast<std::size_t>(x % bound);
  }
}

std::string str(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

// The percentile interval of a bootstrap estimate, from its values over the resamples.
void set_interval(Estimate& e, const std::vector<double>& replicates, double confidence) {
  const bool undefined =
      replicates.empty() || std::any_of(replicates.begin(), replicates.end(), [](double v) { return std::isnan(v); });
  if (undefined) {
    e.low = e.high = nan;
    return;
  }
  e.low = quantile(replicates, (1.0 - confidence) / 2.0);
  e.high = quantile(replicates, (1.0 + confidence) / 2.0);
}

void check_confidence(const char* who, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    throw std::invalid_argument(std::string(who) + ": confidence must be between 0 and 1 (got " + str(confidence) +
                                ")");
}

void check_output_count(const char* who, std::size_t outputs, std::size_t rows) {
  if (outputs != rows)
    throw std::invalid_argument(std::string(who) + ": the design has " + std::to_string(rows) + " rows but " +
                                std::to_string(outputs) + " outputs were given (one a row, in row order)");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Factors and groups.

void validate(const Factor& factor) {
  const std::string who = "factor '" + factor.name + "': ";
  if (!std::isfinite(factor.low) || !std::isfinite(factor.high))
    throw std::invalid_argument(who + "low and high must be finite (got " + str(factor.low) + " and " +
                                str(factor.high) + ")");
  if (!(factor.low < factor.high))
    throw std::invalid_argument(who + "low (" + str(factor.low) + ") must be below high (" + str(factor.high) + ")");
  if (factor.scale == Factor::Scale::log_uniform && !(factor.low > 0.0))
    throw std::invalid_argument(who + "a log-uniform range needs low > 0 (got " + str(factor.low) + ")");
}

void validate(const std::vector<Factor>& factors) {
  if (factors.empty()) throw std::invalid_argument("sensitivity analysis needs at least one factor");
  for (std::size_t i = 0; i < factors.size(); ++i) {
    if (factors[i].name.empty()) throw std::invalid_argument("factor " + std::to_string(i) + " has no name");
    validate(factors[i]);
  }
  for (std::size_t i = 0; i < factors.size(); ++i) {
    for (std::size_t j = 0; j < factors.size(); ++j) {
      if (j > i && factors[j].name == factors[i].name)
        throw std::invalid_argument("factor '" + factors[i].name + "' is named twice");
      // A group named after a factor outside it would share that factor's own group's name.
      if (!factors[i].group.empty() && factors[j].name == factors[i].group && factors[j].group != factors[i].group)
        throw std::invalid_argument("group '" + factors[i].group + "' has the name of factor '" + factors[j].name +
                                    "', which is not in it");
    }
  }
}

double value_of(const Factor& factor, double u) {
  validate(factor);
  if (!(u >= 0.0 && u <= 1.0))
    throw std::invalid_argument("factor '" + factor.name + "': unit coordinate " + str(u) + " is outside [0, 1]");
  // The ends exactly: exp(log(high)) may miss high by an ulp, and a bound is often a threshold.
  if (u == 0.0) return factor.low;
  if (u == 1.0) return factor.high;
  if (factor.scale == Factor::Scale::uniform) return factor.low + u * (factor.high - factor.low);
  const double log_low = std::log(factor.low);
  return std::exp(log_low + u * (std::log(factor.high) - log_low));
}

std::vector<double> factor_values(const std::vector<Factor>& factors, const std::vector<double>& unit_point) {
  if (unit_point.size() != factors.size())
    throw std::invalid_argument("factor_values: a point of " + std::to_string(unit_point.size()) + " coordinates for " +
                                std::to_string(factors.size()) + " factors");
  std::vector<double> values(factors.size());
  for (std::size_t i = 0; i < factors.size(); ++i) values[i] = value_of(factors[i], unit_point[i]);
  return values;
}

Groups group_factors(const std::vector<Factor>& factors) {
  validate(factors);
  Groups groups;
  for (const Factor& f : factors) {
    const std::string& name = f.group.empty() ? f.name : f.group;
    const auto at = std::find(groups.names.begin(), groups.names.end(), name);
    groups.of_factor.push_back(static_cast<std::size_t>(at - groups.names.begin()));
    if (at == groups.names.end()) groups.names.push_back(name);
  }
  return groups;
}

std::vector<std::string> group_names(const std::vector<Factor>& factors) { return group_factors(factors).names; }

// ---------------------------------------------------------------------------------------------
// Morris.

namespace {

// One trajectory, appended to the design, as grid levels (coordinate = level / (levels - 1)) so
// that every point is exactly on the grid. Delta is levels / 2 grid steps.
void add_trajectory(MorrisDesign& d, RandomStream s) {
  const std::size_t k = d.factors.size();
  const std::size_t g = d.groups.names.size();
  const auto half = static_cast<std::size_t>(d.levels / 2);
  const double spacing = d.levels - 1;
  // Base levels 0 .. levels/2 - 1: the lowest from which a move up by Delta stays within 1.
  std::vector<std::size_t> level(k);
  for (std::size_t i = 0; i < k; ++i) level[i] = draw_below(s, half);
  std::vector<bool> up(g);
  for (std::size_t h = 0; h < g; ++h) up[h] = (s.next_u64() >> 63) != 0;
  // A group that moves down starts Delta above its base, so it ends on it.
  for (std::size_t i = 0; i < k; ++i)
    if (!up[d.groups.of_factor[i]]) level[i] += half;
  std::vector<std::size_t> order(g);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = g; i > 1; --i) std::swap(order[i - 1], order[draw_below(s, i)]);  // Fisher-Yates
  const auto point = [&] {
    std::vector<double> p(k);
    for (std::size_t i = 0; i < k; ++i) p[i] = static_cast<double>(level[i]) / spacing;
    return p;
  };
  d.unit_points.push_back(point());
  for (std::size_t h : order) {
    for (std::size_t i = 0; i < k; ++i) {
      if (d.groups.of_factor[i] == h) level[i] = up[h] ? level[i] + half : level[i] - half;
    }
    d.unit_points.push_back(point());
    d.steps.push_back(MorrisStep{h, up[h] ? d.delta : -d.delta});
  }
}

// The screening measures of every group over the given trajectories (repeats allowed), from
// the elementary effects ee[t][h].
struct MorrisMeasures {
  std::vector<double> mu, mu_star, sigma;
};
MorrisMeasures morris_measures(const std::vector<std::vector<double>>& ee, const std::vector<std::size_t>& picks,
                               std::size_t groups) {
  MorrisMeasures m{std::vector<double>(groups), std::vector<double>(groups), std::vector<double>(groups)};
  const auto r = static_cast<double>(picks.size());
  for (std::size_t h = 0; h < groups; ++h) {
    double sum = 0.0;
    double sum_abs = 0.0;
    for (std::size_t t : picks) {
      sum += ee[t][h];
      sum_abs += std::abs(ee[t][h]);
    }
    m.mu[h] = sum / r;
    m.mu_star[h] = sum_abs / r;
    double squares = 0.0;
    for (std::size_t t : picks) squares += (ee[t][h] - m.mu[h]) * (ee[t][h] - m.mu[h]);
    m.sigma[h] = std::sqrt(squares / (r - 1.0));
  }
  return m;
}

// ee[t][h]: the elementary effect of group h in trajectory t.
std::vector<std::vector<double>> elementary_effects(const MorrisDesign& d, const std::vector<double>& outputs) {
  const std::size_t g = d.groups.names.size();
  for (std::size_t row = 0; row < outputs.size(); ++row) {
    if (!std::isfinite(outputs[row]))
      throw std::invalid_argument("morris_indices: the output of row " + std::to_string(row) + " (point " +
                                  std::to_string(row % (g + 1)) + " of trajectory " + std::to_string(row / (g + 1)) +
                                  ") is " + str(outputs[row]) +
                                  "; rerun that point: without it the trajectory's effects are lost");
  }
  std::vector<std::vector<double>> ee(d.trajectories, std::vector<double>(g));
  for (std::size_t t = 0; t < d.trajectories; ++t) {
    for (std::size_t s = 0; s < g; ++s) {
      const std::size_t before = t * (g + 1) + s;
      const MorrisStep& step = d.steps[t * g + s];
      ee[t][step.group] = (outputs[before + 1] - outputs[before]) / step.delta;
    }
  }
  return ee;
}

}  // namespace

MorrisDesign morris_design(const std::vector<Factor>& factors, std::size_t trajectories, int levels,
                           std::uint64_t seed) {
  MorrisDesign d;
  d.groups = group_factors(factors);
  d.factors = factors;
  if (trajectories < 2)
    throw std::invalid_argument("morris_design: sigma needs at least 2 trajectories (got " +
                                std::to_string(trajectories) + ")");
  // An even number of levels with Delta = p / (2 (p - 1)) makes every level equally likely
  // (Morris 1991); an odd one would put moves off the grid.
  if (levels < 2 || levels % 2 != 0)
    throw std::invalid_argument("morris_design: levels must be even and at least 2 (got " + std::to_string(levels) +
                                ")");
  d.trajectories = trajectories;
  d.levels = levels;
  d.delta = levels / (2.0 * (levels - 1));
  for (std::size_t t = 0; t < trajectories; ++t) add_trajectory(d, stream(seed, t, Purpose::morris_trajectory));
  return d;
}

MorrisResult morris_indices(const MorrisDesign& design, const std::vector<double>& outputs, std::size_t bootstrap,
                            std::uint64_t seed, double confidence) {
  check_confidence("morris_indices", confidence);
  check_output_count("morris_indices", outputs.size(), design.unit_points.size());
  const std::size_t g = design.groups.names.size();
  const std::size_t r = design.trajectories;
  const auto ee = elementary_effects(design, outputs);
  std::vector<std::size_t> all(r);
  std::iota(all.begin(), all.end(), std::size_t{0});
  const MorrisMeasures m = morris_measures(ee, all, g);
  // Resample whole trajectories: a trajectory's effects share its base point.
  std::vector<std::vector<double>> replicates(g, std::vector<double>(bootstrap));
  std::vector<std::size_t> picks(r);
  for (std::size_t b = 0; b < bootstrap; ++b) {
    RandomStream s = stream(seed, b, Purpose::morris_bootstrap);
    for (std::size_t& t : picks) t = draw_below(s, r);
    const MorrisMeasures mb = morris_measures(ee, picks, g);
    for (std::size_t h = 0; h < g; ++h) replicates[h][b] = mb.mu_star[h];
  }
  MorrisResult result;
  for (std::size_t divisor : {4, 2, 1}) {  // sigma, and so a trajectory count, needs two
    const std::size_t t = r / divisor;
    if (t < 2 || (!result.convergence.empty() && t == result.convergence.back().trajectories)) continue;
    result.convergence.push_back({t, morris_measures(ee, std::vector<std::size_t>(all.begin(), all.begin() + t), g).mu_star});
  }
  result.bootstrap = bootstrap;
  result.confidence = confidence;
  for (std::size_t h = 0; h < g; ++h) {
    MorrisGroup group{design.groups.names[h], m.mu[h], Estimate{m.mu_star[h], nan, nan}, m.sigma[h]};
    set_interval(group.mu_star, replicates[h], confidence);
    result.groups.push_back(group);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Saltelli and Sobol.

namespace {

// The top 53 bits of a 64-bit Sobol coordinate, exactly, as a double in [0, 1).
double to_unit(std::uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

std::string block_name(const SaltelliDesign& d, std::size_t block) {
  if (block == 0) return "A";
  if (block == 1) return "B";
  return "AB '" + d.groups.names[block - 2] + "'";
}

// Indices from the base rows listed (repeats allowed): every block's row j for each j.
struct SobolEstimates {
  double variance = 0.0;
  std::vector<double> first_order, total;
};
SobolEstimates sobol_estimates(const SaltelliDesign& d, const std::vector<double>& y,
                               const std::vector<std::size_t>& base_rows) {
  const std::size_t big_n = d.base_samples;
  const std::size_t g = d.groups.names.size();
  const auto n = static_cast<double>(base_rows.size());
  double sum = 0.0;
  for (std::size_t j : base_rows) sum += y[j] + y[big_n + j];
  const double mean = sum / (2.0 * n);
  double squares = 0.0;
  for (std::size_t j : base_rows) {
    squares += (y[j] - mean) * (y[j] - mean);
    squares += (y[big_n + j] - mean) * (y[big_n + j] - mean);
  }
  SobolEstimates e{squares / (2.0 * n), std::vector<double>(g, nan), std::vector<double>(g, nan)};
  if (!(e.variance > 0.0)) return e;  // a resample of equal outputs: undefined, not 0
  for (std::size_t h = 0; h < g; ++h) {
    const std::size_t ab = (2 + h) * big_n;
    double first = 0.0;
    double total = 0.0;
    for (std::size_t j : base_rows) {
      const double a = y[j];
      const double b = y[big_n + j];
      const double a_b = y[ab + j];
      // f(B) centred on the mean: Saltelli's estimator for f - mean, equal in expectation
      // (E[f(AB) - f(A)] = 0), without the noise mean * sum (f(AB) - f(A)) that it adds when the
      // output's mean is large against its spread.
      first += (b - mean) * (a_b - a);
      total += (a - a_b) * (a - a_b);
    }
    e.first_order[h] = first / n / e.variance;
    e.total[h] = total / (2.0 * n) / e.variance;
  }
  return e;
}

void check_sobol_outputs(const SaltelliDesign& d, const std::vector<double>& outputs) {
  check_output_count("sobol_indices", outputs.size(), d.unit_points.size());
  const std::size_t big_n = d.base_samples;
  for (std::size_t row = 0; row < outputs.size(); ++row) {
    if (!std::isfinite(outputs[row]))
      throw std::invalid_argument("sobol_indices: the output of row " + std::to_string(row) + " (base row " +
                                  std::to_string(row % big_n) + " of block " + block_name(d, row / big_n) + ") is " +
                                  str(outputs[row]) + "; rerun that point: the estimators need every block's output " +
                                  "of a base row");
  }
}

std::vector<std::size_t> first_rows(std::size_t n) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

std::vector<SobolConvergence> sobol_convergence(const SaltelliDesign& d, const std::vector<double>& y) {
  // Fewer than 8 rows say nothing about convergence.
  constexpr std::size_t fewest = 8;
  std::vector<SobolConvergence> steps;
  for (std::size_t divisor : {8, 4, 2, 1}) {
    const std::size_t n = d.base_samples / divisor;
    if (n < fewest || (!steps.empty() && n == steps.back().base_samples)) continue;
    SobolEstimates e = sobol_estimates(d, y, first_rows(n));
    steps.push_back(SobolConvergence{n, std::move(e.first_order), std::move(e.total)});
  }
  return steps;
}

}  // namespace

std::size_t saltelli_row(const SaltelliDesign& design, std::size_t block, std::size_t base_row) {
  return block * design.base_samples + base_row;
}

SaltelliDesign saltelli_design(const std::vector<Factor>& factors, std::size_t base_samples, std::uint64_t seed) {
  SaltelliDesign d;
  d.groups = group_factors(factors);
  d.factors = factors;
  const std::size_t k = factors.size();
  const std::size_t g = d.groups.names.size();
  if (base_samples < 2)
    throw std::invalid_argument("saltelli_design: needs at least 2 base samples (got " + std::to_string(base_samples) +
                                ")");
  if (2 * k > boost::random::default_sobol_table::max_dimension)
    throw std::invalid_argument("saltelli_design: " + std::to_string(k) + " factors need " + std::to_string(2 * k) +
                                " Sobol dimensions, more than the " +
                                std::to_string(boost::random::default_sobol_table::max_dimension) +
                                " of Boost's table");
  d.base_samples = base_samples;
  d.skip = 1;
  while (d.skip < base_samples) d.skip <<= 1U;
  boost::random::sobol sequence(2 * k);
  // Boost's point n is point n + 1 of the sequence (its own first point skips the origin).
  sequence.seed(d.skip - 1);
  RandomStream shift = stream(seed, 0, Purpose::sobol_shift);
  std::vector<std::uint64_t> mask(2 * k);
  for (std::uint64_t& m : mask) m = shift.next_u64();
  d.unit_points.assign(base_samples * (g + 2), std::vector<double>(k));
  for (std::size_t j = 0; j < base_samples; ++j) {
    std::vector<double>& a = d.unit_points[saltelli_row(d, 0, j)];
    std::vector<double>& b = d.unit_points[saltelli_row(d, 1, j)];
    for (std::size_t c = 0; c < k; ++c) a[c] = to_unit(sequence() ^ mask[c]);
    for (std::size_t c = 0; c < k; ++c) b[c] = to_unit(sequence() ^ mask[k + c]);
    for (std::size_t h = 0; h < g; ++h) {
      std::vector<double>& ab = d.unit_points[saltelli_row(d, 2 + h, j)];
      ab = a;
      for (std::size_t c = 0; c < k; ++c)
        if (d.groups.of_factor[c] == h) ab[c] = b[c];
    }
  }
  return d;
}

SobolResult sobol_indices(const SaltelliDesign& design, const std::vector<double>& outputs, std::size_t bootstrap,
                          std::uint64_t seed, double confidence) {
  check_confidence("sobol_indices", confidence);
  check_sobol_outputs(design, outputs);
  const std::size_t big_n = design.base_samples;
  const std::size_t g = design.groups.names.size();
  const SobolEstimates all = sobol_estimates(design, outputs, first_rows(big_n));
  if (!(all.variance > 0.0))
    throw std::invalid_argument("sobol_indices: the outputs of A and B are all equal: no variance to share out");
  std::vector<std::vector<double>> first(g, std::vector<double>(bootstrap));
  std::vector<std::vector<double>> total(g, std::vector<double>(bootstrap));
  std::vector<std::size_t> picks(big_n);
  for (std::size_t b = 0; b < bootstrap; ++b) {
    RandomStream s = stream(seed, b, Purpose::sobol_bootstrap);
    for (std::size_t& j : picks) j = draw_below(s, big_n);
    const SobolEstimates e = sobol_estimates(design, outputs, picks);
    for (std::size_t h = 0; h < g; ++h) {
      first[h][b] = e.first_order[h];
      total[h][b] = e.total[h];
    }
  }
  SobolResult result;
  result.variance = all.variance;
  result.bootstrap = bootstrap;
  result.confidence = confidence;
  for (std::size_t h = 0; h < g; ++h) {
    SobolGroup group{design.groups.names[h], Estimate{all.first_order[h], nan, nan}, Estimate{all.total[h], nan, nan}};
    set_interval(group.first_order, first[h], confidence);
    set_interval(group.total, total[h], confidence);
    result.groups.push_back(group);
  }
  result.convergence = sobol_convergence(design, outputs);
  return result;
}

}  // namespace breachsim::sim::sensitivity
