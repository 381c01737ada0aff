// SPDX-License-Identifier: MIT
#include "sim/damage_check.hpp"

#include <H5Cpp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <vector>

#include "sim/hdf5_support.hpp"

namespace breachsim::sim::hdf5 {

namespace {

// Reads `count` values of `type` with `read` (H5Aread or H5Dread into a buffer), releasing the
// variable-length ones (strings: a global heap is read for each).
template <typename Read>
void read_values(hid_t type, hssize_t count, Read&& read) {
  const OwnedId memory(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose);
  std::vector<unsigned char> buffer(H5Tget_size(memory.id) * static_cast<std::size_t>(std::max<hssize_t>(count, 0)));
  if (buffer.empty()) return;
  if (read(memory.id, buffer.data()) < 0) throw OutputError(stack_reason());
  if (H5Tdetect_class(memory.id, H5T_VLEN) > 0 || H5Tis_variable_str(memory.id) > 0) {
    const hsize_t n = static_cast<hsize_t>(count);
    const OwnedId space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    H5Dvlen_reclaim(memory.id, space.id, H5P_DEFAULT, buffer.data());
  }
}

void read_attributes(hid_t object) {
  H5O_info_t info;
  if (H5Oget_info(object, &info) < 0) throw OutputError(stack_reason());
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const OwnedId attr(H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
                       H5Aclose);
    const OwnedId type(H5Aget_type(attr.id), H5Tclose);
    const OwnedId space(H5Aget_space(attr.id), H5Sclose);
    read_values(type.id, H5Sget_simple_extent_npoints(space.id),
                [&](hid_t memory, void* buffer) { return H5Aread(attr.id, memory, buffer); });
  }
}

// Reads every chunk of `dataset` (deflate checks each), as a resumed run or a reader would,
// calling `tick` after each. Contiguous data carries no checksum; the tables of strings among
// it are read whole, since their strings send HDF5 to the global heap.
void read_dataset(hid_t dataset, bool chunks, const std::function<void()>& tick) {
  const OwnedId create(H5Dget_create_plist(dataset), H5Pclose);
  const OwnedId space(H5Dget_space(dataset), H5Sclose);
  const OwnedId type(H5Dget_type(dataset), H5Tclose);
  if (H5Pget_layout(create.id) != H5D_CHUNKED) {
    if (H5Tdetect_class(type.id, H5T_STRING) > 0 || H5Tdetect_class(type.id, H5T_VLEN) > 0)
      read_values(type.id, H5Sget_simple_extent_npoints(space.id), [&](hid_t memory, void* buffer) {
        return H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
      });
    return;
  }
  if (!chunks) return;
  const auto rank = static_cast<std::size_t>(std::max(H5Sget_simple_extent_ndims(space.id), 0));
  std::vector<hsize_t> dims(rank), chunk(rank), offset(rank), count(rank);
  hsize_t chunk_count = 0;
  if (H5Sget_simple_extent_dims(space.id, dims.data(), nullptr) < 0 ||
      H5Pget_chunk(create.id, static_cast<int>(rank), chunk.data()) < 0 ||
      H5Dget_num_chunks(dataset, space.id, &chunk_count) < 0)
    throw OutputError(stack_reason());
  std::vector<unsigned char> buffer(static_cast<std::size_t>(element_count(chunk)) * H5Tget_size(type.id));
  for (hsize_t i = 0; i < chunk_count; ++i) {
    unsigned filters = 0;
    haddr_t address = 0;
    hsize_t bytes = 0;
    if (H5Dget_chunk_info(dataset, space.id, i, offset.data(), &filters, &address, &bytes) < 0)
      throw OutputError(stack_reason());
    for (std::size_t d = 0; d < rank; ++d) count[d] = std::min(chunk[d], dims[d] - std::min(dims[d], offset[d]));
    if (element_count(count) == 0) continue;  // beyond the extent: never read
    const OwnedId memory(H5Screate_simple(static_cast<int>(rank), count.data(), nullptr), H5Sclose);
    if (H5Sselect_hyperslab(space.id, H5S_SELECT_SET, offset.data(), nullptr, count.data(), nullptr) < 0 ||
        H5Dread(dataset, type.id, memory.id, space.id, H5P_DEFAULT, buffer.data()) < 0)
      throw OutputError(stack_reason());
    tick();
  }
}

struct Inspection {
  bool chunks;
  const std::function<void(const std::string&)>& tick;  // the object being read
  Damage damage;
};

// H5Ovisit2's callback. C code calls it, so nothing may be thrown through it.
herr_t inspect_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
  auto& inspection = *static_cast<Inspection*>(data);
  const std::string object = std::string(name) == "." ? "/" : "/" + std::string(name);
  try {
    inspection.tick(object);
    const OwnedId opened(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
    read_attributes(opened.id);
    if (info->type == H5O_TYPE_DATASET)
      read_dataset(opened.id, inspection.chunks, [&] { inspection.tick(object); });
    return 0;
  } catch (const std::exception& e) {
    inspection.damage = {true, object, e.what()};
    return -1;
  }
}

// Reads every object of `path` and its attributes (and with `chunks`, every chunk), as the
// readers and a resumed run would: what fails, fails here.
Damage inspect(const std::string& path, bool chunks, const std::function<void(const std::string&)>& tick) {
  std::string reason;
  const hid_t id = open_read_only(path, reason);
  if (id < 0) return {false, "", reason};
  Inspection inspection{chunks, tick, {}};
  const herr_t visited = H5Ovisit2(id, H5_INDEX_NAME, H5_ITER_NATIVE, inspect_object, &inspection, H5O_INFO_BASIC);
  if (visited < 0 && inspection.damage.reason.empty()) inspection.damage = {true, "/", stack_reason()};
  H5Fclose(id);
  return inspection.damage;
}

// How long the child inspecting a file may go without reading anything more.
constexpr int inspection_patience_ms = 5000;

}  // namespace

// inspect() in a child process, so that HDF5 looping for ever on damaged data costs seconds,
// not the run. 1.10.8 does loop: on a global heap collection (where variable-length strings
// live, with no checksum) whose first object header is zeroed, its reader never advances. The
// child names each object it reads through a pipe; silence for inspection_patience_ms kills
// it. fork() needs a process whose other threads hold no lock the child takes: call this
// before a run's threads start, as ResultReader and resume() are.
Damage inspect_guarded(const std::string& path, bool chunks) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return inspect(path, chunks, [](const std::string&) {});
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return inspect(path, chunks, [](const std::string&) {});
  }
  if (child == 0) {
    ::close(fds[0]);
    const auto say = [&](const std::string& line) {
      const std::string text = line + "\n";
      if (::write(fds[1], text.data(), text.size()) < 0) ::_exit(2);
    };
    const Damage damage = inspect(path, chunks, [&](const std::string& object) { say("@" + object); });
    say(std::string(damage.opens ? "=1" : "=0") + damage.object + "\t" + damage.reason);
    ::_exit(0);  // not exit(): HDF5's exit handler would close what the parent has open
  }
  ::close(fds[1]);
  std::string received, object = "/";
  Damage damage{true, "", ""};
  bool reported = false;
  for (char buffer[4096];;) {
    pollfd ready{fds[0], POLLIN, 0};
    const int polled = ::poll(&ready, 1, inspection_patience_ms);
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      ::kill(child, SIGKILL);
      damage = {true, object, "HDF5 stopped making progress reading it (looping on damaged data)"};
      reported = true;
      break;
    }
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t end; (end = received.find('\n')) != std::string::npos; received.erase(0, end + 1)) {
      const std::string line = received.substr(0, end);
      if (line.rfind('@', 0) == 0) object = line.substr(1);
      if (line.rfind("=", 0) == 0) {
        const std::size_t tab = line.find('\t');
        damage = {line[1] == '1', line.substr(2, tab - 2), line.substr(tab + 1)};
        reported = true;
      }
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!reported)
    damage = {true, object, "reading it killed the process that tried (status " + std::to_string(status) + ")"};
  return damage;
}

// Reads every chunk of a partial (or a committed file moved back) before a resume writes into
// it: a file cut short or overwritten fails here, within seconds and with a message, not
// part way through the resumed run, and a damaged chunk of a finished task that nothing would
// read again cannot reach the final file unnoticed.
void verify_readable(const std::string& path) {
  const Damage damage = inspect_guarded(path, true);
  if (!damage.opens) {
    throw OutputDamaged("'" + path + "' cannot be resumed (" + damage.reason +
                        "): only a file written while streaming can be, and this one was interrupted while not "
                        "streaming, or is damaged; start over with --force");
  }
  if (!damage.reason.empty()) {
    throw OutputDamaged("'" + path + "' is damaged: " + damage.object + " cannot be read (" + damage.reason +
                        "); it cannot be resumed: start over with --force");
  }
}

}  // namespace breachsim::sim::hdf5
