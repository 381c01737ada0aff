// SPDX-License-Identifier: MIT
#pragma once
#include <H5Cpp.h>

#include <string>

// The HDF5 file driver ResultFile writes through (hdf5_driver.cpp says why it exists).
namespace breachsim::sim::hdf5 {

// Where a file's first failed disk operation is reported, for ResultFile to tell the user:
// the driver's own record goes with the file when HDF5 closes it, this one stays.
struct IoError {
  int error = 0;     // errno; 0 while nothing failed
  std::string call;  // what failed: "write to it", "read from it"...
  std::string file;
};

// The driver's identifier, registered at first use: pass it to H5Pset_driver with a pointer
// to an IoError* as its property.
hid_t posix_driver();

}  // namespace breachsim::sim::hdf5
