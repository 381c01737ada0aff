// SPDX-License-Identifier: MIT
#include "sim/result_file.hpp"

#include <H5Cpp.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

// The only translation unit that sees HDF5. Conventions kept here so every file agrees:
//  - file types are spelled out (STD_I64LE, IEEE_F64LE, STD_I8LE) rather than NATIVE_*, so
//    a file's layout does not depend on the machine that wrote it;
//  - strings are variable-length UTF-8 (h5py gives str for attributes, bytes in tables);
//  - default (earliest) library-version bounds, so older HDF5 1.8 readers can open files;
//  - every H5::Exception leaves this file as OutputError naming the file and object path.
namespace breachsim::sim {
namespace {

namespace fs = std::filesystem;

constexpr hsize_t target_chunk_bytes = hsize_t{1} << 20;  // DESIGN.md: chunks of about 1 MiB
constexpr int deflate_level = 4;

// The C++ API prints the whole error stack to stderr before throwing; we rethrow with
// context instead. The setting is process-wide, so calling it repeatedly is harmless.
void silence_hdf5() { H5::Exception::dontPrint(); }

// The C++ exception only says which call failed ("H5Fopen failed"). The reason ("file
// signature not found") is on HDF5's error stack, but only until the next HDF5 call: when
// a destructor has run in between, the stack is empty and we add nothing (never a stale
// reason). Common failures are therefore also checked before calling HDF5.
std::string describe(const H5::Exception& e) {
  std::string text = e.getFuncName();
  const std::string detail = e.getDetailMsg();
  if (!detail.empty()) text += text.empty() ? detail : ": " + detail;
  std::string reason;
  const auto innermost = [](unsigned depth, const H5E_error2_t* error, void* out) -> herr_t {
    if (depth == 0 && error->desc) *static_cast<std::string*>(out) = error->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &reason);
  if (!reason.empty()) text += " (" + reason + ")";
  return text;
}

[[noreturn]] void fail(const std::string& file, const std::string& object,
                       const std::string& what) {
  throw OutputError("'" + file + "' " + object + ": " + what);
}

H5::StrType utf8_string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

// HDF5 variable-length strings are NUL-terminated, so an embedded NUL would silently cut
// the stored text short; refuse it instead.
void require_no_nul(const std::string& file, const std::string& object, const std::string& text) {
  if (text.find('\0') != std::string::npos) fail(file, object, "string contains a NUL byte");
}

// "/a/b/c" -> {"a", "b", "c"}; "/" -> {}. Object paths in this API are always absolute.
std::vector<std::string> split_path(const std::string& file, const std::string& path) {
  if (path.empty() || path.front() != '/') fail(file, path, "object path must start with '/'");
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end == start) {
      if (end != path.size()) fail(file, path, "object path has an empty component");
    } else {
      parts.push_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count; ++i) path += "/" + parts[i];
  return path.empty() ? "/" : path;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

hsize_t element_count(const std::vector<hsize_t>& dims) {
  hsize_t count = 1;
  for (const hsize_t d : dims) count *= d;
  return count;
}

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

void write_attribute(H5::H5Object& object, const std::string& name, const Attribute& value) {
  if (object.attrExists(name)) object.removeAttr(name);  // a rewrite may change the type
  const H5::DataSpace scalar(H5S_SCALAR);
  if (const auto* text = std::get_if<std::string>(&value)) {
    const H5::StrType type = utf8_string_type();
    object.createAttribute(name, type, scalar).write(type, *text);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    object.createAttribute(name, H5::PredType::STD_I64LE, scalar)
        .write(H5::PredType::NATIVE_INT64, integer);
  } else {
    object.createAttribute(name, H5::PredType::IEEE_F64LE, scalar)
        .write(H5::PredType::NATIVE_DOUBLE, &std::get<double>(value));
  }
}

// Whether `path` names an existing object. H5Lexists fails (rather than answering false)
// when an intermediate group is missing or is not a group, so walk down one component at a
// time. The C API is used because it reports through return values and never throws.
bool object_exists(hid_t file_id, const std::string& path) {
  if (path == "/") return true;
  if (path.empty() || path.front() != '/') return false;
  std::string prefix;
  std::size_t start = 1;
  while (start < path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end == start) return false;
    prefix += "/" + path.substr(start, end - start);
    if (H5Lexists(file_id, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    // Also rules out dangling soft links.
    if (H5Oexists_by_name(file_id, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (end < path.size()) {
      H5O_info_t info;
      if (H5Oget_info_by_name(file_id, prefix.c_str(), &info, H5P_DEFAULT) < 0) return false;
      if (info.type != H5O_TYPE_GROUP) return false;
    }
    start = end + 1;
  }
  return true;
}

// Best effort: without the fsync a crash shortly after rename() can leave the final name
// pointing at an empty file on some file systems, which is worse than no file at all.
void sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

// --------------------------------------------------------------------------------------
// ResultFile

struct ResultFile::Impl {
  std::string final_path_;
  std::string temp_path_;
  bool overwrite_ = false;
  std::optional<H5::H5File> file_;  // empty after commit()

  ~Impl() {
    try {
      if (file_) {
        file_->close();
        file_.reset();
      }
    } catch (...) {
      // Nothing useful to do in a destructor; the temporary file is removed below anyway.
    }
    if (!temp_path_.empty()) {
      std::error_code ignored;
      fs::remove(temp_path_, ignored);
    }
  }

  H5::H5File& file(const std::string& object) {
    if (!file_) fail(final_path_, object, "result file already committed");
    return *file_;
  }

  // Creates every missing group on the way to `path` (the last component too when
  // `include_last`), and refuses to descend through a dataset.
  void make_groups(const std::string& path, bool include_last) {
    const std::vector<std::string> parts = split_path(final_path_, path);
    if (parts.empty() && !include_last) fail(final_path_, path, "expected a dataset path, got '/'");
    const std::size_t count = include_last ? parts.size() : parts.size() - 1;
    H5::H5File& h5 = file(path);
    if (!include_last && object_exists(h5.getId(), path)) fail(final_path_, path, "already exists");
    for (std::size_t i = 1; i <= count; ++i) {
      const std::string prefix = join_path(parts, i);
      if (!object_exists(h5.getId(), prefix)) {
        h5.createGroup(prefix).close();
      } else if (h5.childObjType(prefix) != H5O_TYPE_GROUP) {
        fail(final_path_, path, prefix + " exists and is not a group");
      }
    }
  }

  template <typename T>
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims_in,
                   const std::vector<T>& data, const ArrayInfo& info);
};

ResultFile::ResultFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultFile::ResultFile(ResultFile&&) noexcept = default;
ResultFile& ResultFile::operator=(ResultFile&&) noexcept = default;
ResultFile::~ResultFile() = default;

ResultFile ResultFile::create(const std::string& final_path, bool overwrite) {
  silence_hdf5();
  const fs::path target(final_path);
  if (target.filename().empty())
    throw OutputError("'" + final_path + "' names a directory, not a file");
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");

  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw OutputError("output directory '" + directory.string() + "' for '" + final_path +
                      "' does not exist");
  }
  if (fs::exists(fs::symlink_status(target, ec))) {
    if (!overwrite) {
      throw OutputExists("'" + final_path +
                         "' already exists; use --force to overwrite it or choose another --out");
    }
    if (fs::is_directory(target, ec)) {
      throw OutputError("'" + final_path + "' is a directory and cannot be overwritten");
    }
  }

  auto impl = std::make_unique<Impl>();
  impl->final_path_ = final_path;
  impl->overwrite_ = overwrite;
  // Hidden and pid-tagged so concurrent runs into one directory do not collide. The name is
  // claimed with O_EXCL, which is atomic and, unlike HDF5, reports errno; a leftover from a
  // crashed run with a recycled pid gets a numbered sibling instead of being clobbered.
  const std::string stem = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid());
  for (int attempt = 0;; ++attempt) {
    const fs::path candidate =
        directory / (attempt == 0 ? stem : stem + "-" + std::to_string(attempt));
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd >= 0) {
      ::close(fd);
      impl->temp_path_ = candidate.string();
      break;
    }
    if (errno != EEXIST || attempt == 100) {
      throw OutputError("cannot create '" + candidate.string() + "' for '" + final_path +
                        "': " + std::strerror(errno));
    }
  }
  try {
    H5::FileAccPropList access;
    // Closing the file must really close it before rename(), even if some object handle
    // were still alive.
    access.setFcloseDegree(H5F_CLOSE_STRONG);
    impl->file_.emplace(impl->temp_path_, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access);
  } catch (const H5::Exception& e) {
    throw OutputError("cannot create HDF5 file '" + impl->temp_path_ + "' for '" + final_path +
                      "': " + describe(e));  // impl's destructor removes the placeholder
  }
  return ResultFile(std::move(impl));
}

const std::string& ResultFile::final_path() const {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  return impl_->final_path_;
}

void ResultFile::set_attribute(const std::string& object_path, const std::string& name,
                               const Attribute& value) {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  Impl& impl = *impl_;
  const std::string where = object_path + " @" + name;
  if (const auto* text = std::get_if<std::string>(&value))
    require_no_nul(impl.final_path_, where, *text);
  try {
    // A missing object is created as a group, so metadata for a group may be written
    // before (or without) its members.
    H5::H5File& h5 = impl.file(object_path);
    if (!object_exists(h5.getId(), object_path)) impl.make_groups(object_path, true);
    if (object_path == "/" || h5.childObjType(object_path) == H5O_TYPE_GROUP) {
      H5::Group group = h5.openGroup(object_path);
      write_attribute(group, name, value);
    } else if (h5.childObjType(object_path) == H5O_TYPE_DATASET) {
      H5::DataSet dataset = h5.openDataSet(object_path);
      write_attribute(dataset, name, value);
    } else {
      fail(impl.final_path_, object_path, "is neither a group nor a dataset");
    }
  } catch (const H5::Exception& e) {
    fail(impl.final_path_, where, "cannot write attribute: " + describe(e));
  }
}

void ResultFile::write_text(const std::string& path, const std::string& text) {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  Impl& impl = *impl_;
  require_no_nul(impl.final_path_, path, text);
  try {
    impl.make_groups(path, false);
    const H5::StrType type = utf8_string_type();
    H5::DataSet dataset = impl.file(path).createDataSet(path, type, H5::DataSpace(H5S_SCALAR));
    dataset.write(text, type);
  } catch (const H5::Exception& e) {
    fail(impl.final_path_, path, "cannot write text: " + describe(e));
  }
}

void ResultFile::write_table(const std::string& path, const Table& table) {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  Impl& impl = *impl_;
  const std::string& file_name = impl.final_path_;
  if (table.empty()) fail(file_name, path, "a table needs at least one column");

  const auto column_length = [](const Column& c) {
    return std::visit([](const auto& v) { return v.size(); }, c.values);
  };
  const std::size_t rows = column_length(table.front());
  std::vector<std::string> seen;
  for (const Column& column : table) {
    if (column.name.empty()) fail(file_name, path, "table column with an empty name");
    if (std::find(seen.begin(), seen.end(), column.name) != seen.end()) {
      fail(file_name, path, "duplicate table column '" + column.name + "'");
    }
    seen.push_back(column.name);
    if (column_length(column) != rows) {
      fail(file_name, path,
           "column '" + column.name + "' has " + std::to_string(column_length(column)) +
               " rows, but column '" + table.front().name + "' has " + std::to_string(rows));
    }
    if (const auto* strings = std::get_if<std::vector<std::string>>(&column.values)) {
      for (const std::string& s : *strings) require_no_nul(file_name, path + "." + column.name, s);
    }
  }

  // Every member is 8 bytes in memory (int64, double or a char* for a variable-length
  // string), so a row is an array of 8-byte slots with no padding to reason about.
  constexpr std::size_t slot = 8;
  static_assert(sizeof(const char*) == slot && sizeof(double) == slot, "8-byte members expected");
  const std::size_t row_size = slot * table.size();
  try {
    const H5::StrType string_type = utf8_string_type();
    H5::CompType memory_type(row_size);
    H5::CompType file_type(row_size);  // packed: each file member is 8 bytes too
    std::vector<unsigned char> buffer(row_size * rows);
    for (std::size_t c = 0; c < table.size(); ++c) {
      const Column& column = table[c];
      const std::size_t offset = c * slot;
      std::visit(
          [&](const auto& values) {
            using V = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_same_v<V, std::string>) {
              memory_type.insertMember(column.name, offset, string_type);
              file_type.insertMember(column.name, offset, string_type);
              for (std::size_t r = 0; r < rows; ++r) {
                const char* pointer = values[r].c_str();
                std::memcpy(buffer.data() + r * row_size + offset, &pointer, slot);
              }
            } else {
              memory_type.insertMember(column.name, offset, ElementTypes<V>::memory());
              file_type.insertMember(column.name, offset, ElementTypes<V>::file());
              for (std::size_t r = 0; r < rows; ++r) {
                std::memcpy(buffer.data() + r * row_size + offset, &values[r], slot);
              }
            }
          },
          column.values);
    }
    impl.make_groups(path, false);
    const hsize_t extent[1] = {rows};
    H5::DataSet dataset = impl.file(path).createDataSet(path, file_type, H5::DataSpace(1, extent));
    // H5Dwrite rejects a null buffer, which an empty vector may give us; nothing to write.
    if (rows > 0) dataset.write(buffer.data(), memory_type);
  } catch (const H5::Exception& e) {
    fail(file_name, path, "cannot write table: " + describe(e));
  }
}

template <typename T>
void ResultFile::Impl::write_array(const std::string& path,
                                   const std::vector<std::uint64_t>& dims_in,
                                   const std::vector<T>& data, const ArrayInfo& info) {
  const std::vector<hsize_t> dims(dims_in.begin(), dims_in.end());
  const hsize_t count = element_count(dims);
  if (count != data.size()) {
    fail(final_path_, path,
         "dimensions hold " + std::to_string(count) + " elements but " +
             std::to_string(data.size()) + " were given");
  }
  const int rank = static_cast<int>(dims.size());
  if (rank > 0 && (info.chunk_dimension < 0 || info.chunk_dimension >= rank)) {
    fail(final_path_, path,
         "chunk_dimension " + std::to_string(info.chunk_dimension) + " is outside rank " +
             std::to_string(rank));
  }
  if (!info.dimensions.empty() && info.dimensions.size() != dims.size()) {
    fail(final_path_, path,
         std::to_string(info.dimensions.size()) + " dimension names for a rank-" +
             std::to_string(rank) + " array");
  }
  try {
    make_groups(path, false);
    H5::DSetCreatPropList create;
    // Chunking needs a non-empty extent; an empty or scalar dataset is simply contiguous.
    if (rank > 0 && count > 0) {
      const auto chunk_dim = static_cast<std::size_t>(info.chunk_dimension);
      std::vector<hsize_t> chunk = dims;
      const hsize_t slice_bytes = count / dims[chunk_dim] * sizeof(T);
      chunk[chunk_dim] = std::clamp<hsize_t>(target_chunk_bytes / slice_bytes, 1, dims[chunk_dim]);
      create.setChunk(rank, chunk.data());
      create.setShuffle();  // before deflate: byte planes of similar numbers compress far better
      create.setDeflate(deflate_level);
    }
    const H5::DataSpace space =
        rank == 0 ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(rank, dims.data());
    H5::DataSet dataset = file(path).createDataSet(path, ElementTypes<T>::file(), space, create);
    if (count > 0) dataset.write(data.data(), ElementTypes<T>::memory());

    write_attribute(dataset, "unit", info.unit);
    if (!info.description.empty()) write_attribute(dataset, "description", info.description);
    if (!info.dimensions.empty())
      write_attribute(dataset, "dimensions", join(info.dimensions, ","));
    for (const auto& [name, value] : info.extra) write_attribute(dataset, name, value);
  } catch (const H5::Exception& e) {
    fail(final_path_, path, "cannot write array: " + describe(e));
  }
}

void ResultFile::write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                             const std::vector<std::int64_t>& data, const ArrayInfo& info) {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  impl_->write_array(path, dims, data, info);
}

void ResultFile::write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                             const std::vector<double>& data, const ArrayInfo& info) {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  impl_->write_array(path, dims, data, info);
}

void ResultFile::write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                             const std::vector<std::int8_t>& data, const ArrayInfo& info) {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  impl_->write_array(path, dims, data, info);
}

void ResultFile::commit() {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  Impl& impl = *impl_;
  H5::H5File& h5 = impl.file("/");
  try {
    h5.flush(H5F_SCOPE_GLOBAL);
    h5.close();
  } catch (const H5::Exception& e) {
    fail(impl.final_path_, "/", "cannot flush and close: " + describe(e));
  }
  impl.file_.reset();
  sync_path(impl.temp_path_, false);

  // Without overwrite, link() is the atomic "create only if absent": the target may have
  // appeared since create() checked, and it must not be destroyed.
  if (!impl.overwrite_) {
    if (::link(impl.temp_path_.c_str(), impl.final_path_.c_str()) == 0) {
      std::error_code ignored;
      fs::remove(impl.temp_path_, ignored);
      impl.temp_path_.clear();
    } else if (errno == EEXIST) {
      throw OutputExists("'" + impl.final_path_ +
                         "' appeared while the results were being written; use --force to "
                         "overwrite it or choose another --out");
    }
    // Other failures (file systems without hard links) fall through to rename().
  }
  if (!impl.temp_path_.empty()) {
    if (std::rename(impl.temp_path_.c_str(), impl.final_path_.c_str()) != 0) {
      throw OutputError("cannot move '" + impl.temp_path_ + "' to '" + impl.final_path_ +
                        "': " + std::strerror(errno));
    }
    impl.temp_path_.clear();
  }
  const fs::path parent = fs::path(impl.final_path_).parent_path();
  sync_path(parent.empty() ? "." : parent.string(), true);
}

// --------------------------------------------------------------------------------------
// ResultReader

struct ResultReader::Impl {
  std::string path_;
  H5::H5File file_;

  [[noreturn]] void fail_at(const std::string& object, const std::string& what) const {
    fail(path_, object, what);
  }

  H5::DataSet open_dataset(const std::string& path) const {
    if (file_.childObjType(path) != H5O_TYPE_DATASET) fail_at(path, "is not a dataset");
    return file_.openDataSet(path);
  }

  static std::vector<std::uint64_t> extent(const H5::DataSet& dataset) {
    const H5::DataSpace space = dataset.getSpace();
    const int rank = space.getSimpleExtentNdims();
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    return std::vector<std::uint64_t>(dims.begin(), dims.end());
  }

  template <typename T>
  std::vector<T> read_numbers(const std::string& path, bool allow_float) const {
    try {
      const H5::DataSet dataset = open_dataset(path);
      const H5T_class_t type_class = dataset.getTypeClass();
      if (type_class != H5T_INTEGER && !(allow_float && type_class == H5T_FLOAT)) {
        fail_at(path, allow_float ? "is not a numeric dataset"
                                  : "is not an integer dataset (read it as doubles)");
      }
      std::vector<T> values(static_cast<std::size_t>(dataset.getSpace().getSimpleExtentNpoints()));
      if (!values.empty()) dataset.read(values.data(), ElementTypes<T>::memory());
      return values;
    } catch (const H5::Exception& e) {
      fail_at(path, "cannot read: " + describe(e));
    }
  }

  // Reads one member of a compound dataset; HDF5 matches members by name, so a compound
  // memory type with a single member reads just that column.
  Column read_member(const H5::DataSet& dataset, const H5::CompType& type, unsigned index,
                     std::size_t rows, const std::string& path) const {
    Column column;
    column.name = type.getMemberName(index);
    const std::string where = path + "." + column.name;
    switch (type.getMemberClass(index)) {
      case H5T_STRING: {
        const H5::StrType member_type = type.getMemberStrType(index);
        std::vector<std::string> values(rows);
        if (member_type.isVariableStr()) {
          H5::CompType memory(sizeof(char*));
          memory.insertMember(column.name, 0, member_type);
          std::vector<char*> pointers(rows, nullptr);
          if (rows > 0) {
            dataset.read(pointers.data(), memory);
            for (std::size_t r = 0; r < rows; ++r) values[r] = pointers[r] ? pointers[r] : "";
            H5::DataSet::vlenReclaim(pointers.data(), memory, dataset.getSpace());
          }
        } else {
          const std::size_t width = member_type.getSize();
          H5::CompType memory(width);
          memory.insertMember(column.name, 0, member_type);
          std::vector<char> raw(width * rows);
          if (rows > 0) dataset.read(raw.data(), memory);
          for (std::size_t r = 0; r < rows; ++r) {
            const char* begin = raw.data() + r * width;
            // Fixed-length strings are NUL- or space-padded depending on the writer.
            std::size_t length = std::find(begin, begin + width, '\0') - begin;
            if (member_type.getStrpad() == H5T_STR_SPACEPAD) {
              while (length > 0 && begin[length - 1] == ' ') --length;
            }
            values[r].assign(begin, length);
          }
        }
        column.values = std::move(values);
        break;
      }
      case H5T_INTEGER:
      case H5T_FLOAT: {
        const bool integer = type.getMemberClass(index) == H5T_INTEGER;
        H5::CompType memory(std::size_t{8});
        memory.insertMember(column.name, 0,
                            integer ? H5::PredType::NATIVE_INT64 : H5::PredType::NATIVE_DOUBLE);
        if (integer) {
          std::vector<std::int64_t> values(rows);
          if (rows > 0) dataset.read(values.data(), memory);
          column.values = std::move(values);
        } else {
          std::vector<double> values(rows);
          if (rows > 0) dataset.read(values.data(), memory);
          column.values = std::move(values);
        }
        break;
      }
      default:
        fail_at(where, "column type is not a string, integer or float");
    }
    return column;
  }
};

ResultReader::ResultReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  silence_hdf5();
  impl_->path_ = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw OutputError("'" + path + "': no such file");
  try {
    impl_->file_.openFile(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw OutputError("'" + path + "': cannot open as HDF5: " + describe(e));
  }
}

ResultReader::ResultReader(ResultReader&&) noexcept = default;
ResultReader::~ResultReader() = default;

// Every other reader method starts here, so this is also the moved-from guard.
bool ResultReader::exists(const std::string& path) const {
  if (!impl_) throw OutputError("use of a moved-from ResultReader");
  return object_exists(impl_->file_.getId(), path);
}

Attribute ResultReader::attribute(const std::string& object_path, const std::string& name) const {
  const std::string where = object_path + " @" + name;
  if (!exists(object_path)) impl_->fail_at(object_path, "no such object");
  try {
    // H5::Attribute's implicit copy assignment copies the id without taking a reference
    // (a double close later), so the attribute is only ever copy-constructed.
    const auto open = [&]() -> H5::Attribute {
      if (object_path == "/" || impl_->file_.childObjType(object_path) == H5O_TYPE_GROUP) {
        const H5::Group group = impl_->file_.openGroup(object_path);
        if (!group.attrExists(name)) impl_->fail_at(where, "no such attribute");
        return group.openAttribute(name);
      }
      const H5::DataSet dataset = impl_->file_.openDataSet(object_path);
      if (!dataset.attrExists(name)) impl_->fail_at(where, "no such attribute");
      return dataset.openAttribute(name);
    };
    const H5::Attribute attr = open();
    if (attr.getSpace().getSimpleExtentNpoints() != 1)
      impl_->fail_at(where, "is not a single value");
    switch (attr.getTypeClass()) {
      case H5T_STRING: {
        std::string text;
        attr.read(attr.getStrType(), text);
        return text;
      }
      case H5T_INTEGER: {
        std::int64_t value = 0;
        attr.read(H5::PredType::NATIVE_INT64, &value);
        return value;
      }
      case H5T_FLOAT: {
        double value = 0;
        attr.read(H5::PredType::NATIVE_DOUBLE, &value);
        return value;
      }
      default:
        impl_->fail_at(where, "attribute type is not a string, integer or float");
    }
  } catch (const H5::Exception& e) {
    impl_->fail_at(where, "cannot read attribute: " + describe(e));
  }
}

std::string ResultReader::read_text(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    const H5::DataSet dataset = impl_->open_dataset(path);
    if (dataset.getTypeClass() != H5T_STRING) impl_->fail_at(path, "is not a string dataset");
    if (dataset.getSpace().getSimpleExtentNpoints() != 1)
      impl_->fail_at(path, "is not a single string");
    std::string text;
    dataset.read(text, dataset.getStrType());
    return text;
  } catch (const H5::Exception& e) {
    impl_->fail_at(path, "cannot read text: " + describe(e));
  }
}

std::vector<std::uint64_t> ResultReader::dims(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    return Impl::extent(impl_->open_dataset(path));
  } catch (const H5::Exception& e) {
    impl_->fail_at(path, "cannot read dimensions: " + describe(e));
  }
}

std::vector<double> ResultReader::read_doubles(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  return impl_->read_numbers<double>(path, true);
}

std::vector<std::int64_t> ResultReader::read_int64s(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  return impl_->read_numbers<std::int64_t>(path, false);
}

Table ResultReader::read_table(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    const H5::DataSet dataset = impl_->open_dataset(path);
    if (dataset.getTypeClass() != H5T_COMPOUND)
      impl_->fail_at(path, "is not a table (compound dataset)");
    const std::vector<std::uint64_t> extent = Impl::extent(dataset);
    if (extent.size() != 1) impl_->fail_at(path, "is not a one-dimensional table");
    const auto rows = static_cast<std::size_t>(extent[0]);
    const H5::CompType type = dataset.getCompType();
    Table table;
    const int members = type.getNmembers();
    for (int i = 0; i < members; ++i) {
      table.push_back(impl_->read_member(dataset, type, static_cast<unsigned>(i), rows, path));
    }
    return table;
  } catch (const H5::Exception& e) {
    impl_->fail_at(path, "cannot read table: " + describe(e));
  }
}

std::vector<std::string> ResultReader::list(const std::string& group_path) const {
  if (!exists(group_path)) impl_->fail_at(group_path, "no such group");
  try {
    if (group_path != "/" && impl_->file_.childObjType(group_path) != H5O_TYPE_GROUP) {
      impl_->fail_at(group_path, "is not a group");
    }
    const H5::Group group = impl_->file_.openGroup(group_path);
    std::vector<std::string> names;
    const hsize_t count = group.getNumObjs();
    for (hsize_t i = 0; i < count; ++i) names.push_back(group.getObjnameByIdx(i));
    std::sort(names.begin(), names.end());
    return names;
  } catch (const H5::Exception& e) {
    impl_->fail_at(group_path, "cannot list: " + describe(e));
  }
}

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace breachsim::sim
