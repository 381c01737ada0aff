// SPDX-License-Identifier: MIT
#include "sim/hdf5_driver.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <type_traits>
#include <vector>

#include "sim/hdf5_support.hpp"

namespace breachsim::sim::hdf5 {

// The file driver ResultFile writes through.
//
// With HDF5's own POSIX driver (sec2) a full disk is fatal: a failed write leaves dirty
// metadata that H5Fclose cannot write either, a failed H5Fclose leaves the file's identifier
// pointing at freed memory, and the library's exit handler closes it again and crashes
// (signal 11, seen with 1.10.8). This driver does sec2's work (the same bytes at the same
// addresses, so any HDF5 reader opens its files) with one difference: its first failed call
// latches, and from then on nothing more reaches the disk. The file stays exactly as it was
// at the failure, as after kill -9 (so a streamed partial stays resumable), and HDF5 is never
// told: every later write, the close's included, succeeds in memory, so the library's state
// stays whole and the file can be closed. The failure goes to the IoError the opener passed
// as the driver's property, which ResultFile checks after each step to report it itself.
// Metadata written after the failure is kept so that the library reads back what it wrote
// while closing; raw data is dropped (nothing reads it back).

namespace {

struct Extent {
  haddr_t address;
  std::vector<unsigned char> bytes;
};

struct PosixFile {
  H5FD_t pub;  // first, as HDF5 requires of a driver's file
  int fd = -1;
  haddr_t eoa = 0, eof = 0;
  dev_t device = 0;
  ino_t inode = 0;
  std::string name;
  int error = 0;                      // errno of the first failed call; 0 while none failed
  std::vector<Extent> after_failure;  // metadata written since, in order
  IoError* report = nullptr;          // the opener's record (the driver property), if any
};
// HDF5 hands the driver back a pointer to `pub`, which is the PosixFile's address only in a
// standard-layout class (libstdc++'s string and vector keep it one).
static_assert(std::is_standard_layout_v<PosixFile>, "PosixFile must be standard layout");

PosixFile& as_posix(H5FD_t* file) { return *reinterpret_cast<PosixFile*>(file); }
const PosixFile& as_posix(const H5FD_t* file) { return *reinterpret_cast<const PosixFile*>(file); }

// Only open() and the locks report failure to HDF5; a failed disk operation latches instead.
herr_t push_driver_error(const char* call, hid_t minor, const std::string& what) {
  H5Epush2(H5E_DEFAULT, __FILE__, call, __LINE__, H5E_ERR_CLS, H5E_VFL, minor, "%s", what.c_str());
  return -1;
}

// Records the first failure and stops all further disk writes; HDF5 is told it succeeded.
void latch(PosixFile& file, const char* call, int error) {
  if (file.error != 0) return;
  file.error = error;
  if (file.report != nullptr && file.report->error == 0) *file.report = {error, call, file.name};
}

// Largest address a file may hold: the most an off_t can reach, as sec2 has it.
constexpr haddr_t max_address = (haddr_t{1} << (8 * sizeof(off_t) - 1)) - 1;

H5FD_t* posix_open(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  if (maxaddr == 0 || maxaddr == HADDR_UNDEF || maxaddr > max_address) {
    push_driver_error(__func__, H5E_BADVALUE, "bogus maxaddr");
    return nullptr;
  }
  int mode = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
  if (flags & H5F_ACC_TRUNC) mode |= O_TRUNC;
  if (flags & H5F_ACC_CREAT) mode |= O_CREAT;
  if (flags & H5F_ACC_EXCL) mode |= O_EXCL;
  const int fd = ::open(name, mode | O_CLOEXEC, 0666);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    push_driver_error(__func__, H5E_CANTOPENFILE, std::string(name) + ": " + std::strerror(error));
    return nullptr;
  }
  auto* file = new PosixFile{};
  if (const void* info = H5Pget_driver_info(fapl)) file->report = *static_cast<IoError* const*>(info);
  file->name = name;
  file->fd = fd;
  file->eof = static_cast<haddr_t>(st.st_size);
  file->device = st.st_dev;
  file->inode = st.st_ino;
  return &file->pub;
}

// Never fails: a close error on a local file system means nothing, and sync() has already
// reported a write-back failure. A failed close would leave HDF5 with a dangling identifier.
herr_t posix_close(H5FD_t* handle) {
  PosixFile* file = &as_posix(handle);
  ::close(file->fd);
  delete file;
  return 0;
}

int posix_compare(const H5FD_t* a, const H5FD_t* b) {
  const PosixFile &x = as_posix(a), &y = as_posix(b);
  if (x.device != y.device) return x.device < y.device ? -1 : 1;
  if (x.inode != y.inode) return x.inode < y.inode ? -1 : 1;
  return 0;
}

herr_t posix_query(const H5FD_t*, unsigned long* flags) {
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE | H5FD_FEAT_SUPPORTS_SWMR_IO |
           H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

haddr_t posix_get_eoa(const H5FD_t* file, H5FD_mem_t) { return as_posix(file).eoa; }
herr_t posix_set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t address) {
  as_posix(file).eoa = address;
  return 0;
}
haddr_t posix_get_eof(const H5FD_t* file, H5FD_mem_t) { return as_posix(file).eof; }

herr_t posix_get_handle(H5FD_t* file, hid_t, void** handle) {
  *handle = &as_posix(file).fd;
  return 0;
}

// Past the end of the file reads zeros, as sec2 does; after a failure, metadata written since
// is laid over what the disk holds.
herr_t posix_read(H5FD_t* handle, H5FD_mem_t, hid_t, haddr_t address, size_t size, void* buffer) {
  PosixFile& file = as_posix(handle);
  auto* out = static_cast<unsigned char*>(buffer);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(file.fd, out + done, size - done, static_cast<off_t>(address + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) latch(file, "read from it", errno);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  std::memset(out + done, 0, size - done);
  for (const Extent& e : file.after_failure) {
    const haddr_t begin = std::max<haddr_t>(address, e.address);
    const haddr_t end = std::min<haddr_t>(address + size, e.address + e.bytes.size());
    if (begin < end) std::memcpy(out + (begin - address), e.bytes.data() + (begin - e.address), end - begin);
  }
  return 0;
}

herr_t posix_write(H5FD_t* handle, H5FD_mem_t type, hid_t, haddr_t address, size_t size, const void* buffer) {
  PosixFile& file = as_posix(handle);
  const auto* in = static_cast<const unsigned char*>(buffer);
  for (std::size_t done = 0; done < size && file.error == 0;) {
    const ssize_t n = ::pwrite(file.fd, in + done, size - done, static_cast<off_t>(address + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) latch(file, "write to it", n < 0 ? errno : EIO);
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (file.error != 0 && type != H5FD_MEM_DRAW)
    file.after_failure.push_back({address, std::vector<unsigned char>(in, in + size)});
  file.eof = std::max<haddr_t>(file.eof, address + size);  // as HDF5 believes
  return 0;
}

// HDF5 calls it at every H5Fflush and at close: the kernel puts the file on disk, which
// survives a node going down too, and reports a failed write-back (a full disk on NFS).
herr_t posix_sync(H5FD_t* handle, hid_t, hbool_t) {
  PosixFile& file = as_posix(handle);
  if (file.error == 0 && ::fsync(file.fd) != 0 && errno != EINVAL) latch(file, "put it on disk (fsync)", errno);
  return 0;
}

herr_t posix_truncate(H5FD_t* handle, hid_t, hbool_t) {
  PosixFile& file = as_posix(handle);
  if (file.error != 0 || file.eoa == file.eof) return 0;
  if (::ftruncate(file.fd, static_cast<off_t>(file.eoa)) != 0) {
    latch(file, "set its size", errno);
    return 0;
  }
  file.eof = file.eoa;
  return 0;
}

// HDF5 sets the superblock's writer marks (which SWMR readers and resume() rely on) only for a
// driver that can lock. writer_access() turns HDF5's locking off (ResultFile holds its own
// flock), so these are there for that and for anyone who turns it back on.
herr_t posix_lock(H5FD_t* file, hbool_t exclusive) {
  if (::flock(as_posix(file).fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return 0;
  return push_driver_error(__func__, H5E_CANTLOCKFILE, std::strerror(errno));
}
herr_t posix_unlock(H5FD_t* file) {
  if (::flock(as_posix(file).fd, LOCK_UN) == 0) return 0;
  return push_driver_error(__func__, H5E_CANTUNLOCKFILE, std::strerror(errno));
}

// clang-format off: one line per group of members
const H5FD_class_t posix_class = {
    "breachsim_posix", max_address, H5F_CLOSE_WEAK,
    nullptr,                                          // terminate
    nullptr, nullptr, nullptr,                        // superblock: no driver info, as sec2
    sizeof(IoError*), nullptr, nullptr, nullptr,      // the property: where to report (IoError)
    0, nullptr, nullptr,                              // no transfer properties
    posix_open, posix_close, posix_compare, posix_query,
    nullptr, nullptr, nullptr,                        // default type map and allocation
    posix_get_eoa, posix_set_eoa, posix_get_eof, posix_get_handle, posix_read, posix_write,
    posix_sync, posix_truncate,
    posix_lock, posix_unlock,
    H5FD_FLMAP_DICHOTOMY};
// clang-format on

}  // namespace

// Registered once, at first use; HDF5 keeps the registration until it shuts down.
hid_t posix_driver() {
  static const hid_t id = H5FDregister(&posix_class);
  if (id < 0) throw OutputError("cannot register breachsim's HDF5 file driver: " + stack_reason());
  return id;
}

}  // namespace breachsim::sim::hdf5
