// SPDX-License-Identifier: MIT
#include "sim/result_file.hpp"

#include <H5Cpp.h>
#include <H5DSpublic.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>
#include <type_traits>
#include <utility>

#include "sim/byte_count.hpp"
#include "sim/damage_check.hpp"
#include "sim/hdf5_copy.hpp"
#include "sim/hdf5_driver.hpp"
#include "sim/hdf5_support.hpp"
#include "sim/utf8.hpp"

// With result_reader.cpp, damage_check.cpp, hdf5_driver.cpp and hdf5_support.cpp, the only
// translation units that see HDF5. Conventions kept here so every file agrees:
//  - file types are spelled out (STD_I64LE, IEEE_F64LE, STD_I8LE) rather than NATIVE_*, so
//    a file's layout does not depend on the machine that wrote it;
//  - strings are variable-length UTF-8 (h5py gives str for attributes, bytes in tables);
//  - HDF5 1.10 object formats, which SWMR streaming needs (see writer_access());
//  - every H5::Exception leaves this file as OutputError naming the file and object path;
//    HDF5 prints nothing itself (silence_hdf5) and gives up on a damaged file quickly
//    (metadata_read_attempts);
//  - files are written through our own driver (PosixFile), with which a full disk or any
//    other failed write stops the file where it was, never the process.
namespace breachsim::sim {

using namespace hdf5;

namespace {

namespace fs = std::filesystem;

constexpr hsize_t target_chunk_bytes = hsize_t{1} << 20;  // results/FORMAT.md: chunks of about 1 MiB
// ...and of at most this many indices of the chunk dimension (replications). A streamed
// dataset keeps its chunks being filled in memory; were a chunk 1 MiB whatever the trust-month
// slice, small scenarios would hold thousands of replications per chunk and memory would grow
// with the replications up to 1 MiB per chunk: measured +45% from 100 to 1,000 replications
// of the teaching scenario. With the cap it is flat from 32 replications on.
constexpr hsize_t max_chunk_block = 32;
constexpr int deflate_level = 4;

H5::StrType utf8_string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

// HDF5 variable-length strings are NUL-terminated, so an embedded NUL would silently cut
// the stored text short; and they are declared UTF-8, which readers decode strictly (h5py and
// pandas raise, R warns), so text in any other encoding would make the file unreadable there.
void require_storable_text(const std::string& file, const std::string& object, const std::string& text) {
  if (text.find('\0') != std::string::npos) fail(file, object, "string contains a NUL byte");
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string::npos)
    fail(file, object, "string is not UTF-8 text (byte " + std::to_string(bad) + ")");
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

// Best effort: without the fsync of its directory a crash shortly after rename() can leave the
// final name pointing at an empty file on some file systems, which is worse than no file at
// all. (Files themselves are synced by their driver, PosixFile.)
void sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

// --------------------------------------------------------------------------------------
// ResultFile

namespace {

constexpr const char* partial_suffix = ".partial";
constexpr const char* compacted_suffix = ".partial.new";

// Every file this class writes is opened with these settings; the driver reports a failed
// disk operation to `report`.
H5::FileAccPropList writer_access(IoError* report) {
  H5::FileAccPropList access = reader_access();
  // Closing the file must really close it before rename(), even if some object handle
  // were still alive.
  access.setFcloseDegree(H5F_CLOSE_STRONG);
  // SWMR needs the 1.10 object formats; capping them at 1.10 too keeps the files readable by
  // any HDF5 >= 1.10 even when a newer library writes them.
  access.setLibverBounds(H5F_LIBVER_V110, H5F_LIBVER_V110);
  if (H5Pset_driver(access.getId(), posix_driver(), &report) < 0)
    throw OutputError("cannot select breachsim's HDF5 file driver: " + stack_reason());
  return access;
}

// What a failed file-system call means for the user.
std::string explain(int error) {
  const std::string text = std::strerror(error);
  switch (error) {
    case ENOSPC:
      return "the file system is full (" + text + ")";
    case EDQUOT:
      return "the disk quota is used up (" + text + ")";
    case EFBIG:
      return "the file reached the largest size allowed (" + text + ": ulimit -f, or the file system's limit)";
    case EROFS:
      return "the file system is read-only (" + text + ")";
    default:
      return text;
  }
}

// A file-size limit (ulimit -f) kills the process with SIGXFSZ by default: no message, and no
// usable partial if it happens while the file is set up. Ignored, the write fails with EFBIG,
// which the driver reports like a full disk. A handler someone else installed is left alone.
void report_file_size_limit_as_error() {
  static const bool done = [] {
    struct sigaction current {};
    if (::sigaction(SIGXFSZ, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGXFSZ, &ignore, nullptr);
    }
    return true;
  }();
  (void)done;
}

// A descriptor holding an exclusive flock; closing it releases the lock.
class LockedFile {
 public:
  LockedFile() = default;
  LockedFile(LockedFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  LockedFile& operator=(LockedFile&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Opens `path` with `flags` and locks it. Returns false with errno set when it cannot be
  // opened; throws when another process holds the lock.
  bool open(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    *this = LockedFile();
    fd_ = fd;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EWOULDBLOCK) {
        throw OutputError("'" + path +
                          "' is being written by another running process; wait for it to "
                          "finish or choose another --out");
      }
      // Some Lustre and NFS mounts have no flock: go on unguarded, as HDF5 does there.
      if (error != ENOLCK && error != EOPNOTSUPP && error != ENOSYS) {
        throw OutputError("cannot lock '" + path + "': " + std::strerror(error));
      }
    }
    return true;
  }

  bool same_file_as(const std::string& path) const {
    struct stat mine {}, theirs {};
    return fd_ >= 0 && ::fstat(fd_, &mine) == 0 && ::stat(path.c_str(), &theirs) == 0 &&
           mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
  }

 private:
  int fd_ = -1;
};

// The directory `final_path` will be written to, checked to exist and to let us create files
// (a read-only mount, or permissions, refuse at once rather than at the first task).
fs::path target_directory(const std::string& final_path) {
  const fs::path target(final_path);
  if (target.filename().empty())
    throw OutputError("'" + final_path + "' names a directory, not a file");
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw OutputError("output directory '" + directory.string() + "' for '" + final_path +
                      (fs::exists(directory, ec) ? "' is a file, not a directory" : "' does not exist"));
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    throw OutputError("cannot write in the output directory '" + directory.string() + "' for '" + final_path +
                      "': " + explain(errno) + "; choose another --out or make the directory writable");
  }
  return directory;
}

bool path_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

const H5::PredType& file_type(DType type) {
  switch (type) {
    case DType::int8:
      return H5::PredType::STD_I8LE;
    case DType::int64:
      return H5::PredType::STD_I64LE;
    case DType::float64:
      break;
  }
  return H5::PredType::IEEE_F64LE;
}

// The chunk shape for an array of `dims` (ArrayInfo::chunk_dimension): at most 1 MiB and 32
// indices of the chunk dimension, whole
// in the dimensions after the chunk dimension, a block of it, and whole in those before it.
// The runner streams replication-major (every point of a replication, then the next), so
// such chunks fill one after another. When one index of the chunk dimension across the
// earlier dimensions already exceeds 1 MiB, those are cut into blocks, innermost first.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, std::size_t chunk_dim,
                                 std::size_t element_size) {
  std::vector<hsize_t> chunk = dims;
  hsize_t inner = element_size, outer = 1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i < chunk_dim) outer *= dims[i];
    if (i > chunk_dim) inner *= dims[i];
  }
  if (outer * inner <= target_chunk_bytes) {
    chunk[chunk_dim] =
        std::clamp<hsize_t>(target_chunk_bytes / (outer * inner), 1, std::min(dims[chunk_dim], max_chunk_block));
    return chunk;
  }
  chunk[chunk_dim] = 1;
  hsize_t bytes = inner;
  for (std::size_t i = chunk_dim; i-- > 0;) {
    chunk[i] = std::clamp<hsize_t>(target_chunk_bytes / bytes, 1, dims[i]);
    bytes *= chunk[i];
  }
  return chunk;
}

// The chunk of an array of `dims` and `info`: a growable one's is sized for what its chunk
// dimension may become (a full block), not for its first extent.
std::vector<hsize_t> array_chunk(const std::vector<hsize_t>& dims, const ArrayInfo& info, std::size_t element_size) {
  std::vector<hsize_t> shape = dims;
  if (info.growable) shape[static_cast<std::size_t>(info.chunk_dimension)] = max_chunk_block;
  for (hsize_t& d : shape) d = std::max<hsize_t>(d, 1);
  return chunk_shape(shape, static_cast<std::size_t>(info.chunk_dimension), element_size);
}

// What to tell the user of a partial an interrupted run left: whether --resume can complete it.
std::string leftover_partial(const std::string& partial) {
  std::string reason;
  const hid_t id = open_read_only(partial, reason);
  if (id >= 0) {
    H5Fclose(id);
    return "'" + partial + "' is left from an interrupted run; run again with --resume to complete it, or with " +
           "--force to discard it and start over";
  }
  return "'" + partial + "' is left from a run interrupted before its first task was saved, or is damaged (" +
         reason + "), so --resume cannot complete it; run again with --force to discard it and start over";
}

// Claims `partial` for a new run: creates it, or, when `overwrite`, takes over one an
// interrupted run left. Bounded: a name that keeps vanishing between two calls is an error,
// not a loop (a dangling symbolic link once looked like that, for ever).
LockedFile claim_partial(const std::string& partial, bool overwrite) {
  LockedFile lock;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (lock.open(partial, O_RDWR | O_CREAT | O_EXCL)) return lock;
    if (errno != EEXIST)
      throw OutputError("cannot create '" + partial + "': " + explain(errno) + "; choose another --out");
    // Taken: by a live run (LockedFile says so), by an interrupted one, or by something else.
    if (lock.open(partial, O_RDWR | O_NOFOLLOW)) {
      if (!overwrite) throw OutputExists(leftover_partial(partial));
      return lock;
    }
    if (errno == ELOOP)
      throw OutputError("'" + partial +
                        "' is a symbolic link, not a file breachsim left; remove it or choose another --out");
    if (errno != ENOENT)
      throw OutputError("cannot open '" + partial + "', left by an earlier run: " + explain(errno) +
                        "; remove it or choose another --out");
    // ENOENT: it vanished in between (another run committed or discarded it): try again.
  }
  throw OutputError("'" + partial + "' keeps appearing and vanishing: another breachsim is writing it; wait for it "
                    "to finish or choose another --out");
}

// Opens a partial (or a committed file moved back) for resume(), straight into SWMR mode:
// opened for ordinary writing, the file would be at risk, and refused by the next resume(),
// should the process die before streaming starts. verify_readable() has checked it first.
hid_t open_for_resume(const std::string& path, IoError* report) {
  const unsigned swmr_write = H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE;
  H5::FileAccPropList access = writer_access(report);
  hid_t id = H5Fopen(path.c_str(), swmr_write, access.getId());
  if (id < 0) {
    // A writer that died leaves its mark in the superblock, and HDF5 refuses ordinary opens
    // of the file. A writer killed in SWMR mode left a consistent file (that mode exists for
    // it), so that mark is cleared the way h5clear and HDF5's own crash tests do it: with
    // the library's "clear_status_flags" file-access property.
    hbool_t clear = true;
    if (H5Pset(access.getId(), "clear_status_flags", &clear) < 0)
      throw OutputError("'" + path + "': this HDF5 cannot clear a crashed writer's mark: " + stack_reason());
    id = H5Fopen(path.c_str(), swmr_write, access.getId());
    if (id < 0)
      throw OutputError("'" + path + "' cannot be resumed: " + stack_reason() + "; start over with --force");
  }
  // Chunks written after a killed run's last flush may lie beyond the end of file its
  // superblock recorded; new space must be allocated after them, not over them.
  if (H5Fincrement_filesize(id, 0) < 0) {
    const std::string reason = stack_reason();
    H5Fclose(id);
    throw OutputError("'" + path + "' cannot be resumed: " + reason);
  }
  return id;
}

}  // namespace

std::vector<std::uint64_t> array_chunk_shape(const std::vector<std::uint64_t>& dims, const ArrayInfo& info, DType type) {
  const std::vector<hsize_t> chunk =
      array_chunk(std::vector<hsize_t>(dims.begin(), dims.end()), info, type == DType::int8 ? 1 : 8);
  return {chunk.begin(), chunk.end()};
}

struct ResultFile::Impl {
  enum class Phase { setup, streaming, finished };

  std::string final_path_;
  std::string partial_path_;  // emptied once committed
  std::string file_path_;     // the file HDF5 has open: the partial, or its compacted copy
  bool overwrite_ = false;
  bool keep_partial_ = false;  // it holds streamed results: never delete it
  bool resumable_ = true;      // a partial that has streamed is kept for resume()
  Phase phase_ = Phase::setup;
  LockedFile lock_;   // on the partial; declared before the file so it is released last
  IoError io_error_;  // the first failed disk operation on any file opened here (PosixFile)
  hid_t file_id_ = H5I_INVALID_HID;  // closed once only: after a failed H5Fclose it dangles
  std::optional<H5::H5File> file_;   // the C++ view of file_id_, with a reference of its own
  // write_slab() targets, kept open until the next flush so that their chunk caches hold
  // the chunks being filled.
  std::map<std::string, H5::DataSet> slab_targets_;

  ~Impl() {
    close_file();  // a streamed partial is left closed cleanly (or as it was at a disk failure)
    std::error_code ignored;
    if (!partial_path_.empty() && file_path_ != partial_path_) fs::remove(file_path_, ignored);
    if (!partial_path_.empty() && !keep_partial_) fs::remove(partial_path_, ignored);
  }

  // Takes over a file just opened through writer_access(&io_error_).
  void adopt(hid_t id) {
    file_id_ = id;
    file_.emplace(id);
    check_io();  // creating or opening a file writes to it
  }

  // Closes the write_slab() targets, writing out their chunks: explicitly, since a close
  // failing in H5::DataSet's destructor is printed on stderr.
  void close_datasets() {
    for (auto it = slab_targets_.begin(); it != slab_targets_.end(); it = slab_targets_.erase(it)) it->second.close();
  }

  // Closes the open datasets and the file; false if HDF5 failed (the reason on its stack).
  bool close_file() noexcept {
    bool closed = true;
    try {
      close_datasets();
    } catch (const H5::Exception&) {
      slab_targets_.clear();
      closed = false;
    }
    file_.reset();  // drops the view's reference only
    if (file_id_ >= 0) closed = H5Fclose(std::exchange(file_id_, H5I_INVALID_HID)) >= 0 && closed;
    return closed;
  }

  H5::H5File& file(const std::string& object) {
    silence_hdf5();
    check_io();
    if (!file_) fail(final_path_, object, "result file is closed (committed, or an earlier step failed)");
    return *file_;
  }

  // Throws once the driver has recorded a failed disk operation: from then on nothing reaches
  // the disk, so the step that met it and every one after must stop.
  void check_io() const {
    if (io_error_.error == 0) return;
    const bool space = io_error_.error == ENOSPC || io_error_.error == EDQUOT || io_error_.error == EFBIG;
    const std::string remedy = space ? "free some space" : "repair the cause";
    std::string text = "'" + io_error_.file + "': cannot " + io_error_.call + ": " + explain(io_error_.error) + "; ";
    if (keep_partial_)
      text += "what was saved before is kept in '" + partial_path_ + "': " + remedy +
              ", then run the same command with --resume to complete it";
    else
      text += "nothing was kept: " + remedy + " or choose another --out, then run again";
    throw OutputError(text);
  }

  // A failed HDF5 call, reported as the disk failure behind it if there was one.
  [[noreturn]] void fail_h5(const std::string& object, const std::string& action, const std::string& reason) const {
    check_io();
    fail(final_path_, object, action + ": " + reason);
  }

  void require_not_streaming(const std::string& object) const {
    if (phase_ == Phase::streaming) {
      fail(final_path_, object,
           "cannot create, change or remove objects while streaming (SWMR mode allows only "
           "writing into existing datasets): do it before start_streaming() or after "
           "finish_streaming()");
    }
  }

  // Creates every missing group on the way to `path` (the last component too when
  // `include_last`), and refuses to descend through a dataset.
  void make_groups(const std::string& path, bool include_last) {
    require_not_streaming(path);
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

  // Creates the dataset of write_array() and create_array(), with its attributes.
  H5::DataSet create_array(const std::string& path, const std::vector<hsize_t>& dims,
                           const H5::PredType& type, const ArrayInfo& info) {
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
    for (const std::string& text : {info.unit, info.description, join(info.dimensions, ",")})
      require_storable_text(final_path_, path, text);
    for (const auto& [name, value] : info.extra)
      if (const auto* text = std::get_if<std::string>(&value)) require_storable_text(final_path_, path + " @" + name, *text);
    make_groups(path, false);
    H5::DSetCreatPropList create;
    const std::int64_t zero = 0;
    if (info.fill == 0.0) {
      create.setFillValue(H5::PredType::NATIVE_INT64, &zero);
    } else if (type == H5::PredType::IEEE_F64LE) {
      create.setFillValue(H5::PredType::NATIVE_DOUBLE, &info.fill);
    } else {
      fail(final_path_, path, "a fill value other than 0 needs a float64 array");
    }
    // Chunking needs a non-empty extent; an empty or scalar dataset is simply contiguous,
    // unless it may grow.
    std::vector<hsize_t> max_dims = dims;
    if (info.growable && rank > 0) max_dims[static_cast<std::size_t>(info.chunk_dimension)] = H5S_UNLIMITED;
    if (rank > 0 && (element_count(dims) > 0 || info.growable)) {
      const std::vector<hsize_t> chunk = array_chunk(dims, info, type.getSize());
      create.setChunk(rank, chunk.data());
      create.setShuffle();  // before deflate: byte planes of similar numbers compress far better
      create.setDeflate(deflate_level);
    }
    const H5::DataSpace space =
        rank == 0 ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(rank, dims.data(), max_dims.data());
    H5::DataSet dataset = file(path).createDataSet(path, type, space, create);
    write_attribute(dataset, "unit", info.unit);
    if (!info.description.empty()) write_attribute(dataset, "description", info.description);
    if (!info.dimensions.empty())
      write_attribute(dataset, "dimensions", join(info.dimensions, ","));
    for (const auto& [name, value] : info.extra) write_attribute(dataset, name, value);
    return dataset;
  }

  template <typename T>
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims_in,
                   const std::vector<T>& data, const ArrayInfo& info) {
    const std::vector<hsize_t> dims(dims_in.begin(), dims_in.end());
    const hsize_t count = element_count(dims);
    if (count != data.size()) {
      fail(final_path_, path,
           "dimensions hold " + std::to_string(count) + " elements but " +
               std::to_string(data.size()) + " were given");
    }
    try {
      H5::DataSet dataset = create_array(path, dims, ElementTypes<T>::file(), info);
      if (count > 0) dataset.write(data.data(), ElementTypes<T>::memory());
      dataset.close();  // inside the try: a close failing in the destructor is printed
    } catch (const H5::Exception& e) {
      fail_h5(path, "cannot write array", describe(e));
    }
  }

  // The dataset `path`, opened with a chunk cache that keeps the chunks being filled in
  // memory between slabs.
  H5::DataSet& slab_target(const std::string& path) {
    const auto found = slab_targets_.find(path);
    if (found != slab_targets_.end()) return found->second;
    H5::H5File& h5 = file(path);
    if (!object_exists(h5.getId(), path) || h5.childObjType(path) != H5O_TYPE_DATASET)
      fail(final_path_, path, "no such dataset (create it with create_array() first)");
    H5::DSetAccPropList access;
    {
      const H5::DataSet dataset = h5.openDataSet(path);
      const H5::DSetCreatPropList create = dataset.getCreatePlist();
      if (create.getLayout() == H5D_CHUNKED) {
        const int rank = dataset.getSpace().getSimpleExtentNdims();
        std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
        create.getChunk(rank, chunk.data());
        const std::size_t chunk_bytes =
            static_cast<std::size_t>(element_count(chunk)) * dataset.getDataType().getSize();
        // w0 = 1: HDF5 then never evicts a chunk that is only partly written (its size
        // limit applies to complete chunks only), so a chunk is compressed when complete
        // or at a flush, never once per slab, whatever the order of the slabs; flush()
        // drops the partly written ones, which bounds the memory. Two complete chunks:
        // tasks finishing out of order straddle a chunk boundary.
        access.setChunkCache(H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 2 * chunk_bytes, 1.0);
      }
    }
    return slab_targets_.emplace(path, h5.openDataSet(path, access)).first->second;
  }

  template <typename T>
  void write_slab(const std::string& path, const std::vector<std::uint64_t>& offset_in,
                  const std::vector<std::uint64_t>& count_in, const T* data) {
    try {
      H5::DataSet& dataset = slab_target(path);
      H5::DataSpace space = dataset.getSpace();
      const int rank = space.getSimpleExtentNdims();
      if (offset_in.size() != static_cast<std::size_t>(rank) ||
          count_in.size() != static_cast<std::size_t>(rank)) {
        fail(final_path_, path,
             "slab offset and count need " + std::to_string(rank) + " dimensions, got " +
                 std::to_string(offset_in.size()) + " and " + std::to_string(count_in.size()));
      }
      const std::vector<hsize_t> offset(offset_in.begin(), offset_in.end());
      const std::vector<hsize_t> count(count_in.begin(), count_in.end());
      std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
      if (rank > 0) space.getSimpleExtentDims(dims.data());
      for (std::size_t i = 0; i < dims.size(); ++i) {
        if (offset[i] > dims[i] || count[i] > dims[i] - offset[i]) {
          fail(final_path_, path,
               "slab [" + std::to_string(offset[i]) + ", " + std::to_string(offset[i] + count[i]) +
                   ") is outside dimension " + std::to_string(i) + " of extent " +
                   std::to_string(dims[i]));
        }
      }
      const hsize_t elements = element_count(count);
      if (elements == 0) return;
      if (data == nullptr) fail(final_path_, path, "no data for a slab of " + std::to_string(elements) + " elements");
      const H5::DataSpace memory = rank == 0 ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(rank, count.data());
      if (rank > 0) space.selectHyperslab(H5S_SELECT_SET, count.data(), offset.data());
      if constexpr (std::is_same_v<T, double>) {
        if (dataset.getTypeClass() == H5T_INTEGER) {
          const std::vector<std::int64_t> whole =
              whole_numbers(path, data, static_cast<std::size_t>(elements), dataset.getIntType());
          dataset.write(whole.data(), H5::PredType::NATIVE_INT64, memory, space);
          return;
        }
      }
      dataset.write(data, ElementTypes<T>::memory(), memory, space);
    } catch (const H5::Exception& e) {
      fail_h5(path, "cannot write slab", describe(e));
    }
  }

  // `data` as integers for a dataset of `type`. HDF5 would truncate fractions and clip
  // out-of-range values silently, so both are refused here.
  std::vector<std::int64_t> whole_numbers(const std::string& path, const double* data,
                                          std::size_t n, const H5::IntType& type) const {
    const int bits = 8 * static_cast<int>(type.getSize());
    const bool is_signed = type.getSign() != H5T_SGN_NONE;
    const double low = is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
    const double end = std::ldexp(1.0, is_signed ? bits - 1 : bits);  // exclusive; exact in a double
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double value = data[i];
      const auto where = [&] {
        std::ostringstream text;
        text << "value " << value << " (element " << i << " of the slab)";
        return text.str();
      };
      if (std::trunc(value) != value)
        fail(final_path_, path, where() + " is not a whole number, and the dataset holds integers");
      if (!(value >= low && value < end))
        fail(final_path_, path, where() + " is outside the range of the dataset's " +
                                    std::to_string(bits) + "-bit integers");
      out[i] = static_cast<std::int64_t>(value);
    }
    return out;
  }

  // Everything written so far to the file and, by the driver's sync, to the disk (which
  // survives the node going down, not only kill -9).
  void flush() {
    H5::H5File& h5 = file("/");
    try {
      // Closing writes their chunks out and empties their caches, so that memory holds
      // only the chunks written to since the last flush (reopening reads partly filled
      // ones back once).
      close_datasets();
      h5.flush(H5F_SCOPE_GLOBAL);
    } catch (const H5::Exception& e) {
      slab_targets_.clear();
      fail_h5("/", "cannot flush", describe(e));
    }
    check_io();
  }

  // Closes the file, its last flush and sync included.
  void close() {
    const bool closed = close_file();
    const std::string reason = closed ? "" : stack_reason();
    check_io();
    if (!closed) fail(final_path_, "/", "cannot close " + file_path_ + ": " + reason);
  }
};

ResultFile::ResultFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultFile::ResultFile(ResultFile&&) noexcept = default;
ResultFile& ResultFile::operator=(ResultFile&&) noexcept = default;
ResultFile::~ResultFile() = default;

ResultFile::Impl& ResultFile::impl() const {
  if (!impl_) throw OutputError("use of a moved-from ResultFile");
  return *impl_;
}

std::string ResultFile::partial_path(const std::string& final_path) {
  return final_path + partial_suffix;
}

ResultFile ResultFile::create(const std::string& final_path, bool overwrite) {
  silence_hdf5();
  report_file_size_limit_as_error();
  target_directory(final_path);
  std::error_code ec;
  if (path_exists(final_path)) {
    if (!overwrite) {
      throw OutputExists("'" + final_path +
                         "' already exists; use --force to overwrite it or choose another --out");
    }
    if (fs::is_directory(final_path, ec)) {
      throw OutputError("'" + final_path + "' is a directory and cannot be overwritten");
    }
  }

  const std::string partial = partial_path(final_path);
  auto impl = std::make_unique<Impl>();
  // The partial belongs to a live run (its lock says so) or to one that was interrupted,
  // whose results are not discarded unasked.
  impl->lock_ = claim_partial(partial, overwrite);
  impl->final_path_ = final_path;
  impl->partial_path_ = partial;
  impl->file_path_ = partial;
  impl->overwrite_ = overwrite;
  fs::remove(final_path + compacted_suffix, ec);  // a killed run's, superseded by its partial
  const hid_t id = H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, writer_access(&impl->io_error_).getId());
  if (id < 0) impl->fail_h5("/", "cannot create HDF5 file " + partial, stack_reason());  // ~Impl removes it
  impl->adopt(id);
  return ResultFile(std::move(impl));
}

ResultFile ResultFile::resume(const std::string& final_path) {
  silence_hdf5();
  report_file_size_limit_as_error();
  const fs::path directory = target_directory(final_path);
  const std::string partial = partial_path(final_path);
  LockedFile lock;
  bool moved_back = false;
  if (path_exists(partial)) {
    if (!lock.open(partial, O_RDWR | O_NOFOLLOW)) {
      throw OutputError("cannot open '" + partial + "': " +
                        (errno == ELOOP ? "it is a symbolic link, not a file breachsim left" : explain(errno)) +
                        "; remove it, or choose another --out");
    }
    // A resume interrupted while moving the final file back leaves both names on one file.
    if (lock.same_file_as(final_path)) ::unlink(final_path.c_str());
  } else if (path_exists(final_path)) {
    if (!lock.open(final_path, O_RDWR))
      throw OutputError("cannot open '" + final_path + "' to resume it: " + explain(errno));
    // link() + unlink() rather than rename(): a partial appearing meanwhile is not clobbered.
    moved_back = true;
    if (::link(final_path.c_str(), partial.c_str()) == 0) {
      ::unlink(final_path.c_str());
    } else if (errno == EEXIST || std::rename(final_path.c_str(), partial.c_str()) != 0) {
      throw OutputError("cannot move '" + final_path + "' to '" + partial +
                        "' to resume it: " + explain(errno));
    }
    sync_directory(directory.string());
  } else {
    throw OutputError("nothing to resume: neither '" + partial + "' nor '" + final_path +
                      "' exists");
  }

  auto impl = std::make_unique<Impl>();
  impl->final_path_ = final_path;
  impl->partial_path_ = partial;
  impl->file_path_ = partial;
  impl->overwrite_ = true;
  impl->keep_partial_ = true;
  impl->lock_ = std::move(lock);
  std::error_code ignored;
  fs::remove(final_path + compacted_suffix, ignored);

  try {
    verify_readable(partial);
    impl->adopt(open_for_resume(partial, &impl->io_error_));
  } catch (const OutputError&) {
    // A committed file that cannot be resumed goes back to its name, as it was found.
    if (moved_back) {
      impl->close_file();
      impl->keep_partial_ = false;
      impl->partial_path_.clear();
      std::rename(partial.c_str(), final_path.c_str());
    }
    throw;
  }
  impl->phase_ = Impl::Phase::streaming;
  return ResultFile(std::move(impl));
}

const std::string& ResultFile::final_path() const { return impl().final_path_; }

void ResultFile::require_free_space(std::uint64_t bytes, const std::string& purpose) const {
  const Impl& impl = this->impl();
  const fs::path parent = fs::path(impl.final_path_).parent_path();
  const std::string directory = parent.empty() ? "." : parent.string();
  struct statvfs disk {};
  if (::statvfs(directory.c_str(), &disk) != 0) return;  // unknown: the driver still guards the writes
  const std::uint64_t free_bytes = std::uint64_t{disk.f_bavail} * disk.f_frsize;
  if (free_bytes >= bytes) return;
  const auto amount = [](std::uint64_t n) { return format_bytes(static_cast<double>(n)); };
  std::string text = "'" + impl.final_path_ + "': " + purpose + " need about " + amount(bytes) + " of disk, but only " +
                     amount(free_bytes) + " are free in '" + directory + "'; free some space or choose another --out";
  if (impl.keep_partial_) text += ", then run the same command with --resume";
  throw OutputError(text);
}

void ResultFile::set_attribute(const std::string& object_path, const std::string& name,
                               const Attribute& value) {
  Impl& impl = this->impl();
  const std::string where = object_path + " @" + name;
  if (const auto* text = std::get_if<std::string>(&value))
    require_storable_text(impl.final_path_, where, *text);
  impl.require_not_streaming(where);
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
    impl.fail_h5(where, "cannot write attribute", describe(e));
  }
}

void ResultFile::remove_attribute(const std::string& object_path, const std::string& name) {
  Impl& impl = this->impl();
  const std::string where = object_path + " @" + name;
  impl.require_not_streaming(where);
  H5::H5File& h5 = impl.file(object_path);
  if (!object_exists(h5.getId(), object_path) || H5Aexists_by_name(h5.getId(), object_path.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    fail(impl.final_path_, where, "no such attribute to remove");
  if (H5Adelete_by_name(h5.getId(), object_path.c_str(), name.c_str(), H5P_DEFAULT) < 0)
    impl.fail_h5(where, "cannot remove attribute", stack_reason());
}

void ResultFile::copy_layout(const std::string& source, const std::vector<std::string>& skip,
                             const std::vector<std::string>& empty) {
  Impl& impl = this->impl();
  impl.require_not_streaming("/");
  H5::H5File& h5 = impl.file("/");
  try {
    const H5::H5File from(source, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, reader_access());
    copy_file_contents(from.getId(), h5.getId(), skip, empty);
  } catch (const H5::Exception& e) {
    impl.fail_h5("/", "cannot open " + source + " to copy its layout", describe(e));
  } catch (const OutputError& e) {
    impl.fail_h5("/", "cannot copy the layout of " + source, e.what());
  }
  impl.check_io();
}

void ResultFile::discard_unless_committed() {
  Impl& impl = this->impl();
  impl.resumable_ = false;
  impl.keep_partial_ = false;
}

void ResultFile::write_text(const std::string& path, const std::string& text) {
  Impl& impl = this->impl();
  require_storable_text(impl.final_path_, path, text);
  try {
    impl.make_groups(path, false);
    const H5::StrType type = utf8_string_type();
    H5::DataSet dataset = impl.file(path).createDataSet(path, type, H5::DataSpace(H5S_SCALAR));
    dataset.write(text, type);
    dataset.close();
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot write text", describe(e));
  }
}

void ResultFile::write_table(const std::string& path, const Table& table) {
  Impl& impl = this->impl();
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
      for (const std::string& s : *strings) require_storable_text(file_name, path + "." + column.name, s);
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
    dataset.close();
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot write table", describe(e));
  }
}

void ResultFile::write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                             const std::vector<std::int64_t>& data, const ArrayInfo& info) {
  impl().write_array(path, dims, data, info);
}

void ResultFile::write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                             const std::vector<double>& data, const ArrayInfo& info) {
  impl().write_array(path, dims, data, info);
}

void ResultFile::write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                             const std::vector<std::int8_t>& data, const ArrayInfo& info) {
  impl().write_array(path, dims, data, info);
}

void ResultFile::remove(const std::string& path) {
  Impl& impl = this->impl();
  impl.require_not_streaming(path);
  if (split_path(impl.final_path_, path).empty()) fail(impl.final_path_, path, "cannot remove the root group");
  H5::H5File& h5 = impl.file(path);
  if (!object_exists(h5.getId(), path)) fail(impl.final_path_, path, "no such object to remove");
  try {
    impl.close_datasets();
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot remove", describe(e));
  }
  if (H5Ldelete(h5.getId(), path.c_str(), H5P_DEFAULT) < 0) impl.fail_h5(path, "cannot remove", stack_reason());
}

void ResultFile::write_dimension_scale(const std::string& path, const std::vector<std::string>& labels) {
  Impl& impl = this->impl();
  for (const std::string& label : labels) require_storable_text(impl.final_path_, path, label);
  const std::vector<std::string> parts = split_path(impl.final_path_, path);
  if (parts.empty()) fail(impl.final_path_, path, "expected a dataset path, got '/'");
  try {
    impl.make_groups(path, false);
    std::vector<const char*> pointers;
    for (const std::string& label : labels) pointers.push_back(label.c_str());
    const H5::StrType type = utf8_string_type();
    const hsize_t extent[1] = {labels.size()};
    H5::DataSet dataset = impl.file(path).createDataSet(path, type, H5::DataSpace(1, extent));
    if (!labels.empty()) dataset.write(pointers.data(), type);
    if (H5DSset_scale(dataset.getId(), parts.back().c_str()) < 0) impl.fail_h5(path, "cannot make a dimension scale", stack_reason());
    dataset.close();
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot write dimension scale", describe(e));
  }
}

namespace {

// Every dataset below an open group, as paths relative to it, scales excepted, with the
// attachments of all (scales too) removed: a file resumed after it was finished, and the
// compacted copy of it, hold references that may name objects of an earlier file, so
// attach_dimension_scales() always attaches afresh.
std::vector<std::string> detached_datasets_below(hid_t group) {
  std::vector<std::string> found;
  const auto visit = [](hid_t object, const char* name, const H5O_info_t* info, void* out) -> herr_t {
    if (info->type != H5O_TYPE_DATASET) return 0;
    const OwnedId dataset(H5Dopen2(object, name, H5P_DEFAULT), H5Dclose);
    for (const char* references : {"DIMENSION_LIST", "REFERENCE_LIST"})
      if (H5Aexists(dataset.id, references) > 0 && H5Adelete(dataset.id, references) < 0) return -1;
    if (H5DSis_scale(dataset.id) <= 0) static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  if (H5Ovisit(group, H5_INDEX_NAME, H5_ITER_INC, visit, &found) < 0) throw OutputError(stack_reason());
  return found;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream in(text);
  for (std::string name; std::getline(in, name, ',');) names.push_back(name);
  return names;
}

}  // namespace

void ResultFile::attach_dimension_scales(const std::string& group_path) {
  Impl& impl = this->impl();
  impl.require_not_streaming(group_path);
  H5::H5File& h5 = impl.file(group_path);
  try {
    impl.close_datasets();
    const H5::Group group = h5.openGroup(group_path);
    for (const std::string& name : detached_datasets_below(group.getId())) {
      H5::DataSet dataset = group.openDataSet(name);
      if (!dataset.attrExists("dimensions")) continue;
      std::string text;
      const H5::Attribute attribute = dataset.openAttribute("dimensions");
      attribute.read(attribute.getStrType(), text);
      const std::vector<std::string> dims = split_names(text);
      std::vector<hsize_t> extent(dims.size());
      if (dataset.getSpace().getSimpleExtentNdims() != static_cast<int>(dims.size()))
        fail(impl.final_path_, group_path + "/" + name, "its `dimensions` attribute does not match its rank");
      dataset.getSpace().getSimpleExtentDims(extent.data());
      for (unsigned i = 0; i < dims.size(); ++i) {
        const std::string scale_path = (group_path == "/" ? "" : group_path) + "/" + dims[i];
        if (!object_exists(h5.getId(), scale_path)) {
          std::vector<std::int64_t> index(extent[i]);
          for (std::size_t k = 0; k < index.size(); ++k) index[k] = static_cast<std::int64_t>(k);
          impl.write_array(scale_path, {extent[i]}, index, ArrayInfo{"index", "", {}, {}, 0, false, 0.0});
          const H5::DataSet made = h5.openDataSet(scale_path);
          if (H5DSset_scale(made.getId(), dims[i].c_str()) < 0) impl.fail_h5(scale_path, "cannot make a dimension scale", stack_reason());
        }
        const H5::DataSet scale = h5.openDataSet(scale_path);
        hsize_t length = 0;
        if (scale.getSpace().getSimpleExtentNdims() != 1 || (scale.getSpace().getSimpleExtentDims(&length), length != extent[i]))
          fail(impl.final_path_, scale_path, "dimension scale of " + std::to_string(length) + " labels for a dimension of " +
                                                 std::to_string(extent[i]) + " in " + group_path + "/" + name);
        if (H5DSattach_scale(dataset.getId(), scale.getId(), i) < 0)
          impl.fail_h5(group_path + "/" + name, "cannot attach dimension scale " + dims[i], stack_reason());
      }
    }
  } catch (const H5::Exception& e) {
    impl.fail_h5(group_path, "cannot attach dimension scales", describe(e));
  }
}

void ResultFile::create_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                              DType type, const ArrayInfo& info) {
  Impl& impl = this->impl();
  try {
    impl.create_array(path, std::vector<hsize_t>(dims.begin(), dims.end()), file_type(type), info);
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot create array", describe(e));
  }
}

void ResultFile::write_slab(const std::string& path, const std::vector<std::uint64_t>& offset,
                            const std::vector<std::uint64_t>& count, const double* data) {
  impl().write_slab(path, offset, count, data);
}

void ResultFile::write_slab(const std::string& path, const std::vector<std::uint64_t>& offset,
                            const std::vector<std::uint64_t>& count, const std::int8_t* data) {
  impl().write_slab(path, offset, count, data);
}

void ResultFile::write_chunk(const std::string& path, const std::vector<std::uint64_t>& offset, std::uint32_t filters,
                             const std::vector<unsigned char>& bytes) {
  Impl& impl = this->impl();
  try {
    H5::DataSet& dataset = impl.slab_target(path);
    const std::vector<hsize_t> at(offset.begin(), offset.end());
    if (static_cast<int>(at.size()) != dataset.getSpace().getSimpleExtentNdims())
      fail(impl.final_path_, path, "chunk offset of " + std::to_string(at.size()) + " dimensions");
    if (H5Dwrite_chunk(dataset.getId(), H5P_DEFAULT, filters, at.data(), bytes.size(), bytes.data()) < 0)
      impl.fail_h5(path, "cannot write a chunk", stack_reason());
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot write a chunk", describe(e));
  }
}

void ResultFile::extend(const std::string& path, std::size_t dimension, std::uint64_t size) {
  Impl& impl = this->impl();
  try {
    H5::DataSet& dataset = impl.slab_target(path);
    const H5::DataSpace space = dataset.getSpace();
    const int rank = space.getSimpleExtentNdims();
    if (dimension >= static_cast<std::size_t>(rank))
      fail(impl.final_path_, path, "cannot extend dimension " + std::to_string(dimension) + " of a rank-" +
                                       std::to_string(rank) + " array");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max_dims(static_cast<std::size_t>(rank));
    space.getSimpleExtentDims(dims.data(), max_dims.data());
    if (max_dims[dimension] != H5S_UNLIMITED && size > max_dims[dimension])
      fail(impl.final_path_, path, "dimension " + std::to_string(dimension) + " was not created growable");
    dims[dimension] = size;
    dataset.extend(dims.data());
  } catch (const H5::Exception& e) {
    impl.fail_h5(path, "cannot extend", describe(e));
  }
}

void ResultFile::start_streaming() {
  Impl& impl = this->impl();
  if (impl.phase_ == Impl::Phase::streaming) return;  // resume() starts streaming itself
  if (impl.phase_ == Impl::Phase::finished)
    fail(impl.final_path_, "/", "cannot stream again after finish_streaming()");
  H5::H5File& h5 = impl.file("/");
  // Reopened afterwards with their chunk caches: switching modes reopens open objects with
  // default settings.
  try {
    impl.close_datasets();
  } catch (const H5::Exception& e) {
    impl.fail_h5("/", "cannot start SWMR writing", describe(e));
  }
  if (H5Fstart_swmr_write(h5.getId()) < 0) impl.fail_h5("/", "cannot start SWMR writing", stack_reason());
  impl.check_io();  // the switch flushes everything
  impl.phase_ = Impl::Phase::streaming;
  impl.keep_partial_ = impl.resumable_;
}

void ResultFile::flush() { impl().flush(); }

void ResultFile::finish_streaming() {
  Impl& impl = this->impl();
  if (impl.phase_ != Impl::Phase::streaming) fail(impl.final_path_, "/", "not streaming");
  impl.close();  // in SWMR mode a clean close leaves the partial complete and resumable
  // A fresh copy holds only what is alive, dropping the dead space SWMR leaves behind, and
  // the final objects go into it, so a crash (or a full disk) while adding them still leaves
  // the partial intact for resume().
  const std::string copy = impl.final_path_ + compacted_suffix;
  impl.file_path_ = copy;
  const hid_t target = H5Fcreate(copy.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, writer_access(&impl.io_error_).getId());
  if (target < 0) impl.fail_h5("/", "cannot create " + copy, stack_reason());
  impl.adopt(target);
  try {
    const H5::H5File source(impl.partial_path_, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, reader_access());
    try {
      copy_file_contents(source.getId(), target);
    } catch (const OutputError& e) {
      impl.fail_h5("/", "cannot copy into " + copy, e.what());
    }
  } catch (const H5::Exception& e) {
    impl.fail_h5("/", "cannot copy " + impl.partial_path_ + " into " + copy, describe(e));
  }
  impl.check_io();
  impl.phase_ = Impl::Phase::finished;
}

void ResultFile::commit() {
  Impl& impl = this->impl();
  if (impl.phase_ == Impl::Phase::streaming) finish_streaming();
  impl.close();
  const std::string& source = impl.file_path_;

  // Without overwrite, link() is the atomic "create only if absent": the target may have
  // appeared since create() checked, and it must not be destroyed.
  bool published = false;
  if (!impl.overwrite_) {
    if (::link(source.c_str(), impl.final_path_.c_str()) == 0) {
      std::error_code ignored;
      fs::remove(source, ignored);
      published = true;
    } else if (errno == EEXIST) {
      throw OutputExists("'" + impl.final_path_ +
                         "' appeared while the results were being written; use --force to "
                         "overwrite it or choose another --out");
    }
    // Other failures (file systems without hard links) fall through to rename().
  }
  if (!published && std::rename(source.c_str(), impl.final_path_.c_str()) != 0) {
    std::string text = "cannot move '" + source + "' to '" + impl.final_path_ + "': " + explain(errno);
    if (impl.keep_partial_)
      text += "; every result is kept in '" + impl.partial_path_ + "': run the same command with --resume to finish";
    throw OutputError(text);
  }
  // Only now that the results are safe under their final name may the streamed original go.
  std::error_code ignored;
  if (source != impl.partial_path_) fs::remove(impl.partial_path_, ignored);
  impl.partial_path_.clear();
  impl.file_path_.clear();
  const fs::path parent = fs::path(impl.final_path_).parent_path();
  sync_directory(parent.empty() ? "." : parent.string());
}

}  // namespace breachsim::sim
