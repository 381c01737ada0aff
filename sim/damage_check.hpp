// SPDX-License-Identifier: MIT
#pragma once
#include <string>

// Whether a result file can be read through, every object and, on request, every chunk: a
// file cut short or overwritten is found within seconds, with the object at fault, and HDF5
// looping for ever on damaged data is stopped (the reading happens in a child process).
namespace breachsim::sim::hdf5 {

// What inspect_guarded() found wrong with a file: nothing (empty reason), a file that does
// not open, or an object that cannot be read.
struct Damage {
  bool opens = true;
  std::string object, reason;
};

// Reads the file (with `chunks`, every chunk of every dataset) in a child process. Call it
// before a run's threads start: fork() needs a process whose other threads hold no lock.
Damage inspect_guarded(const std::string& path, bool chunks);

// Throws OutputDamaged, saying it cannot be resumed, when inspect_guarded finds anything.
void verify_readable(const std::string& path);

}  // namespace breachsim::sim::hdf5
