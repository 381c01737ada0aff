// SPDX-License-Identifier: MIT
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "sim/result_file.hpp"
#include "sim/utf8.hpp"

namespace fs = std::filesystem;
using namespace breachsim::sim;

namespace {

// A fresh directory per test case, removed afterwards, so cases never see each other's files.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ =
        fs::temp_directory_path() / ("breachsim-test-result-file-" + std::to_string(::getpid()) +
                                     "-" + std::to_string(++counter));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    return names;
  }

 private:
  fs::path path_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Runs a shell command and returns its exit status and combined output.
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, ""};
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

template <typename T>
const T& as(const Attribute& value) {
  REQUIRE(std::holds_alternative<T>(value));
  return std::get<T>(value);
}

template <typename T>
const std::vector<T>& column_values(const Column& column) {
  REQUIRE(std::holds_alternative<std::vector<T>>(column.values));
  return std::get<std::vector<T>>(column.values);
}

}  // namespace

TEST_CASE("ResultFile round-trips every kind of object and attribute", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("round.h5");
  const std::string utf8 = "cost in \xc2\xa3 (GBP), caf\xc3\xa9";  // £ and é
  {
    ResultFile out = ResultFile::create(path, false);
    out.set_attribute("/", "filetype", std::string("breachsim-results"));
    out.set_attribute("/", "format_version", std::int64_t{1});
    out.set_attribute("/", "seed", std::int64_t{-9007199254740993});  // not exact as a double
    out.set_attribute("/", "scale", 0.1);
    out.set_attribute("/", "label", utf8);
    out.set_attribute("/", "format_version", std::int64_t{2});  // rewriting replaces it
    out.set_attribute("/summary/deep", "note", std::string("group made on demand"));
    out.write_text("/config", "trusts:\n  - name: \xc3\x85sa\n");

    Table trusts;
    trusts.push_back({"name", std::vector<std::string>{"Leeds", utf8, ""}});
    trusts.push_back({"beds", std::vector<std::int64_t>{1200, -3, 0}});
    trusts.push_back({"share", std::vector<double>{0.25, 1e-300, -7.5}});
    out.write_table("/trusts", trusts);

    ArrayInfo info;
    info.unit = "count";
    info.description = "ED attendances";
    info.dimensions = {"point", "replication", "trust", "month"};
    info.extra = {{"aggregation", std::string("sum")}, {"scale", 2.5}, {"order", std::int64_t{7}}};
    info.chunk_dimension = 1;
    std::vector<std::int64_t> counts(2 * 3 * 4 * 5);
    for (std::size_t i = 0; i < counts.size(); ++i)
      counts[i] = static_cast<std::int64_t>(i * i) - 50;
    out.write_array("/outcomes/trust_month/ed_attendances", {2, 3, 4, 5}, counts, info);

    ArrayInfo money;
    money.unit = "GBP";
    out.write_array("/outcomes/national_month/fines", {2, 3, 5}, std::vector<double>(30, 1234.5),
                    money);
    ArrayInfo segment;
    segment.unit = "segment";
    out.write_array("/outcomes/trust_month/league_segment", {1, 1, 2, 2},
                    std::vector<std::int8_t>{-128, 0, 4, 127}, segment);
    out.set_attribute("/outcomes/trust_month/ed_attendances", "checked", std::int64_t{1});
    out.commit();
  }

  ResultReader in(path);
  CHECK(as<std::string>(in.attribute("/", "filetype")) == "breachsim-results");
  CHECK(as<std::int64_t>(in.attribute("/", "format_version")) == 2);
  CHECK(as<std::int64_t>(in.attribute("/", "seed")) == -9007199254740993);
  CHECK(as<double>(in.attribute("/", "scale")) == 0.1);
  CHECK(as<std::string>(in.attribute("/", "label")) == utf8);
  CHECK(as<std::string>(in.attribute("/summary/deep", "note")) == "group made on demand");
  CHECK(in.read_text("/config") == "trusts:\n  - name: \xc3\x85sa\n");

  const Table trusts = in.read_table("/trusts");
  REQUIRE(trusts.size() == 3);
  CHECK(trusts[0].name == "name");
  CHECK(column_values<std::string>(trusts[0]) == std::vector<std::string>{"Leeds", utf8, ""});
  CHECK(trusts[1].name == "beds");
  CHECK(column_values<std::int64_t>(trusts[1]) == std::vector<std::int64_t>{1200, -3, 0});
  CHECK(trusts[2].name == "share");
  CHECK(column_values<double>(trusts[2]) == std::vector<double>{0.25, 1e-300, -7.5});
  CHECK(in.dims("/trusts") == std::vector<std::uint64_t>{3});

  const std::string ed = "/outcomes/trust_month/ed_attendances";
  CHECK(in.dims(ed) == std::vector<std::uint64_t>{2, 3, 4, 5});
  const std::vector<std::int64_t> counts = in.read_int64s(ed);
  REQUIRE(counts.size() == 120);
  CHECK(counts[0] == -50);
  CHECK(counts[119] == 119 * 119 - 50);
  CHECK(in.read_doubles(ed)[7] == 7.0 * 7.0 - 50.0);  // integers converted by HDF5
  CHECK(as<std::string>(in.attribute(ed, "unit")) == "count");
  CHECK(as<std::string>(in.attribute(ed, "description")) == "ED attendances");
  CHECK(as<std::string>(in.attribute(ed, "dimensions")) == "point,replication,trust,month");
  CHECK(as<std::string>(in.attribute(ed, "aggregation")) == "sum");
  CHECK(as<double>(in.attribute(ed, "scale")) == 2.5);
  CHECK(as<std::int64_t>(in.attribute(ed, "order")) == 7);
  CHECK(as<std::int64_t>(in.attribute(ed, "checked")) == 1);

  const std::string fines = "/outcomes/national_month/fines";
  CHECK(in.dims(fines) == std::vector<std::uint64_t>{2, 3, 5});
  CHECK(in.read_doubles(fines) == std::vector<double>(30, 1234.5));
  CHECK(as<std::string>(in.attribute(fines, "unit")) == "GBP");
  CHECK_FALSE(in.exists(fines + "/description"));
  CHECK_THROWS_AS(in.attribute(fines, "description"), OutputError);  // empty: not written
  CHECK_THROWS_AS(in.attribute(fines, "dimensions"), OutputError);
  CHECK_THROWS_AS(in.read_int64s(fines), OutputError);  // floats are not silently truncated

  const std::string segment = "/outcomes/trust_month/league_segment";
  CHECK(in.read_int64s(segment) == std::vector<std::int64_t>{-128, 0, 4, 127});
  CHECK(as<std::string>(in.attribute(segment, "unit")) == "segment");

  CHECK(in.list("/") == std::vector<std::string>{"config", "outcomes", "summary", "trusts"});
  CHECK(in.list("/outcomes/trust_month") ==
        std::vector<std::string>{"ed_attendances", "league_segment"});
  CHECK(in.exists("/"));
  CHECK(in.exists(ed));
  CHECK(in.exists("/outcomes/"));
  CHECK_FALSE(in.exists("/outcomes/trust_month/missing"));
  CHECK_FALSE(in.exists("/no/such/parents/here"));
  CHECK_FALSE(in.exists("/config/below_a_dataset"));
  CHECK_FALSE(in.exists("relative"));
}

TEST_CASE("ResultFile handles empty tables and empty arrays", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("empty.h5");
  {
    ResultFile out = ResultFile::create(path, false);
    Table points;
    points.push_back({"label", std::vector<std::string>{}});
    points.push_back({"beds_scale", std::vector<double>{}});
    points.push_back({"index", std::vector<std::int64_t>{}});
    out.write_table("/points", points);
    ArrayInfo info;
    info.unit = "count";
    info.dimensions = {"point", "replication", "month"};
    out.write_array("/outcomes/national_month/none", {2, 0, 12}, std::vector<std::int64_t>{}, info);
    ArrayInfo scalar_info;
    scalar_info.unit = "GBP";
    out.write_array("/scalar", {}, std::vector<double>{3.5}, scalar_info);
    out.write_text("/empty_text", "");
    out.commit();
  }
  ResultReader in(path);
  const Table points = in.read_table("/points");
  REQUIRE(points.size() == 3);
  CHECK(points[0].name == "label");
  CHECK(column_values<std::string>(points[0]).empty());
  CHECK(column_values<double>(points[1]).empty());
  CHECK(column_values<std::int64_t>(points[2]).empty());
  CHECK(in.dims("/points") == std::vector<std::uint64_t>{0});
  CHECK(in.dims("/outcomes/national_month/none") == std::vector<std::uint64_t>{2, 0, 12});
  CHECK(in.read_int64s("/outcomes/national_month/none").empty());
  CHECK(in.dims("/scalar").empty());
  CHECK(in.read_doubles("/scalar") == std::vector<double>{3.5});
  CHECK(in.read_text("/empty_text").empty());
}

TEST_CASE("ResultFile rejects malformed input with OutputError naming file and path",
          "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("bad.h5");
  ResultFile out = ResultFile::create(path, false);
  ArrayInfo info;
  info.unit = "count";

  CHECK_THROWS_AS(out.write_table("/t", Table{}), OutputError);
  Table ragged;
  ragged.push_back({"a", std::vector<std::int64_t>{1, 2}});
  ragged.push_back({"b", std::vector<double>{1.0}});
  CHECK_THROWS_WITH(out.write_table("/t", ragged), Catch::Contains("'b'") && Catch::Contains(path));
  CHECK_THROWS_AS(out.write_array("/a", {2, 3}, std::vector<double>(5), info), OutputError);
  info.chunk_dimension = 2;
  CHECK_THROWS_AS(out.write_array("/a", {2, 3}, std::vector<double>(6), info), OutputError);
  info.chunk_dimension = 0;
  CHECK_THROWS_AS(out.write_text("relative/path", "x"), OutputError);
  CHECK_THROWS_AS(out.write_text("/nul", std::string("a\0b", 3)), OutputError);

  // An HDF5 failure (the name is taken) comes back as OutputError with file and path.
  out.write_text("/taken", "first");
  CHECK_THROWS_WITH(out.write_text("/taken", "second"),
                    Catch::Contains(path) && Catch::Contains("/taken"));
  CHECK_THROWS_WITH(out.write_text("/taken/below", "x"), Catch::Contains("not a group"));
  out.commit();
  CHECK_THROWS_AS(out.write_text("/late", "x"), OutputError);

  ResultReader in(path);
  CHECK_THROWS_WITH(in.read_text("/missing/deep"),
                    Catch::Contains(path) && Catch::Contains("/missing/deep"));
  CHECK_THROWS_AS(in.read_table("/taken"), OutputError);
  CHECK_THROWS_AS(in.list("/taken"), OutputError);
  CHECK_THROWS_AS(in.attribute("/", "absent"), OutputError);
  CHECK_THROWS_AS(ResultReader(dir.file("nowhere.h5")), OutputError);
  write_bytes(dir.file("not_hdf5.h5"), "plain text");
  CHECK_THROWS_WITH(ResultReader(dir.file("not_hdf5.h5")), Catch::Contains("not_hdf5.h5"));
}

TEST_CASE("ResultFile publishes the file only on commit", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("pending.h5");
  {
    ResultFile out = ResultFile::create(path, false);
    out.write_text("/config", "x");
    CHECK_FALSE(fs::exists(path));
    CHECK(dir.entries().size() == 1);  // the hidden temporary file, next to the target
  }
  CHECK_FALSE(fs::exists(path));
  CHECK(dir.entries().empty());

  {
    ResultFile first = ResultFile::create(path, false);
    first.write_text("/config", "moved");
    ResultFile second = std::move(first);
    second.commit();
  }
  CHECK(dir.entries() == std::vector<std::string>{"pending.h5"});
  CHECK(ResultReader(path).read_text("/config") == "moved");
}

TEST_CASE("ResultFile refuses to overwrite unless asked", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("existing.h5");
  const std::string original = "precious results from last week";
  write_bytes(path, original);

  CHECK_THROWS_AS(ResultFile::create(path, false), OutputExists);
  CHECK_THROWS_WITH(ResultFile::create(path, false), Catch::Contains(path) &&
                                                         Catch::Contains("--force") &&
                                                         Catch::Contains("--out"));
  CHECK(read_bytes(path) == original);
  CHECK(dir.entries() == std::vector<std::string>{"existing.h5"});

  {
    ResultFile out = ResultFile::create(path, true);
    out.write_text("/config", "new");
    CHECK(read_bytes(path) == original);  // untouched until commit
    out.commit();
  }
  CHECK(ResultReader(path).read_text("/config") == "new");
  CHECK(dir.entries() == std::vector<std::string>{"existing.h5"});

  // The target appearing between create() and commit() is not clobbered either.
  const std::string late = dir.file("late.h5");
  ResultFile out = ResultFile::create(late, false);
  write_bytes(late, original);
  CHECK_THROWS_AS(out.commit(), OutputExists);
  CHECK(read_bytes(late) == original);
}

TEST_CASE("ResultFile reports a missing output directory", "[result_file]") {
  TempDir dir;
  const std::string missing = dir.file("no_such_dir");
  CHECK_THROWS_WITH(ResultFile::create(missing + "/out.h5", true), Catch::Contains(missing));
  try {
    ResultFile::create(missing + "/out.h5", false);
    FAIL("expected OutputError");
  } catch (const OutputExists&) {
    FAIL("a missing directory is not OutputExists");
  } catch (const OutputError&) {
  }
  CHECK_FALSE(fs::exists(missing));  // and it is not created behind the user's back
}

// results/FORMAT.md: chunks hold a block of replications of one metric, about 1 MiB, compressed with
// shuffle + deflate only. The reader API does not expose storage layout, so ask h5dump.
TEST_CASE("ResultFile chunks arrays at most 1 MiB and 32 replications, with shuffle and deflate", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("chunked.h5");
  // [point][replication][trust][month] doubles: one replication slice is 2*20*60*8 = 19200
  // bytes, so 1 MiB would hold floor(1048576 / 19200) = 54 replications: the cap of 32
  // replications decides; 200 of them are 3.7 MiB.
  const std::vector<std::uint64_t> dims = {2, 200, 20, 60};
  std::vector<double> values(2 * 200 * 20 * 60);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i % 977) * 0.5;
  {
    ResultFile out = ResultFile::create(path, false);
    ArrayInfo info;
    info.unit = "minutes";
    info.chunk_dimension = 1;
    out.write_array("/outcomes/trust_month/ed_mean_minutes", dims, values, info);
    out.commit();
  }
  CHECK(ResultReader(path).read_doubles("/outcomes/trust_month/ed_mean_minutes") == values);

  const auto [status, dump] = run("h5dump -p -H '" + path + "'");
  INFO(dump);
  REQUIRE(status == 0);  // h5dump comes with hdf5-tools, which the project's setup installs
  // h5dump -p prints the layout as e.g. "CHUNKED ( 2, 32, 20, 60 )".
  const std::size_t at = dump.find("CHUNKED (");
  REQUIRE(at != std::string::npos);
  unsigned long long chunk[4] = {0, 0, 0, 0};
  REQUIRE(std::sscanf(dump.c_str() + at, "CHUNKED ( %llu, %llu, %llu, %llu )", &chunk[0], &chunk[1],
                      &chunk[2], &chunk[3]) == 4);
  CHECK(chunk[0] == 2);
  CHECK(chunk[1] == 32);
  CHECK(chunk[2] == 20);
  CHECK(chunk[3] == 60);
  const double chunk_bytes = 8.0 * static_cast<double>(chunk[0] * chunk[1] * chunk[2] * chunk[3]);
  CHECK(chunk_bytes <= 1024.0 * 1024.0);
  CHECK(chunk_bytes == 32.0 * 19200.0);  // the replication cap, below the 1 MiB bound
  CHECK(dump.find("PREPROCESSING SHUFFLE") != std::string::npos);
  CHECK(dump.find("COMPRESSION DEFLATE { LEVEL 4 }") != std::string::npos);
  CHECK(dump.find("SZIP") == std::string::npos);
  CHECK(dump.find("FLETCHER") == std::string::npos);
  CHECK(dump.find("NBIT") == std::string::npos);
  CHECK(dump.find("SCALEOFFSET") == std::string::npos);
}

// The resource estimate sizes the writer's chunk cache from array_chunk_shape: it must be the
// chunk create_array() gives a growable array, sized for a full block of replications.
TEST_CASE("array_chunk_shape is the chunk create_array makes of a growable array", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("growable.h5");
  ArrayInfo info;
  info.unit = "count";
  info.chunk_dimension = 1;
  info.growable = true;
  // 640 points of 24 months: a replication of every point is 122,880 bytes, so 1 MiB holds 8.
  const std::vector<std::uint64_t> dims = {640, 1, 24};
  const std::vector<std::uint64_t> expected = {640, 8, 24};
  CHECK(array_chunk_shape(dims, info, DType::float64) == expected);
  CHECK(array_chunk_shape({1, 1, 12}, info, DType::float64) == std::vector<std::uint64_t>{1, 32, 12});
  {
    ResultFile out = ResultFile::create(path, false);
    out.create_array("/outcomes/national_month/rtt_waiting", dims, DType::float64, info);
    out.commit();
  }
  const auto [status, dump] = run("h5dump -p -H '" + path + "'");
  INFO(dump);
  REQUIRE(status == 0);
  const std::size_t at = dump.find("CHUNKED (");
  REQUIRE(at != std::string::npos);
  unsigned long long chunk[3] = {0, 0, 0};
  REQUIRE(std::sscanf(dump.c_str() + at, "CHUNKED ( %llu, %llu, %llu )", &chunk[0], &chunk[1], &chunk[2]) == 3);
  CHECK(std::vector<std::uint64_t>{chunk[0], chunk[1], chunk[2]} == expected);
}

TEST_CASE("hdf5_library_version reports the linked library", "[result_file]") {
  const std::string version = hdf5_library_version();
  unsigned major = 0, minor = 0, release = 0;
  char trailing = 0;
  CHECK(std::sscanf(version.c_str(), "%u.%u.%u%c", &major, &minor, &release, &trailing) == 3);
  CHECK(major >= 1);
}

// --------------------------------------------------------------------------------------
// Streaming

namespace {

// A run of P points x R replications streamed task by task: a [point][replication][trust]
// [month] float64 outcome (50 x 60 doubles per task, so a 1 MiB chunk holds 21 replications
// of both points: five chunks), a [point][replication][month] int64 one and the int8
// /progress marks. Tasks go replication-major, as the runner writes them, or point-major,
// which leaves every chunk half written after the first point, to be read back and
// completed by the second.
struct Run {
  static constexpr std::uint64_t P = 2, R = 100, T = 50, M = 60;
  static constexpr const char* trust_month = "/outcomes/trust_month/cost";
  static constexpr const char* national = "/outcomes/national_month/admissions";
  static constexpr std::size_t tasks = P * R;

  static double cost(std::size_t task, std::size_t i) {
    return static_cast<double>(task) * 1000.0 + static_cast<double>(i % 977) * 0.25;
  }
  static double admissions(std::size_t task, std::size_t m) {
    return static_cast<double>(task * 100 + m) - 5000.0;
  }

  static void create_objects(ResultFile& out) {
    out.set_attribute("/", "filetype", std::string("breachsim-results"));
    out.set_attribute("/", "seed", std::int64_t{42});
    out.set_attribute("/", "scale", 0.5);
    out.write_text("/config", "replications: 100\n");
    out.write_table("/trusts", {{"index", std::vector<std::int64_t>{0, 1}},
                                {"name", std::vector<std::string>{"Leeds", "York"}}});
    ArrayInfo money;
    money.unit = "GBP";
    money.dimensions = {"point", "replication", "trust", "month"};
    money.chunk_dimension = 1;
    out.create_array(trust_month, {P, R, T, M}, DType::float64, money);
    ArrayInfo count;
    count.unit = "count";
    count.chunk_dimension = 1;
    out.create_array(national, {P, R, M}, DType::int64, count);
    ArrayInfo progress;
    progress.unit = "flag";
    progress.chunk_dimension = 1;
    out.create_array("/progress", {P, R}, DType::int8, progress);
  }

  // Writes task `task`'s slabs; `datasets` < 2 stops part way, as a kill would.
  static void write_task(ResultFile& out, std::size_t task, int datasets = 2) {
    const std::uint64_t p = task / R, r = task % R;
    std::vector<double> values(T * M);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = cost(task, i);
    out.write_slab(trust_month, {p, r, 0, 0}, {1, 1, T, M}, values.data());
    if (datasets < 2) return;
    std::vector<double> counts(M);
    for (std::size_t m = 0; m < M; ++m) counts[m] = admissions(task, m);
    out.write_slab(national, {p, r, 0}, {1, 1, M}, counts.data());
  }

  static void mark(ResultFile& out, std::size_t task) {
    const std::int8_t done = 1;
    out.write_slab("/progress", {task / R, task % R}, {1, 1}, &done);
  }

  // Streams `todo` in order with a flush every `flush_every` tasks. A task is marked complete
  // only after a flush that followed its slabs, so a mark never reaches the file before the
  // data it vouches for. `after_flush(n)` runs after the n-th flush.
  template <typename AfterFlush>
  static void stream(ResultFile& out, const std::vector<std::size_t>& todo, std::size_t flush_every,
                     AfterFlush&& after_flush, std::size_t kill_at = tasks) {
    std::vector<std::size_t> unmarked;
    int flushes = 0;
    for (const std::size_t task : todo) {
      if (task == kill_at) {
        write_task(out, task, 1);
        ::raise(SIGKILL);
      }
      write_task(out, task);
      unmarked.push_back(task);
      if (unmarked.size() == flush_every) {
        out.flush();
        after_flush(++flushes);
        for (const std::size_t done : unmarked) mark(out, done);
        unmarked.clear();
      }
    }
    out.flush();
    for (const std::size_t done : unmarked) mark(out, done);
  }

  static std::vector<std::size_t> all_tasks(bool replication_major = false) {
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < tasks; ++i)
      todo.push_back(replication_major ? i % P * R + i / P : i);
    return todo;
  }

  // Whether task `task`'s slabs read back exactly from the arrays of a file.
  static bool task_intact(const std::vector<double>& costs, const std::vector<std::int64_t>& counts,
                          std::size_t task) {
    for (std::size_t i = 0; i < T * M; ++i)
      if (costs[task * T * M + i] != cost(task, i)) return false;
    for (std::size_t m = 0; m < M; ++m)
      if (static_cast<double>(counts[task * M + m]) != admissions(task, m)) return false;
    return true;
  }

  // The file holds every task's data, all marked complete, and the objects made up front.
  static void check_complete(const std::string& path) {
    ResultReader in(path);
    const std::vector<double> costs = in.read_doubles(trust_month);
    const std::vector<std::int64_t> counts = in.read_int64s(national);
    REQUIRE(costs.size() == tasks * T * M);
    REQUIRE(counts.size() == tasks * M);
    std::size_t intact = 0;
    for (std::size_t task = 0; task < tasks; ++task) intact += task_intact(costs, counts, task);
    CHECK(intact == tasks);
    CHECK(in.read_int64s("/progress") == std::vector<std::int64_t>(tasks, 1));
    CHECK(std::get<std::string>(in.attribute("/", "filetype")) == "breachsim-results");
    CHECK(std::get<std::int64_t>(in.attribute("/", "seed")) == 42);
    CHECK(std::get<double>(in.attribute("/", "scale")) == 0.5);
    CHECK(std::get<std::string>(in.attribute(trust_month, "dimensions")) ==
          "point,replication,trust,month");
    CHECK(in.read_text("/config") == "replications: 100\n");
  }
};

// Reads the pipe until it is closed (the writer died) and returns the last number sent.
int last_number(int fd) {
  int last = 0, value = 0;
  while (::read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value)) last = value;
  return last;
}

}  // namespace

TEST_CASE("ResultFile streams slabs into arrays created up front", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("streamed.h5");
  {
    ResultFile out = ResultFile::create(path, false);
    Run::create_objects(out);
    out.start_streaming();
    Run::stream(out, Run::all_tasks(true), 7, [](int) {});
    CHECK(dir.entries() == std::vector<std::string>{"streamed.h5.partial"});
    out.finish_streaming();
    out.write_table("/summary/national_run", {{"mean", std::vector<double>{1.5, 2.5}}});
    out.set_attribute("/summary", "note", std::string("added after streaming"));
    out.commit();
  }
  CHECK(dir.entries() == std::vector<std::string>{"streamed.h5"});
  Run::check_complete(path);
  ResultReader in(path);
  CHECK(std::get<std::vector<double>>(in.read_table("/summary/national_run")[0].values) ==
        std::vector<double>{1.5, 2.5});
  CHECK(in.list("/") == std::vector<std::string>{"config", "outcomes", "progress", "summary", "trusts"});
}

TEST_CASE("ResultFile leaves unwritten slabs at 0 and streams without SWMR too", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("sparse.h5");
  {
    ResultFile out = ResultFile::create(path, false);
    ArrayInfo info;
    info.unit = "count";
    info.chunk_dimension = 1;
    out.create_array("/a", {2, 3, 2}, DType::int64, info);
    out.create_array("/empty", {2, 0, 2}, DType::float64, info);
    const std::vector<double> slab = {1, 2, 3, 4};
    out.write_slab("/a", {1, 1, 0}, {1, 2, 2}, slab.data());
    out.write_slab("/empty", {0, 0, 0}, {2, 0, 2}, static_cast<const double*>(nullptr));  // nothing to write
    out.commit();
  }
  ResultReader in(path);
  CHECK(in.read_int64s("/a") == std::vector<std::int64_t>{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
  CHECK(in.dims("/empty") == std::vector<std::uint64_t>{2, 0, 2});
  CHECK(std::get<std::string>(in.attribute("/a", "unit")) == "count");
}

TEST_CASE("A float64 array can read NaN until written, after extend() and compaction too", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("nan.h5");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  {
    ResultFile out = ResultFile::create(path, false);
    ArrayInfo info;
    info.unit = "GBP";
    info.chunk_dimension = 1;
    info.growable = true;
    info.fill = nan;
    out.create_array("/levy", {2, 2}, DType::float64, info);
    CHECK_THROWS_WITH(out.create_array("/counts", {2, 2}, DType::int64, info), Catch::Contains("float64"));
    out.start_streaming();
    const std::vector<double> column = {5, 6};
    out.write_slab("/levy", {0, 1}, {2, 1}, column.data());
    out.extend("/levy", 1, 3);
    out.write_slab("/levy", {0, 2}, {2, 1}, column.data());
    out.commit();  // finishes streaming: the compacted copy keeps the fill value
  }
  const std::vector<double> levy = ResultReader(path).read_doubles("/levy");
  REQUIRE(levy.size() == 6);
  CHECK(std::isnan(levy[0]));
  CHECK(std::isnan(levy[3]));
  CHECK(levy[1] == 5.0);
  CHECK(levy[2] == 5.0);
  CHECK(levy[4] == 6.0);
  CHECK(levy[5] == 6.0);
}

TEST_CASE("copy_layout copies a file's objects and attributes, some as structure only, for merge",
          "[result_file][merge]") {
  TempDir dir;
  const std::string source = dir.file("shard.h5"), copy = dir.file("merged.h5");
  {
    ResultFile out = ResultFile::create(source, false);
    out.set_attribute("/", "shard", std::string("2/3"));
    out.set_attribute("/", "seed", std::int64_t{42});
    out.write_text("/config", "a: 1\n");
    out.write_table("/summary/national_run", {{"mean", std::vector<double>{1.5}}});
    ArrayInfo info;
    info.unit = "GBP";
    info.chunk_dimension = 1;
    info.growable = true;
    info.fill = std::numeric_limits<double>::quiet_NaN();
    out.create_array("/outcomes/national_month/fines", {2, 40, 3}, DType::float64, info);
    std::vector<double> values(2 * 40 * 3);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
    out.write_slab("/outcomes/national_month/fines", {0, 0, 0}, {2, 40, 3}, values.data());
    out.commit();
  }
  {
    ResultReader in(source);
    CHECK(in.has_attribute("/", "shard"));
    CHECK_FALSE(in.has_attribute("/", "points"));
    CHECK_FALSE(in.has_attribute("/nowhere", "shard"));
    CHECK(in.chunk_dims("/outcomes/national_month/fines") == std::vector<std::uint64_t>{2, 32, 3});
    CHECK(in.chunk_dims("/config").empty());
    // Replications 30 to 33 of point 1: across a chunk boundary.
    CHECK(in.read_slab("/outcomes/national_month/fines", {1, 30, 1}, {1, 4, 2}) ==
          std::vector<double>{211, 212, 214, 215, 217, 218, 220, 221});
    CHECK_THROWS_WITH(in.read_slab("/outcomes/national_month/fines", {1, 39, 0}, {1, 2, 3}),
                      Catch::Contains("outside dimension 1"));
  }
  {
    ResultFile out = ResultFile::create(copy, false);
    out.discard_unless_committed();
    out.copy_layout(source, {"summary"}, {"outcomes"});
    out.remove_attribute("/", "shard");
    CHECK_THROWS_WITH(out.remove_attribute("/", "shard"), Catch::Contains("no such attribute"));
    out.start_streaming();
    const std::vector<double> row = {-1, -2, -3};
    out.write_slab("/outcomes/national_month/fines", {1, 39, 0}, {1, 1, 3}, row.data());
    // Not committed: the partial goes, though it has streamed.
  }
  CHECK_FALSE(fs::exists(copy + ".partial"));
  {
    ResultFile out = ResultFile::create(copy, false);
    out.copy_layout(source, {"summary"}, {"outcomes"});
    out.remove_attribute("/", "shard");
    out.commit();
  }
  ResultReader in(copy);
  CHECK(in.list("/") == std::vector<std::string>{"config", "outcomes"});
  CHECK(in.read_text("/config") == "a: 1\n");
  CHECK(std::get<std::int64_t>(in.attribute("/", "seed")) == 42);
  CHECK_FALSE(in.has_attribute("/", "shard"));
  // The structure without the data: its extent, chunks, unit and fill value.
  CHECK(in.dims("/outcomes/national_month/fines") == std::vector<std::uint64_t>{2, 40, 3});
  CHECK(in.chunk_dims("/outcomes/national_month/fines") == std::vector<std::uint64_t>{2, 32, 3});
  CHECK(std::get<std::string>(in.attribute("/outcomes/national_month/fines", "unit")) == "GBP");
  const std::vector<double> fines = in.read_doubles("/outcomes/national_month/fines");
  CHECK(std::all_of(fines.begin(), fines.end(), [](double v) { return std::isnan(v); }));
}

TEST_CASE("Dimension scales name every outcome dimension, labelled or as indices, and survive copy_layout",
          "[result_file][merge]") {
  TempDir dir;
  const std::string source = dir.file("scales.h5"), copy = dir.file("copied.h5");
  ArrayInfo info;
  info.unit = "count";
  info.dimensions = {"point", "replication", "trust", "month"};
  {
    ResultFile out = ResultFile::create(source, false);
    out.create_array("/outcomes/trust_month/beds", {2, 3, 2, 4}, DType::int64, info);
    info.dimensions = {"point", "replication", "month"};
    out.create_array("/outcomes/national_month/beds", {2, 3, 4}, DType::int64, info);
    out.write_dimension_scale("/outcomes/trust", {"Northfield", "Riverside"});
    out.write_dimension_scale("/outcomes/month", {"2015-04-01", "2015-05-01", "2015-06-01", "2015-07-01"});
    CHECK_THROWS_WITH(out.write_dimension_scale("/outcomes/bad", {"caf\xe9"}), Catch::Contains("not UTF-8"));
    out.attach_dimension_scales("/outcomes");
    out.attach_dimension_scales("/outcomes");  // attaching again replaces the attachments
    out.commit();
  }
  const auto attached_to = [](const std::string& file, const std::string& dataset) {
    return run("h5dump -A -d " + dataset + " " + file);
  };
  {
    ResultReader in(source);
    CHECK(in.list("/outcomes") ==
          std::vector<std::string>{"month", "national_month", "point", "replication", "trust", "trust_month"});
    // Point and replication had no labels: their scales are the indices.
    CHECK(in.read_int64s("/outcomes/point") == std::vector<std::int64_t>{0, 1});
    CHECK(in.read_int64s("/outcomes/replication") == std::vector<std::int64_t>{0, 1, 2});
    const auto [status, dump] = attached_to(source, "/outcomes/trust_month/beds");
    REQUIRE(status == 0);
    CHECK(dump.find("DIMENSION_LIST") != std::string::npos);
    for (const char* scale : {"/outcomes/point", "/outcomes/replication", "/outcomes/trust", "/outcomes/month"})
      CHECK(dump.find(scale) != std::string::npos);
    const auto [status_scale, labels] = run("h5dump -d /outcomes/trust " + source);
    CHECK(labels.find("\"Riverside\"") != std::string::npos);
    CHECK(labels.find("REFERENCE_LIST") != std::string::npos);
    // Attached twice, listed once.
    std::size_t listed = 0;
    for (std::size_t at = labels.find("/outcomes/trust_month/beds"); at != std::string::npos;
         at = labels.find("/outcomes/trust_month/beds", at + 1))
      ++listed;
    CHECK(listed == 1);
  }
  {
    // merge lays its file out as a shard's: the scales come with their labels, but the references
    // between scales and datasets name the shard's objects and are left out, to be attached anew.
    ResultFile out = ResultFile::create(copy, false);
    out.copy_layout(source, {}, {"outcomes"});
    out.commit();
  }
  const auto [copy_status, copy_dump] = attached_to(copy, "/outcomes/trust_month/beds");
  REQUIRE(copy_status == 0);
  CHECK(copy_dump.find("DIMENSION_LIST") == std::string::npos);
  CHECK(run("h5dump -d /outcomes/trust " + copy).second.find("\"Riverside\"") != std::string::npos);
  const std::string attached = dir.file("attached.h5");
  {
    ResultFile out = ResultFile::create(attached, false);
    out.copy_layout(source, {}, {"outcomes"});
    out.attach_dimension_scales("/outcomes");
    out.commit();
  }
  const std::string dump = attached_to(attached, "/outcomes/national_month/beds").second;
  CHECK(dump.find("DIMENSION_LIST") != std::string::npos);
  CHECK(dump.find("/outcomes/month") != std::string::npos);
}

TEST_CASE("Dimension scales must fit their dimension, and text must be UTF-8", "[result_file]") {
  TempDir dir;
  ResultFile out = ResultFile::create(dir.file("misfit.h5"), false);
  ArrayInfo info;
  info.unit = "count";
  info.dimensions = {"point", "trust"};
  out.create_array("/outcomes/x", {1, 2}, DType::int64, info);
  out.write_dimension_scale("/outcomes/trust", {"A", "B", "C"});
  CHECK_THROWS_WITH(out.attach_dimension_scales("/outcomes"),
                    Catch::Contains("dimension scale of 3 labels for a dimension of 2"));
  CHECK_THROWS_WITH(out.write_text("/latin1", "caf\xe9"), Catch::Contains("not UTF-8"));
  CHECK_THROWS_WITH(out.set_attribute("/", "name", std::string("caf\xe9")), Catch::Contains("not UTF-8"));
  CHECK_THROWS_WITH(out.write_table("/t", {{"name", std::vector<std::string>{"ok", "\xff"}}}),
                    Catch::Contains("not UTF-8"));
  info.dimensions = {};
  info.unit = "\xc3";  // a sequence cut short
  CHECK_THROWS_WITH(out.create_array("/y", {1}, DType::int64, info), Catch::Contains("not UTF-8"));
}

TEST_CASE("escape_invalid_utf8 keeps UTF-8 and writes other bytes as \\xNN", "[result_file]") {
  CHECK(escape_invalid_utf8("results/caf\xc3\xa9.h5") == "results/caf\xc3\xa9.h5");
  CHECK(escape_invalid_utf8("caf\xe9.h5") == "caf\\xE9.h5");
  CHECK(escape_invalid_utf8("\xff\xfe") == "\\xFF\\xFE");
  CHECK(escape_invalid_utf8("\xe9\xc3\xa9") == "\\xE9\xc3\xa9");  // a valid sequence right after is kept
  CHECK(invalid_utf8_at(escape_invalid_utf8("a\x80" "b\xc3")) == std::string::npos);
}

TEST_CASE("write_slab converts to the dataset's type and refuses what would not survive",
          "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("types.h5");
  ResultFile out = ResultFile::create(path, false);
  ArrayInfo info;
  info.unit = "count";
  out.create_array("/int64", {4}, DType::int64, info);
  out.create_array("/int8", {2}, DType::int8, info);
  out.create_array("/float64", {2, 2}, DType::float64, info);
  out.start_streaming();

  const std::vector<double> whole = {-9007199254740992.0, 0, 7, 1e18};
  out.write_slab("/int64", {0}, {4}, whole.data());
  const std::vector<double> fraction = {1, 2.5};
  CHECK_THROWS_WITH(out.write_slab("/int64", {0}, {2}, fraction.data()),
                    Catch::Contains(path) && Catch::Contains("/int64") && Catch::Contains("2.5") &&
                        Catch::Contains("not a whole number"));
  const double nan = std::nan(""), huge = 1e19, too_big = 128;
  CHECK_THROWS_AS(out.write_slab("/int64", {3}, {1}, &nan), OutputError);
  CHECK_THROWS_WITH(out.write_slab("/int64", {3}, {1}, &huge), Catch::Contains("range"));
  CHECK_THROWS_WITH(out.write_slab("/int8", {0}, {1}, &too_big), Catch::Contains("8-bit"));
  const std::vector<double> edges = {-128, 127};
  out.write_slab("/int8", {0}, {2}, edges.data());
  const std::vector<std::int8_t> small = {-1, 2};
  out.write_slab("/float64", {1, 0}, {1, 2}, small.data());

  CHECK_THROWS_WITH(out.write_slab("/float64", {1, 1}, {1, 2}, small.data()),
                    Catch::Contains("outside dimension 1"));
  CHECK_THROWS_WITH(out.write_slab("/float64", {0}, {1}, small.data()), Catch::Contains("2 dimensions"));
  CHECK_THROWS_WITH(out.write_slab("/missing", {0}, {1}, small.data()),
                    Catch::Contains("/missing") && Catch::Contains("create_array"));
  out.finish_streaming();
  out.commit();

  ResultReader in(path);
  CHECK(in.read_int64s("/int64") == std::vector<std::int64_t>{-9007199254740992, 0, 7, 1000000000000000000});
  CHECK(in.read_int64s("/int8") == std::vector<std::int64_t>{-128, 127});
  CHECK(in.read_doubles("/float64") == std::vector<double>{0, 0, -1, 2});
}

TEST_CASE("ResultFile refuses to create objects while streaming", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("phases.h5");
  ResultFile out = ResultFile::create(path, false);
  ArrayInfo info;
  info.unit = "count";
  out.create_array("/a", {2}, DType::float64, info);
  CHECK_THROWS_WITH(out.finish_streaming(), Catch::Contains("not streaming"));
  out.start_streaming();
  out.start_streaming();  // harmless
  CHECK_THROWS_WITH(out.set_attribute("/", "late", std::int64_t{1}), Catch::Contains("while streaming"));
  CHECK_THROWS_WITH(out.set_attribute("/a", "unit", std::string("GBP")), Catch::Contains("while streaming"));
  CHECK_THROWS_WITH(out.write_text("/late", "x"), Catch::Contains("while streaming") && Catch::Contains(path) && Catch::Contains("/late"));
  CHECK_THROWS_WITH(out.write_table("/late", {{"a", std::vector<double>{1}}}), Catch::Contains("while streaming"));
  CHECK_THROWS_WITH(out.write_array("/late", {1}, std::vector<double>{1}, info), Catch::Contains("while streaming"));
  CHECK_THROWS_WITH(out.create_array("/late", {1}, DType::int8, info), Catch::Contains("while streaming"));
  CHECK_THROWS_WITH(out.remove("/a"), Catch::Contains("while streaming"));
  const std::vector<double> values = {1, 2};
  out.write_slab("/a", {0}, {2}, values.data());
  out.finish_streaming();
  CHECK_THROWS_WITH(out.start_streaming(), Catch::Contains("after finish_streaming"));
  out.write_text("/late", "now allowed");
  out.commit();

  ResultReader in(path);
  CHECK(in.read_doubles("/a") == values);
  CHECK(in.read_text("/late") == "now allowed");
}

TEST_CASE("A partial left by a killed run blocks a new run unless forced", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("stale.h5");
  const std::string partial = ResultFile::partial_path(path);
  CHECK(partial == path + ".partial");
  const std::string leftover = "results of an interrupted run";
  write_bytes(partial, leftover);

  CHECK_THROWS_AS(ResultFile::create(path, false), OutputExists);
  CHECK_THROWS_WITH(ResultFile::create(path, false), Catch::Contains(partial) &&
                                                         Catch::Contains("--resume") &&
                                                         Catch::Contains("--force"));
  CHECK(read_bytes(partial) == leftover);
  {
    ResultFile out = ResultFile::create(path, true);
    out.write_text("/config", "fresh");
    out.commit();
  }
  CHECK(dir.entries() == std::vector<std::string>{"stale.h5"});
  CHECK(ResultReader(path).read_text("/config") == "fresh");

  // A live run's partial is another matter: neither create nor resume may touch it.
  ResultFile live = ResultFile::create(dir.file("live.h5"), false);
  CHECK_THROWS_WITH(ResultFile::create(dir.file("live.h5"), true),
                    Catch::Contains("live.h5.partial") && Catch::Contains("another running process"));
  CHECK_THROWS_WITH(ResultFile::resume(dir.file("live.h5")), Catch::Contains("another running process"));
  CHECK_THROWS_WITH(ResultFile::resume(dir.file("nothing.h5")), Catch::Contains("nothing to resume"));
}

TEST_CASE("ResultFile keeps a partial that has streamed and resume() completes it",
          "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("kept.h5");
  const std::vector<std::size_t> all = Run::all_tasks();
  {
    ResultFile out = ResultFile::create(path, false);
    Run::create_objects(out);
    out.start_streaming();
    Run::stream(out, {all.begin(), all.begin() + 30}, 10, [](int) {});
    // Destroyed without commit, as on an exception: the streamed results stay.
  }
  CHECK(dir.entries() == std::vector<std::string>{"kept.h5.partial"});
  {
    ResultFile out = ResultFile::resume(path);
    out.start_streaming();
    Run::stream(out, {all.begin() + 30, all.end()}, 10, [](int) {});
    out.commit();  // finishes streaming itself
  }
  CHECK(dir.entries() == std::vector<std::string>{"kept.h5"});
  Run::check_complete(path);
}

TEST_CASE("resume() completes a run committed with incomplete progress", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("sigint.h5");
  const std::vector<std::size_t> all = Run::all_tasks();
  {
    ResultFile out = ResultFile::create(path, false);
    Run::create_objects(out);
    out.start_streaming();
    Run::stream(out, {all.begin(), all.begin() + 77}, 10, [](int) {});
    out.finish_streaming();
    out.write_table("/summary/national_run", {{"replications", std::vector<std::int64_t>{39}}});
    out.commit();  // a clean shutdown on SIGINT
  }
  // What is done is read before resuming: no partial, so from the committed file.
  CHECK_FALSE(fs::exists(ResultFile::partial_path(path)));
  const std::vector<std::int64_t> progress = ResultReader(path).read_int64s("/progress");
  CHECK(std::count(progress.begin(), progress.end(), 1) == 77);
  {
    ResultFile out = ResultFile::resume(path);
    // Moved back to the partial name for the resumed run: a crash now cannot destroy it.
    CHECK(dir.entries() == std::vector<std::string>{"sigint.h5.partial"});
    CHECK_THROWS_WITH(out.remove("/summary"), Catch::Contains("while streaming"));
    std::vector<std::size_t> todo;
    for (std::size_t task = 0; task < Run::tasks; ++task)
      if (progress[task] != 1) todo.push_back(task);
    Run::stream(out, todo, 10, [](int) {});
    out.finish_streaming();
    out.remove("/summary");
    out.write_table("/summary/national_run", {{"replications", std::vector<std::int64_t>{100}}});
    out.commit();
  }
  CHECK(dir.entries() == std::vector<std::string>{"sigint.h5"});
  Run::check_complete(path);
  CHECK(std::get<std::vector<std::int64_t>>(ResultReader(path).read_table("/summary/national_run")[0].values) ==
        std::vector<std::int64_t>{100});
}

// The design: a run killed at any moment leaves a readable file holding every task finished
// (flushed) so far, and --resume completes it. The child streams and dies by SIGKILL part
// way through writing a task, after some flushes.
TEST_CASE("ResultFile survives kill -9 while streaming and resume() completes the run",
          "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("killed.h5");
  const std::string reference = dir.file("reference.h5");
  {
    ResultFile out = ResultFile::create(reference, false);
    Run::create_objects(out);
    out.start_streaming();
    Run::stream(out, Run::all_tasks(), 9, [](int) {});
    out.commit();
  }
  constexpr std::size_t flush_every = 9, kill_at = 137;  // after 15 flushes (135 tasks)
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      ResultFile out = ResultFile::create(path, false);
      Run::create_objects(out);
      out.start_streaming();
      Run::stream(out, Run::all_tasks(), flush_every, [](int) {}, kill_at);
    } catch (...) {
    }
    ::_exit(3);  // not reached when the kill happens
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  const std::string partial = ResultFile::partial_path(path);
  CHECK(dir.entries().size() == 2);  // the reference and the partial
  CHECK_FALSE(fs::exists(path));

  const auto [h5dump_status, h5dump_output] = run("h5dump -H '" + partial + "'");
  INFO(h5dump_output);
  CHECK(h5dump_status != 0);  // HDF5 itself refuses the crashed writer's file...
  std::vector<std::int64_t> progress;
  {
    ResultReader in(partial);  // ...which ResultReader opens as an SWMR reader
    const std::vector<double> costs = in.read_doubles(Run::trust_month);
    const std::vector<std::int64_t> counts = in.read_int64s(Run::national);
    progress = in.read_int64s("/progress");
    const std::size_t flushed = kill_at / flush_every * flush_every;
    for (std::size_t task = 0; task < flushed; ++task) {
      INFO("task " << task);
      CHECK(Run::task_intact(costs, counts, task));
    }
    for (std::size_t task = 0; task < Run::tasks; ++task) {
      INFO("task " << task);
      if (progress[task] == 1) CHECK(Run::task_intact(costs, counts, task));
    }
    // Marks lag their data by one flush: those of the last flush's tasks are not in yet.
    CHECK(std::count(progress.begin(), progress.end(), 1) == static_cast<long>(flushed - flush_every));
    CHECK(in.read_text("/config") == "replications: 100\n");
  }

  CHECK_THROWS_AS(ResultFile::create(path, false), OutputExists);
  {
    ResultFile out = ResultFile::resume(path);
    out.start_streaming();
    std::vector<std::size_t> todo;
    for (std::size_t task = 0; task < Run::tasks; ++task)
      if (progress[task] != 1) todo.push_back(task);
    Run::stream(out, todo, flush_every, [](int) {});
    out.finish_streaming();
    out.commit();
  }
  std::vector<std::string> entries = dir.entries();
  std::sort(entries.begin(), entries.end());
  CHECK(entries == std::vector<std::string>{"killed.h5", "reference.h5"});
  Run::check_complete(path);
  const auto [diff_status, diff_output] = run("h5diff '" + reference + "' '" + path + "'");
  INFO(diff_output);
  CHECK(diff_status == 0);
}

// The same at moments the test does not choose: inside HDF5 writes, flushes and evictions.
// The child reports each completed flush through a pipe; whatever flush was last reported
// before the kill, every task before it must read back exactly.
TEST_CASE("ResultFile survives kill -9 at arbitrary moments of streaming", "[result_file][streaming]") {
  TempDir dir;
  constexpr std::size_t flush_every = 6;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string path = dir.file("random" + std::to_string(attempt) + ".h5");
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      try {
        ResultFile out = ResultFile::create(path, false);
        Run::create_objects(out);
        out.start_streaming();
        Run::stream(out, Run::all_tasks(true), flush_every, [&](int flushes) {
          if (::write(pipe_fds[1], &flushes, sizeof flushes) < 0) ::_exit(4);
        });
        out.commit();
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    ::close(pipe_fds[1]);
    // Wait for a few flushes, then kill after a delay that varies from attempt to attempt.
    int flushes = 0, value = 0;
    while (flushes < 2 + 2 * attempt && ::read(pipe_fds[0], &value, sizeof value) == sizeof value)
      flushes = value;
    ::usleep(static_cast<useconds_t>(500 * attempt + 100));
    ::kill(child, SIGKILL);
    const int reported = std::max(flushes, last_number(pipe_fds[0]));
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    INFO("attempt " << attempt << ", " << reported << " flushes reported");
    if (!WIFSIGNALED(status)) continue;  // finished before the kill: nothing to check

    std::vector<std::int64_t> progress;
    {
      ResultReader in(ResultFile::partial_path(path));
      const std::vector<double> costs = in.read_doubles(Run::trust_month);
      const std::vector<std::int64_t> counts = in.read_int64s(Run::national);
      progress = in.read_int64s("/progress");
      const std::vector<std::size_t> order = Run::all_tasks(true);
      std::size_t intact = 0;
      const std::size_t flushed = static_cast<std::size_t>(reported) * flush_every;
      for (std::size_t i = 0; i < flushed; ++i) intact += Run::task_intact(costs, counts, order[i]);
      CHECK(intact == flushed);
      for (std::size_t task = 0; task < Run::tasks; ++task)
        if (progress[task] == 1) CHECK(Run::task_intact(costs, counts, task));
    }
    {
      ResultFile out = ResultFile::resume(path);
      out.start_streaming();
      std::vector<std::size_t> todo;
      for (std::size_t task = 0; task < Run::tasks; ++task)
        if (progress[task] != 1) todo.push_back(task);
      Run::stream(out, todo, flush_every, [](int) {});
      out.commit();
    }
    Run::check_complete(path);
  }
}

TEST_CASE("resume() refuses a partial killed before streaming began", "[result_file][streaming]") {
  TempDir dir;
  const std::string path = dir.file("early.h5");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      ResultFile out = ResultFile::create(path, false);
      Run::create_objects(out);
      out.flush();
      ::raise(SIGKILL);
    } catch (...) {
    }
    ::_exit(3);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK_THROWS_WITH(ResultFile::resume(path), Catch::Contains("early.h5.partial") &&
                                                  Catch::Contains("not streaming") &&
                                                  Catch::Contains("--force"));
  CHECK(fs::exists(ResultFile::partial_path(path)));  // refused, not deleted

  // A committed file that cannot be resumed is left as it was found, under its own name.
  const std::string foreign = dir.file("foreign.h5");
  write_bytes(foreign, "not an HDF5 file");
  CHECK_THROWS_WITH(ResultFile::resume(foreign), Catch::Contains("foreign.h5") && Catch::Contains("--force"));
  CHECK(read_bytes(foreign) == "not an HDF5 file");
  CHECK_FALSE(fs::exists(ResultFile::partial_path(foreign)));
  fs::remove(foreign);
  {
    ResultFile out = ResultFile::create(path, true);
    out.write_text("/config", "again");
    out.commit();
  }
  CHECK(dir.entries() == std::vector<std::string>{"early.h5"});
}

// --------------------------------------------------------------------------------------
// Faults (issue 14): a full disk, a damaged partial, a partial that is a symbolic link.

namespace {

// What a child process that streamed the whole Run under a file-size limit of `limit` bytes
// (a full disk as any user can have one: EFBIG, SIGXFSZ being ignored) ended with.
struct Limited {
  int status = 0;       // waitpid's
  std::string message;  // the OutputError it caught, if any
};

Limited stream_under_limit(const std::string& path, rlim_t limit) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    const rlimit small{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &small);
    try {
      ResultFile out = ResultFile::create(path, false);
      Run::create_objects(out);
      out.start_streaming();
      Run::stream(out, Run::all_tasks(true), 10, [](int) {});
      out.commit();
    } catch (const OutputError& e) {
      const std::string text = e.what();
      if (::write(pipe_fds[1], text.data(), text.size()) < 0) ::_exit(4);
      ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  Limited result;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) result.message.append(buffer, n);
  ::close(pipe_fds[0]);
  REQUIRE(::waitpid(child, &result.status, 0) == child);
  return result;
}

// Streams every task into a complete file at `path`; its size in bytes, the scale of the
// file-size limits the fault tests set.
std::uintmax_t complete_file_size(const std::string& path) {
  {
    ResultFile out = ResultFile::create(path, false);
    Run::create_objects(out);
    out.start_streaming();
    Run::stream(out, Run::all_tasks(true), 10, [](int) {});
    out.commit();
  }
  return fs::file_size(path);
}

// Completes the run a failed child left at `path`: resumes its partial, or starts over when
// it left none, and checks the result.
void complete_after_failure(const std::string& path) {
  if (!fs::exists(ResultFile::partial_path(path))) {
    ResultFile out = ResultFile::create(path, false);
    Run::create_objects(out);
    out.start_streaming();
    Run::stream(out, Run::all_tasks(), 10, [](int) {});
    out.commit();
  } else {
    const std::vector<std::int64_t> progress = ResultReader(ResultFile::partial_path(path)).read_int64s("/progress");
    std::vector<std::size_t> todo;
    for (std::size_t task = 0; task < Run::tasks; ++task)
      if (progress[task] != 1) todo.push_back(task);
    ResultFile out = ResultFile::resume(path);
    Run::stream(out, todo, 10, [](int) {});
    out.commit();
  }
  Run::check_complete(path);
}

}  // namespace

// The file on disk stops where the first write failed, as after kill -9, at whatever moment
// that is: in the layout (nothing is kept), while streaming (the partial is kept and resume()
// completes it), or in the final copy. Never a signal, and a message saying what to do.
TEST_CASE("A full disk at any moment leaves nothing, or a partial that resume() completes",
          "[result_file][streaming][faults]") {
  TempDir dir;
  const std::uintmax_t full = complete_file_size(dir.file("reference.h5"));
  int kept = 0, nothing = 0;
  for (const double share : {0.002, 0.3, 0.6, 0.9, 1.3}) {
    const std::string path = dir.file("limit" + std::to_string(share) + ".h5");
    const Limited result = stream_under_limit(path, static_cast<rlim_t>(share * static_cast<double>(full)));
    INFO("limit " << share << " of " << full << " bytes: " << result.message);
    REQUIRE(WIFEXITED(result.status));  // never SIGXFSZ, never SIGSEGV
    if (WEXITSTATUS(result.status) == 0) continue;
    REQUIRE(WEXITSTATUS(result.status) == 1);
    CHECK_THAT(result.message, Catch::Contains("File too large"));
    CHECK_FALSE(fs::exists(path));
    if (fs::exists(ResultFile::partial_path(path))) {
      ++kept;
      CHECK_THAT(result.message, Catch::Contains("kept in '" + ResultFile::partial_path(path)) &&
                                     Catch::Contains("--resume"));
    } else {
      ++nothing;
      CHECK_THAT(result.message, Catch::Contains("nothing was kept"));
    }
    CHECK_FALSE(fs::exists(path + ".partial.new"));
    complete_after_failure(path);
  }
  CHECK(nothing >= 1);
  CHECK(kept >= 3);
}

// A partial cut short or overwritten is refused within seconds with a message, including
// zeros in the global heap, where HDF5 1.10 itself would loop for ever.
TEST_CASE("A damaged partial is refused quickly, by the reader and by resume()", "[result_file][streaming][faults]") {
  TempDir dir;
  const std::string path = dir.file("damaged.h5");
  const std::string partial = ResultFile::partial_path(path);
  const std::uintmax_t full = complete_file_size(dir.file("reference.h5"));
  REQUIRE(WIFEXITED(stream_under_limit(path, full / 2).status));
  REQUIRE(fs::exists(partial));
  const std::string intact = read_bytes(partial);
  std::string heap_zeroed = intact;
  const std::size_t heap = intact.find("GCOL");
  REQUIRE(heap != std::string::npos);
  std::fill_n(heap_zeroed.begin() + static_cast<long>(heap) + 16, 2048, '\0');
  const std::vector<std::pair<const char*, std::string>> damages = {
      {"cut to half its size", intact.substr(0, intact.size() / 2)},
      {"its first 2 KB overwritten", std::string(2048, 'x') + intact.substr(2048)},
      {"2 KB of its global heap zeroed", heap_zeroed}};
  for (const auto& [what, bytes] : damages) {
    INFO("partial " << what);
    write_bytes(partial, bytes);
    const auto start = std::chrono::steady_clock::now();
    // (The looping heap costs the checking child's patience, 5 s, each time: the command-line
    // test sees the reader refuse it, this one resume().)
    if (bytes != heap_zeroed)
      CHECK_THROWS_AS(
          [&] {
            const ResultReader in(partial);  // opening may succeed where only the data is damaged
            in.read_doubles(Run::trust_month);
            in.read_int64s(Run::national);
          }(),
          OutputDamaged);
    CHECK_THROWS_WITH(ResultFile::resume(path), Catch::Contains(partial) && Catch::Contains("--force"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    CHECK(read_bytes(partial) == bytes);  // refused, and left as it was
  }
  // --force (create with overwrite) discards it.
  fs::remove(partial);
  complete_after_failure(path);
}

// The partial's name taken by a symbolic link, dangling or not: refused at once (it used to
// loop for ever), and nothing is written through it.
TEST_CASE("create() and resume() refuse a partial that is a symbolic link", "[result_file][faults]") {
  TempDir dir;
  const std::string dangling = dir.file("dangling.h5");
  fs::create_symlink(dir.file("nowhere"), ResultFile::partial_path(dangling));
  CHECK_THROWS_WITH(ResultFile::create(dangling, false), Catch::Contains("symbolic link"));
  CHECK_THROWS_WITH(ResultFile::create(dangling, true), Catch::Contains("symbolic link"));
  CHECK_THROWS_WITH(ResultFile::resume(dangling), Catch::Contains("symbolic link"));
  CHECK_FALSE(fs::exists(dir.file("nowhere")));
  const std::string linked = dir.file("linked.h5");
  write_bytes(dir.file("someone_else.txt"), "theirs");
  fs::create_symlink(dir.file("someone_else.txt"), ResultFile::partial_path(linked));
  CHECK_THROWS_WITH(ResultFile::create(linked, true), Catch::Contains("symbolic link"));
  CHECK(read_bytes(dir.file("someone_else.txt")) == "theirs");
}

TEST_CASE("require_free_space() refuses what the file system cannot hold", "[result_file][faults]") {
  TempDir dir;
  ResultFile out = ResultFile::create(dir.file("space.h5"), false);
  out.require_free_space(1, "one byte");
  const std::uint64_t exabyte = std::uint64_t{1} << 60;
  CHECK_THROWS_WITH(out.require_free_space(exabyte, "12 tasks"),
                    Catch::Contains("space.h5") && Catch::Contains("12 tasks need about 1153 PB") &&
                        Catch::Contains("are free in") && Catch::Contains("free some space"));
}
