// SPDX-License-Identifier: MIT
#include <H5Cpp.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/damage_check.hpp"
#include "sim/hdf5_support.hpp"
#include "sim/result_file.hpp"

// ResultReader: result files read back, every HDF5 failure reported as the file's damage.
namespace breachsim::sim {

using namespace hdf5;
namespace fs = std::filesystem;

struct ResultReader::Impl {
  std::string path_;
  H5::H5File file_;

  [[noreturn]] void fail_at(const std::string& object, const std::string& what) const {
    fail(path_, object, what);
  }

  // HDF5 failed to read what the file says is there.
  [[noreturn]] void damaged_at(const std::string& object, const std::string& what, const H5::Exception& e) const {
    throw OutputDamaged("'" + path_ + "' " + object + ": " + what + " (" + describe(e) + "): the file is damaged");
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
      damaged_at(path, "cannot read", e);
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

ResultReader::ResultReader(const std::string& path, Inspection inspection) : impl_(std::make_unique<Impl>()) {
  silence_hdf5();
  impl_->path_ = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (fs::is_symlink(path, ec))
      throw OutputError("'" + path + "' is a symbolic link to '" + fs::read_symlink(path, ec).string() +
                        "', which does not exist; remove it");
    throw OutputError("'" + path + "': no such file");
  }
  // Everything a reader reads through HDF5's unchecked global heap, read first in a child
  // process: a damaged file can make HDF5 loop for ever there (inspect_guarded).
  const Damage damage = inspection == Inspection::none ? Damage{} : inspect_guarded(path, inspection == Inspection::chunks);
  if (!damage.opens)
    throw OutputDamaged("'" + path + "': cannot open as HDF5 (" + damage.reason +
                        "): it is damaged, is not a result file, or was left by a run interrupted before its first "
                        "task was saved");
  if (!damage.reason.empty())
    throw OutputDamaged("'" + path + "' is damaged: " + damage.object + " cannot be read (" + damage.reason + ")");
  const H5::FileAccPropList access = reader_access();
  try {
    impl_->file_.openFile(path, H5F_ACC_RDONLY, access);
  } catch (const H5::Exception& e) {
    const std::string reason = describe(e);
    // The partial of a run streaming now, or killed while streaming, carries the SWMR
    // writer's mark, which only SWMR readers get past.
    try {
      impl_->file_.openFile(path, H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access);
    } catch (const H5::Exception&) {
      throw OutputDamaged("'" + path + "': cannot open as HDF5 (" + reason + "): it is damaged or not a result file");
    }
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
    impl_->damaged_at(where, "cannot read attribute", e);
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
    impl_->damaged_at(path, "cannot read text", e);
  }
}

std::vector<std::uint64_t> ResultReader::dims(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    return Impl::extent(impl_->open_dataset(path));
  } catch (const H5::Exception& e) {
    impl_->damaged_at(path, "cannot read dimensions", e);
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
    impl_->damaged_at(path, "cannot read table", e);
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
    impl_->damaged_at(group_path, "cannot list", e);
  }
}

bool ResultReader::has_attribute(const std::string& object_path, const std::string& name) const {
  if (!exists(object_path)) return false;
  return H5Aexists_by_name(impl_->file_.getId(), object_path.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::vector<double> ResultReader::read_slab(const std::string& path, const std::vector<std::uint64_t>& offset,
                                            const std::vector<std::uint64_t>& count) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    const H5::DataSet dataset = impl_->open_dataset(path);
    const H5T_class_t type_class = dataset.getTypeClass();
    if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) impl_->fail_at(path, "is not a numeric dataset");
    const std::vector<std::uint64_t> dims = Impl::extent(dataset);
    if (offset.size() != dims.size() || count.size() != dims.size())
      impl_->fail_at(path, "slab of " + std::to_string(offset.size()) + " dimensions, the dataset has " +
                               std::to_string(dims.size()));
    std::size_t elements = 1;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (offset[i] > dims[i] || count[i] > dims[i] - offset[i])
        impl_->fail_at(path, "slab outside dimension " + std::to_string(i) + " of extent " + std::to_string(dims[i]));
      elements *= static_cast<std::size_t>(count[i]);
    }
    std::vector<double> values(elements);
    if (elements == 0) return values;
    const std::vector<hsize_t> start(offset.begin(), offset.end()), size(count.begin(), count.end());
    H5::DataSpace space = dataset.getSpace();
    space.selectHyperslab(H5S_SELECT_SET, size.data(), start.data());
    const H5::DataSpace memory(static_cast<int>(size.size()), size.data());
    dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE, memory, space);
    return values;
  } catch (const H5::Exception& e) {
    impl_->damaged_at(path, "cannot read", e);
  }
}

bool ResultReader::read_chunk(const std::string& path, const std::vector<std::uint64_t>& offset,
                              std::vector<unsigned char>& bytes, std::uint32_t& filters) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    const H5::DataSet dataset = impl_->open_dataset(path);
    const std::vector<hsize_t> at(offset.begin(), offset.end());
    if (static_cast<int>(at.size()) != dataset.getSpace().getSimpleExtentNdims())
      impl_->fail_at(path, "chunk offset of " + std::to_string(at.size()) + " dimensions");
    hsize_t size = 0;
    // An unwritten chunk has no storage; HDF5 reports it as an error or as size 0.
    if (H5Dget_chunk_storage_size(dataset.getId(), at.data(), &size) < 0 || size == 0) return false;
    bytes.resize(static_cast<std::size_t>(size));
    if (H5Dread_chunk(dataset.getId(), H5P_DEFAULT, at.data(), &filters, bytes.data()) < 0)
      throw OutputDamaged("'" + impl_->path_ + "' " + path + ": cannot read a chunk (" + stack_reason() +
                          "): the file is damaged");
    return true;
  } catch (const H5::Exception& e) {
    impl_->damaged_at(path, "cannot read a chunk", e);
  }
}

std::vector<std::uint64_t> ResultReader::chunk_dims(const std::string& path) const {
  if (!exists(path)) impl_->fail_at(path, "no such dataset");
  try {
    const H5::DataSet dataset = impl_->open_dataset(path);
    const H5::DSetCreatPropList create = dataset.getCreatePlist();
    if (create.getLayout() != H5D_CHUNKED) return {};
    const int rank = dataset.getSpace().getSimpleExtentNdims();
    std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
    create.getChunk(rank, chunk.data());
    return std::vector<std::uint64_t>(chunk.begin(), chunk.end());
  } catch (const H5::Exception& e) {
    impl_->damaged_at(path, "cannot read its chunks", e);
  }
}

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace breachsim::sim
