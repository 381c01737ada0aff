// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Global sensitivity analysis of a model with uncertain inputs ("factors"): designs of points
// in the unit hypercube to evaluate, and the estimators that read the outputs back.
//   - Morris elementary effects (Morris 1991; Campolongo, Cariboni and Saltelli 2007), to
//     screen many factors for the few that matter, at r (g + 1) evaluations;
//   - Sobol first-order and total indices from Saltelli's design (Saltelli et al. 2010), at
//     N (g + 2) evaluations: the share of the output variance each group explains alone, and
//     with all its interactions.
// Factors that share a group move together, and every index is per group (Saltelli et al.,
// Global Sensitivity Analysis: The Primer, 2008, ch. 3-4). The caller maps each unit point to
// factor values (factor_values), evaluates the model there and hands back one output per row,
// in row order. Every draw comes from counter-based streams keyed by the seed (sim/random.hpp),
// one per trajectory and per resample, so a seed gives the same design and intervals on every
// machine, and the work could be split between threads without changing them.
namespace breachsim::sim::sensitivity {

// One uncertain input and the range it is varied over.
struct Factor {
  enum class Scale { uniform, log_uniform };

  std::string name;
  Scale scale = Scale::uniform;
  double low = 0.0;
  double high = 1.0;
  // Factors with the same non-empty group move together and get one index; a factor with an
  // empty group is a group of its own, named after the factor.
  std::string group;
};

// Throws std::invalid_argument, naming the factor, unless low < high, both are finite and, on a
// log-uniform scale, low > 0.
void validate(const Factor& factor);
// Each factor as above, at least one factor, names non-empty and unique, and no group named
// after a factor that is not in it (the two would be indistinguishable in a result).
void validate(const std::vector<Factor>& factors);

// The factor's value at u in [0, 1] (u = 0 gives low, u = 1 high, exactly): uniform is
// low + u (high - low); log_uniform is exp(lerp(log low, log high, u)), uniform in the order of
// magnitude. Throws std::invalid_argument when u is outside [0, 1] or the factor is invalid.
double value_of(const Factor& factor, double u);
// One design row (a unit point, one coordinate per factor) as factor values.
std::vector<double> factor_values(const std::vector<Factor>& factors, const std::vector<double>& unit_point);

// The groups of a list of factors, in order of first appearance.
struct Groups {
  std::vector<std::string> names;
  std::vector<std::size_t> of_factor;  // of_factor[i]: the index in names of factor i's group
};
// Validates the factors, then groups them.
Groups group_factors(const std::vector<Factor>& factors);
// group_factors(factors).names.
std::vector<std::string> group_names(const std::vector<Factor>& factors);

// A percentile bootstrap estimate: the value from all the data, and the interval between the
// (1 - confidence)/2 and (1 + confidence)/2 quantiles (type 7, sim/stats.hpp) of the value over
// bootstrap resamples. low and high are NaN when no resample was asked for, or when the value
// was undefined in some resample.
struct Estimate {
  double value = 0.0;
  double low = 0.0;
  double high = 0.0;
};

// ---------------------------------------------------------------------------------------------
// Morris elementary effects.

// One move along a trajectory: `group`'s factors all change by `delta` (+-Delta in the unit
// cube), every other coordinate stays.
struct MorrisStep {
  std::size_t group = 0;
  double delta = 0.0;
};

// r trajectories of g + 1 points each. Trajectory t is rows t (g + 1) to t (g + 1) + g of
// unit_points; its step s (steps[t g + s]) goes from row t (g + 1) + s to the row after it.
// Every group moves exactly once per trajectory, in a random order, all its factors in one
// random direction, by Delta = levels / (2 (levels - 1)) (2/3 at 4 levels); the base point is
// drawn from the grid {0, 1/(levels - 1), ..., 1} so that base + Delta <= 1 in every coordinate.
struct MorrisDesign {
  std::vector<Factor> factors;
  Groups groups;
  std::size_t trajectories = 0;
  int levels = 0;
  double delta = 0.0;
  std::vector<std::vector<double>> unit_points;  // r (g + 1) rows of one coordinate per factor
  std::vector<MorrisStep> steps;                 // r g steps, trajectory by trajectory
};

// Builds the design of Morris (1991) with groups as in Campolongo et al. (2007): `trajectories`
// (r >= 2: sigma needs two effects) at `levels` (even, >= 2; 4 is usual). Trajectory t draws
// only from its own stream (seed, t), so a design with more trajectories starts with the same
// ones. Throws std::invalid_argument on invalid factors or arguments.
MorrisDesign morris_design(const std::vector<Factor>& factors, std::size_t trajectories, int levels,
                           std::uint64_t seed);

// The screening measures of one group over the r elementary effects EE = (f(after) -
// f(before)) / step delta, measured in the unit cube: the change in output per whole range of
// the factor, so a linear f = c x over [low, high] has EE = c (high - low) (for a log-uniform
// factor, per whole range of its logarithm). Effects of factors with different units are so
// comparable. A group's EE is that of all its factors moved together.
struct MorrisGroup {
  std::string name;
  double mu = 0.0;     // mean EE: the direction of the effect (effects of both signs cancel)
  Estimate mu_star;    // mean |EE| (Campolongo et al. 2007): the importance measure
  double sigma = 0.0;  // standard deviation of EE (divisor r - 1): interactions and non-linearity
};
// mu* again from the first t trajectories only (a design with more trajectories starts with the
// same ones, so this is the answer a smaller study would have given).
struct MorrisConvergence {
  std::size_t trajectories = 0;
  std::vector<double> mu_star;  // per group
};
struct MorrisResult {
  std::vector<MorrisGroup> groups;  // in design.groups order
  std::vector<MorrisConvergence> convergence;  // t = r/4, r/2, r (those >= 2), increasing
  std::size_t bootstrap = 0;
  double confidence = 0.0;
};

// Reads the outputs of a Morris design (one a row, in row order). mu_star's interval resamples
// whole trajectories, `bootstrap` times, from streams keyed by `seed`. Throws
// std::invalid_argument when the outputs do not match the design, or name the first row whose
// output is not finite (a failed point must be rerun: dropping it breaks its trajectory).
MorrisResult morris_indices(const MorrisDesign& design, const std::vector<double>& outputs, std::size_t bootstrap,
                            std::uint64_t seed, double confidence = 0.95);

// ---------------------------------------------------------------------------------------------
// Sobol indices by Saltelli's design.

// N base rows in g + 2 blocks of N rows each, unit_points row = block N + j:
//   block 0       A: row j of A
//   block 1       B: row j of B
//   block 2 + h   AB_h: row j of A with group h's columns taken from row j of B
// Row j of [A | B] is point skip + j of the 2k-dimensional Sobol sequence (Joe and Kuo 2008
// direction numbers, boost::random::sobol), A its first k coordinates and B its last k, with a
// random digital shift (each coordinate's bits XORed with a mask drawn from the seed): the
// shifted points keep the sequence's net structure, and each is uniform on the cube, so that
// averages over the design are unbiased (randomised quasi-Monte Carlo). `skip` is the smallest
// power of two >= N, so that for N a power of two the rows (and the first N/2, N/4, N/8 of
// them, which the convergence check uses) are whole nets of the sequence: skipping any other
// number of points loses that balance (Owen, "On dropping the first Sobol' point", 2022).
struct SaltelliDesign {
  std::vector<Factor> factors;
  Groups groups;
  std::size_t base_samples = 0;                  // N
  std::uint64_t skip = 0;                        // index in the Sobol sequence of base row 0
  std::vector<std::vector<double>> unit_points;  // N (g + 2) rows of one coordinate per factor
};

// The design's row of base row j in `block` (0 A, 1 B, 2 + h AB_h): block N + j.
std::size_t saltelli_row(const SaltelliDesign& design, std::size_t block, std::size_t base_row);

// Builds the design for `base_samples` N >= 2 (a power of two keeps the Sobol balance; 2k must
// not exceed the 3667 dimensions of Boost's table). Throws std::invalid_argument on invalid
// factors or arguments.
SaltelliDesign saltelli_design(const std::vector<Factor>& factors, std::size_t base_samples, std::uint64_t seed);

// The indices of one group, as fractions of the output variance.
struct SobolGroup {
  std::string name;
  Estimate first_order;  // S: the variance explained by the group alone
  Estimate total;        // ST: the variance the group takes part in, with all its interactions
};
// The point estimates again from the first n base rows only (rows j < n of every block).
struct SobolConvergence {
  std::size_t base_samples = 0;
  std::vector<double> first_order;  // per group
  std::vector<double> total;        // per group
};
struct SobolResult {
  std::vector<SobolGroup> groups;             // in design.groups order
  double variance = 0.0;                      // V: of the 2N outputs of A and B together (divisor 2N)
  std::vector<SobolConvergence> convergence;  // n = N/8, N/4, N/2, N (those >= 8), increasing
  std::size_t bootstrap = 0;
  double confidence = 0.0;
};

// Reads the outputs of a Saltelli design (one a row, in row order):
//   S_h  = mean_j (f(B)_j - m) (f(AB_h)_j - f(A)_j) / V   (Saltelli et al. 2010, table 2 (b))
//   ST_h = mean_j (f(A)_j - f(AB_h)_j)^2 / (2 V)          (Jansen 1999; Saltelli et al. 2010 (f))
// with m and V the mean and variance of the 2N outputs of A and B. S_h is Saltelli's estimator
// applied to f - m: the same in expectation, and unchanged when a constant is added to f,
// where the uncentred one loses precision as the output's mean grows against its spread.
// The intervals come from `bootstrap` resamples of the N base rows (a base row keeps its rows in
// every block together), from streams keyed by `seed`. The bootstrap takes the rows for
// independent draws, so it overstates the error of Sobol rows, which are spread more evenly:
// the intervals are conservative (on the test functions, errors were a tenth of half-widths).
// Throws std::invalid_argument when the outputs do not match the design, when they do not vary
// (every index would be 0/0), or naming the first row whose output is not finite (a failed
// point must be rerun: dropping it unpairs its base row).
SobolResult sobol_indices(const SaltelliDesign& design, const std::vector<double>& outputs, std::size_t bootstrap,
                          std::uint64_t seed, double confidence = 0.95);

}  // namespace breachsim::sim::sensitivity
