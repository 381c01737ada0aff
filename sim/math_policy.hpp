// SPDX-License-Identifier: MIT
#pragma once
#include <boost/math/policies/policy.hpp>

namespace breachsim::sim {

// Boost.Math evaluating in double throughout. Its default promotes double arguments to long
// double, whose width is the platform's (80 bits on x86-64, 128 on AArch64, 64 under
// valgrind, where erfc_inv<long double>'s initialiser overflowed and aborted every program
// linking the engine): results would then depend on the machine. In double they do not.
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

}  // namespace breachsim::sim
