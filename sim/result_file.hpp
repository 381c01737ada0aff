// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

// The HDF5 sink. This header is HDF5-free; result_file.cpp is the only file in the project
// that includes H5Cpp.h, so every dataset and attribute the project writes passes through
// the few calls below.
namespace breachsim::sim {

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Raised when the target exists and overwriting was not asked for; nothing was touched.
class OutputExists : public OutputError {
 public:
  using OutputError::OutputError;
};

// A table written as one compound dataset (one row per element), which h5py reads as a
// structured array and pandas turns into a DataFrame in one call.
struct Column {
  std::string name;
  std::variant<std::vector<std::string>, std::vector<std::int64_t>, std::vector<double>> values;
};
using Table = std::vector<Column>;

using Attribute = std::variant<std::string, std::int64_t, double>;

// Metadata attached to an n-dimensional dataset.
struct ArrayInfo {
  std::string unit;                     // written as the `unit` attribute (always)
  std::string description;              // `description` attribute when non-empty
  std::vector<std::string> dimensions;  // `dimensions` attribute, e.g. "point,replication,month"
  std::vector<std::pair<std::string, Attribute>> extra;  // further attributes
  // Leading dimension index that chunks cover one block of at a time (DESIGN.md: a block of
  // replications of one metric, about 1 MiB), compressed with shuffle + deflate.
  int chunk_dimension = 0;
};

class ResultFile {
 public:
  // Opens a new result file for `final_path`. Everything is written to a temporary file in
  // the same directory and moved over `final_path` only by commit(), so an interrupted or
  // failed run never leaves a half-written file under the final name and never destroys an
  // existing one. Throws OutputExists if `final_path` exists and !overwrite, OutputError if
  // the directory cannot be written.
  static ResultFile create(const std::string& final_path, bool overwrite);

  ResultFile(ResultFile&&) noexcept;
  ResultFile& operator=(ResultFile&&) noexcept;
  ~ResultFile();  // without commit(): closes and deletes the temporary file

  // Object paths are absolute ("/outcomes/trust_month/ed_attendances"); missing parent
  // groups are created. "/" names the root group.
  void set_attribute(const std::string& object_path, const std::string& name, const Attribute& value);
  void write_text(const std::string& path, const std::string& text);  // scalar UTF-8 string
  void write_table(const std::string& path, const Table& table);      // columns of equal length
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                   const std::vector<std::int64_t>& data, const ArrayInfo& info);
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                   const std::vector<double>& data, const ArrayInfo& info);
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                   const std::vector<std::int8_t>& data, const ArrayInfo& info);

  // Flushes, closes and atomically renames the temporary file to the final path.
  void commit();

  const std::string& final_path() const;

 private:
  struct Impl;
  explicit ResultFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Read-back used by `breachsim summary` and the tests, so they need no HDF5 of their own.
class ResultReader {
 public:
  explicit ResultReader(const std::string& path);  // throws OutputError if unreadable
  ResultReader(ResultReader&&) noexcept;
  ~ResultReader();

  bool exists(const std::string& path) const;
  Attribute attribute(const std::string& object_path, const std::string& name) const;
  std::string read_text(const std::string& path) const;
  std::vector<std::uint64_t> dims(const std::string& path) const;
  std::vector<double> read_doubles(const std::string& path) const;  // any numeric array, converted
  std::vector<std::int64_t> read_int64s(const std::string& path) const;
  Table read_table(const std::string& path) const;
  std::vector<std::string> list(const std::string& group_path) const;  // member names, sorted

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Version string of the HDF5 library actually linked, e.g. "1.10.8".
std::string hdf5_library_version();

}  // namespace breachsim::sim
