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

// Raised when a file cannot be read as HDF5, or a read fails on what the file says is there:
// a file cut short, overwritten, or not a result file at all.
class OutputDamaged : public OutputError {
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

// Element type of an array created empty by create_array(); stored little-endian (FORMAT.md).
enum class DType : std::uint8_t { int8, int64, float64 };

// Metadata attached to an n-dimensional dataset.
struct ArrayInfo {
  std::string unit;                     // written as the `unit` attribute (always)
  std::string description;              // `description` attribute when non-empty
  std::vector<std::string> dimensions;  // `dimensions` attribute, e.g. "point,replication,month"
  std::vector<std::pair<std::string, Attribute>> extra;  // further attributes
  // The dimension chunks are blocks of (results/FORMAT.md: a block of replications of one metric,
  // about 1 MiB), compressed with shuffle + deflate. A chunk is whole in the dimensions
  // after it (trusts, months) and, as long as that fits in 1 MiB, in those before it (sweep
  // points), which are otherwise cut into blocks too.
  int chunk_dimension = 0;
  // create_array() only: the chunk dimension may later be extended without limit (extend()),
  // so its chunks are sized for what it may become, not for its first extent.
  bool growable = false;
  // create_array() only, float64 only: what elements read until they are written, here and
  // after extend(). NaN says "not computed" where 0 would pass for a value.
  double fill = 0.0;
};

// The chunk shape of the array create_array() makes of `dims`, `info` and `type`. While a run
// streams into a dataset, HDF5's chunk cache (its default, 1 MiB a dataset) holds the chunk
// being filled, uncompressed, until the next flush: what the resource estimate counts.
std::vector<std::uint64_t> array_chunk_shape(const std::vector<std::uint64_t>& dims, const ArrayInfo& info, DType type);

// A result file under construction. Two ways to fill it:
//  - at the end: write_array() per dataset, then commit();
//  - streaming a run: create every object (create_array() at full size, tables, attributes),
//    start_streaming(), then write_slab() task by task with a flush() every so often,
//    finish_streaming(), add the final objects (/summary), commit().
//
// Files. Everything is written to `<final>.partial` (e.g. results/default.h5.partial), found
// again by resume(), and only commit() publishes it under the final name, so an interrupted
// or failed run never leaves a half-written file under the final name and never destroys an
// existing one. finish_streaming() writes a compacted copy, `<final>.partial.new`, which
// commit() publishes in the partial's place. A process holds an exclusive flock on the
// partial for as long as it works on it; the kernel drops it when the process dies, even by
// kill -9, which tells a live run's partial from a killed one's.
//
// Crash safety. While streaming the file is in HDF5's SWMR-write mode, whose writes are
// ordered so that the file on disk is consistent at every moment: after kill -9 every slab
// written before the last completed flush() reads back exactly (ResultReader opens the
// partial; resume() continues it). Slabs written after that flush may or may not be in the
// file, each independently (a chunk is written out as soon as it is complete and the cache
// needs the room),
// so a mark saying a task is complete (/progress) must not reach the file before the task's
// data: write a task's mark after a flush() that followed its slabs.
//
// Costs. SWMR never reuses file space, and a flush() writes every partly filled chunk, so
// each flush leaves the previous copy of those chunks behind as dead space: the partial can
// grow to several times its data (flush by elapsed time, every minute or so, rather than
// every few tasks). finish_streaming() drops the dead space by copying the live objects.
// Memory: a dataset written by write_slab() keeps in memory every chunk written to since
// the last flush() (each about 1 MiB, or the whole dataset if smaller), plus up to two
// complete ones not yet written out, so a chunk is compressed when complete or at a flush,
// not once per slab. Write slabs in an order that fills chunks one after another (the
// runner's replication-major order does): then one or two chunks per dataset are in memory,
// whatever the number of replications.
//
// Faults. Every write goes through a file driver of our own: the first failed write, sync or
// truncation (a full disk, a quota, a file-size limit: SIGXFSZ is ignored so that ulimit -f
// gives EFBIG, not a kill) stops every later write from reaching the disk, so the file stays
// as it was at that moment, as after kill -9, and the next call throws OutputError saying
// what failed and what to do. A partial that has streamed is then kept for resume(); one
// that had not is deleted; commit() never publishes a file whose writes did not all reach
// the disk. HDF5 never prints (its error stack becomes the message) and gives up quickly on
// damaged metadata instead of retrying for ever.
//
// Format. Files use the HDF5 1.10 object formats (SWMR needs them), so they need HDF5 >= 1.10
// to read: h5py, rhdf5 and hdf5r builds of the last years all qualify.
class ResultFile {
 public:
  // Opens a new result file for `final_path`, writing to `<final_path>.partial`. Throws
  // OutputExists (nothing touched) if `final_path` exists and !overwrite, or if a partial
  // left by an interrupted run exists and !overwrite (use resume() to complete it; with
  // overwrite it is discarded); OutputError if another live process is writing the partial,
  // if the directory cannot be written, or if the partial's name is a symbolic link (never
  // written through).
  static ResultFile create(const std::string& final_path, bool overwrite);

  // Reopens an interrupted run to complete it: `<final_path>.partial` if it exists (left by
  // kill -9, a crash or a failure while streaming), else `final_path` itself (committed by a
  // clean shutdown with /progress incomplete), which is first moved back to the partial name
  // so that a crash during the resumed run cannot destroy it. The file is returned already
  // streaming (so that it is never open for ordinary writing, which a crash could damage):
  // write_slab() away; start_streaming() is accepted and does nothing. Objects to replace,
  // such as a committed file's /summary, are removed after finish_streaming(). commit()
  // replaces `final_path` (the run that left the partial was entitled to). Read what the
  // file holds (its /progress) with a ResultReader before calling resume():
  // partial_path(final_path) if it exists, else final_path. Throws OutputError if neither
  // exists, if another live process holds the partial, or if the partial was interrupted
  // outside streaming (while its objects were being created): its contents are then not
  // guaranteed, and the run must start over. Before anything is written, every chunk of the
  // file is read back: a damaged file (cut short, bytes overwritten) throws OutputDamaged and
  // is left as it was.
  static ResultFile resume(const std::string& final_path);

  // `<final_path>.partial`: where create() writes and resume() looks.
  static std::string partial_path(const std::string& final_path);

  ResultFile(ResultFile&&) noexcept;
  ResultFile& operator=(ResultFile&&) noexcept;
  // Without commit(): closes and deletes the partial, unless it has streamed (or was
  // resumed): then it is closed cleanly and kept for resume().
  ~ResultFile();

  // Object paths are absolute ("/outcomes/trust_month/ed_attendances"); missing parent
  // groups are created. "/" names the root group. Creating, changing or removing objects
  // is refused while streaming (SWMR allows only writing data into existing datasets).
  void set_attribute(const std::string& object_path, const std::string& name, const Attribute& value);
  void write_text(const std::string& path, const std::string& text);  // scalar UTF-8 string
  void write_table(const std::string& path, const Table& table);      // columns of equal length
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                   const std::vector<std::int64_t>& data, const ArrayInfo& info);
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                   const std::vector<double>& data, const ArrayInfo& info);
  void write_array(const std::string& path, const std::vector<std::uint64_t>& dims,
                   const std::vector<std::int8_t>& data, const ArrayInfo& info);
  // Removes an object (and everything below a group), e.g. the /summary of a resumed file
  // after finish_streaming().
  void remove(const std::string& path);

  // Removes an attribute, e.g. a shard's `shard` from the file merged from the shards.
  void remove_attribute(const std::string& object_path, const std::string& name);
  // Lays the new file out as the result file `source`: its root attributes and objects, except
  // the root members named in `skip` (not copied) and in `empty` (copied without data: groups
  // with their attributes, datasets with their type, extent, chunks, compression, fill value
  // and attributes). Before streaming only.
  void copy_layout(const std::string& source, const std::vector<std::string>& skip,
                   const std::vector<std::string>& empty);
  // For a file quicker to write again than to resume (a merge's): without commit() its
  // partial is deleted even once it has streamed, and errors say so.
  void discard_unless_committed();
  // Stores `labels` as the one-dimensional dataset `path` and makes it an HDF5 dimension scale
  // named after its last component, for attach_dimension_scales(). Before streaming.
  void write_dimension_scale(const std::string& path, const std::vector<std::string>& labels);
  // Attaches to each dimension of every dataset below `group` (at any depth) that has a
  // `dimensions` attribute the dimension scale `group`/NAME of that dimension's NAME, creating
  // it as the indices 0..n-1 when no labels were written; the scales are in a parent group of
  // the datasets, where netCDF-4 readers (xarray's h5netcdf engine) look for named dimensions.
  // Once the extents are final and not while streaming: attaching stores object references
  // in both objects, which the compacted copy of finish_streaming() could not carry. Earlier
  // attachments (a finished file resumed) are replaced.
  void attach_dimension_scales(const std::string& group);
  // A dataset of the given extent, chunked and compressed as write_array() does, reading
  // ArrayInfo::fill (0 unless set) until written; chunks take file space only once written to.
  void create_array(const std::string& path, const std::vector<std::uint64_t>& dims, DType type,
                    const ArrayInfo& info);
  // Writes the block [offset, offset + count) of an existing dataset from `data`, C order,
  // converted to the dataset's type: into an integer dataset every value must be whole and
  // in range, or nothing is written and OutputError says which value.
  void write_slab(const std::string& path, const std::vector<std::uint64_t>& offset,
                  const std::vector<std::uint64_t>& count, const double* data);
  void write_slab(const std::string& path, const std::vector<std::uint64_t>& offset,
                  const std::vector<std::uint64_t>& count, const std::int8_t* data);

  // Stores one chunk of a chunked dataset as it is, already compressed: `bytes` and `filters`
  // as ResultReader::read_chunk gave them from a dataset of the same type, chunks and filters.
  // `offset` is the chunk's first element (a multiple of the chunk dimensions). While streaming too.
  void write_chunk(const std::string& path, const std::vector<std::uint64_t>& offset, std::uint32_t filters,
                   const std::vector<unsigned char>& bytes);
  // Sets the extent of `dimension` of a growable array (ArrayInfo::growable), while streaming
  // too (SWMR allows it): new elements read 0 until written.
  void extend(const std::string& path, std::size_t dimension, std::uint64_t size);

  // Switches the file to SWMR-write mode, once every object of the streaming phase exists.
  // Does nothing when already streaming.
  void start_streaming();
  // Writes everything written so far to the file and has the kernel put it on disk; while
  // streaming, in an order that keeps the file readable should the process die at any point.
  void flush();
  // Leaves streaming: closes the partial cleanly and continues in a compacted copy of it,
  // where the final objects (/summary) can be created before commit().
  void finish_streaming();

  // Flushes, closes and atomically renames the file to the final path (finishing
  // streaming first if need be); the partial is gone afterwards.
  void commit();

  const std::string& final_path() const;

  // Throws OutputError, saying what it is for (`purpose`: "the 40 tasks left and the final
  // copy of the file"), unless the output's file system has `bytes` free for an unprivileged
  // user: called before work that will need them, so that a run that cannot fit stops before
  // its first task rather than when the disk is full. Does nothing where statvfs cannot tell.
  void require_free_space(std::uint64_t bytes, const std::string& purpose) const;

 private:
  struct Impl;
  explicit ResultFile(std::unique_ptr<Impl> impl);
  Impl& impl() const;  // throws on a moved-from ResultFile
  std::unique_ptr<Impl> impl_;
};

// Read-back used by `breachsim summary` and the tests, so they need no HDF5 of their own.
class ResultReader {
 public:
  // Also opens the partial of a run killed while streaming (as an SWMR reader), or of a
  // live run, which it sees as of that run's last flush. Throws OutputError if the file is
  // missing, OutputDamaged if it is not HDF5 or is damaged (also from the reads below). Its
  // objects and attributes are read first in a child process (fork), given 5 s without
  // progress before the file is called damaged, since HDF5 can loop for ever on some damage.
  // The child needs no lock another thread could hold at the fork: construct readers, and
  // call resume() (which does the same with every chunk), before a run's worker threads start.
  // `inspection` chunks: every chunk too (what is copied as stored must be sound); none: only
  // for a file this process has inspected moments before.
  enum class Inspection { objects, chunks, none };
  explicit ResultReader(const std::string& path, Inspection inspection = Inspection::objects);
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
  bool has_attribute(const std::string& object_path, const std::string& name) const;
  // The block [offset, offset + count) of a numeric dataset, C order, converted to double.
  std::vector<double> read_slab(const std::string& path, const std::vector<std::uint64_t>& offset,
                                const std::vector<std::uint64_t>& count) const;
  // The stored (compressed) bytes of the chunk whose first element is `offset`, and the
  // filters skipped on it, for ResultFile::write_chunk; false when the chunk was never written.
  bool read_chunk(const std::string& path, const std::vector<std::uint64_t>& offset, std::vector<unsigned char>& bytes,
                  std::uint32_t& filters) const;
  // A chunked dataset's chunk dimensions; empty for one stored contiguously.
  std::vector<std::uint64_t> chunk_dims(const std::string& path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Version string of the HDF5 library actually linked, e.g. "1.10.8".
std::string hdf5_library_version();

}  // namespace breachsim::sim
