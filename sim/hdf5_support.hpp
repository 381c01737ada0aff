// SPDX-License-Identifier: MIT
#pragma once
#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/result_file.hpp"

// What the files that use HDF5 (result_file.cpp, result_reader.cpp, damage_check.cpp) share:
// HDF5 kept quiet, its errors turned into reasons, and files opened the same way. Internal to
// breachsim_hdf5: nothing outside sim/ includes it, and only these files see HDF5.
namespace breachsim::sim::hdf5 {

// Stops the C++ API printing the error stack itself; call in each thread before HDF5.
void silence_hdf5();
// "H5Fopen failed (file signature not found)": the call and the reason on HDF5's stack.
std::string describe(const H5::Exception& e);
// The reason for a failed C API call, or "HDF5 gave no reason".
std::string stack_reason();
// How every result file is opened for reading: no HDF5 lock, few metadata read attempts.
H5::FileAccPropList reader_access();
// Throws OutputError "'FILE' OBJECT: WHAT".
[[noreturn]] void fail(const std::string& file, const std::string& object, const std::string& what);
// Whether `path` names an existing object (walked one component at a time).
bool object_exists(hid_t file_id, const std::string& path);
// The number of elements of an array of these dimensions.
hsize_t element_count(const std::vector<hsize_t>& dims);
// Opens a file read-only (SWMR reading when a plain open fails, as for a live partial); on
// failure returns a negative id with the first attempt's reason in `reason`.
hid_t open_read_only(const std::string& path, std::string& reason);

// An identifier from HDF5's C API, closed when it goes out of scope.
struct OwnedId {
  hid_t id;
  herr_t (*close)(hid_t);
  OwnedId(hid_t id_, herr_t (*close_)(hid_t)) : id(id_), close(close_) {
    if (id < 0) throw OutputError(stack_reason());
  }
  OwnedId(const OwnedId&) = delete;
  OwnedId& operator=(const OwnedId&) = delete;
  ~OwnedId() { close(id); }
};

// The memory and file types of each kind of value written and read (file types spelled out,
// never NATIVE_*, so a file's layout does not depend on the machine that wrote it).
template <typename T>
struct ElementTypes;
template <>
struct ElementTypes<std::int64_t> {
  static const H5::PredType& memory() { return H5::PredType::NATIVE_INT64; }
  static const H5::PredType& file() { return H5::PredType::STD_I64LE; }
};
template <>
struct ElementTypes<double> {
  static const H5::PredType& memory() { return H5::PredType::NATIVE_DOUBLE; }
  static const H5::PredType& file() { return H5::PredType::IEEE_F64LE; }
};
template <>
struct ElementTypes<std::int8_t> {
  static const H5::PredType& memory() { return H5::PredType::NATIVE_INT8; }
  static const H5::PredType& file() { return H5::PredType::STD_I8LE; }
};

}  // namespace breachsim::sim::hdf5
