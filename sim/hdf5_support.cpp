// SPDX-License-Identifier: MIT
#include "sim/hdf5_support.hpp"

#include <algorithm>

namespace breachsim::sim::hdf5 {

// The C++ API prints the whole error stack to stderr before throwing; we rethrow with
// context instead. This HDF5 is thread-safe, which keeps the setting per thread: set once in
// each thread that calls it.
void silence_hdf5() {
  thread_local const bool silenced = [] {
    H5::Exception::dontPrint();
    return true;
  }();
  (void)silenced;
}

// HDF5 retries a metadata block whose checksum fails, for SWMR readers and writers 100 times
// by default, doubling a sleep from 1 ns each time: on a damaged file (cut short, or bytes
// overwritten) that is 2^100 ns, for ever. 20 attempts wait about a millisecond in all, time
// enough for a live writer to finish writing the block; after them the read fails, and the
// file is reported damaged.
constexpr unsigned metadata_read_attempts = 20;

// The reason for the latest failure ("file signature not found"), which HDF5 keeps on its
// error stack, but only until the next HDF5 call: when a destructor has run in between, the
// stack is empty and we say nothing (never a stale reason). Common failures are therefore
// also checked before calling HDF5.
namespace {

std::string innermost_reason() {
  std::string reason;
  const auto innermost = [](unsigned depth, const H5E_error2_t* error, void* out) -> herr_t {
    if (depth == 0 && error->desc) *static_cast<std::string*>(out) = error->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &reason);
  return reason;
}

}  // namespace

// The C++ exception only says which call failed ("H5Fopen failed"); the reason is added.
std::string describe(const H5::Exception& e) {
  std::string text = e.getFuncName();
  const std::string detail = e.getDetailMsg();
  if (!detail.empty()) text += text.empty() ? detail : ": " + detail;
  const std::string reason = innermost_reason();
  if (!reason.empty()) text += " (" + reason + ")";
  return text;
}

// The same for a failed C API call, which reports by its return value.
std::string stack_reason() {
  const std::string reason = innermost_reason();
  return reason.empty() ? "HDF5 gave no reason" : reason;
}

// How every result file is opened for reading.
H5::FileAccPropList reader_access() {
  H5::FileAccPropList access;
  // Without HDF5's lock: result files are guarded by the writer's own flock and by the
  // superblock's writer mark, and many cluster file systems refuse locks anyway. (HDF5 drops
  // its lock in SWMR mode, and ours would collide with it through another descriptor.)
  access.setFileLocking(false, true);
  if (H5Pset_metadata_read_attempts(access.getId(), metadata_read_attempts) < 0)
    throw OutputError("cannot limit HDF5's metadata read attempts: " + stack_reason());
  return access;
}

[[noreturn]] void fail(const std::string& file, const std::string& object,
                       const std::string& what) {
  throw OutputError("'" + file + "' " + object + ": " + what);
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

hsize_t element_count(const std::vector<hsize_t>& dims) {
  hsize_t count = 1;
  for (const hsize_t d : dims) count *= d;
  return count;
}

// Opens a result file read-only: normally, or as an SWMR reader, which is what the partial of
// a run streaming now, or killed while streaming, allows (it carries the writer's mark).
// Negative, with the first attempt's reason in `reason`, when neither opens.
hid_t open_read_only(const std::string& path, std::string& reason) {
  const H5::FileAccPropList access = reader_access();
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.getId());
  if (id >= 0) return id;
  reason = stack_reason();
  return H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access.getId());
}

}  // namespace breachsim::sim::hdf5
