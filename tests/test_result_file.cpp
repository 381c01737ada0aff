// SPDX-License-Identifier: MIT
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sim/result_file.hpp"

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

// DESIGN.md: chunks hold a block of replications of one metric, about 1 MiB, compressed with
// shuffle + deflate only. The reader API does not expose storage layout, so ask h5dump.
TEST_CASE("ResultFile chunks arrays at about 1 MiB with shuffle and deflate", "[result_file]") {
  TempDir dir;
  const std::string path = dir.file("chunked.h5");
  // [point][replication][trust][month] doubles: one replication slice is 2*20*60*8 = 19200
  // bytes, so 1 MiB holds floor(1048576 / 19200) = 54 replications; 200 of them are 3.7 MiB.
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
  // h5dump -p prints the layout as e.g. "CHUNKED ( 2, 54, 20, 60 )".
  const std::size_t at = dump.find("CHUNKED (");
  REQUIRE(at != std::string::npos);
  unsigned long long chunk[4] = {0, 0, 0, 0};
  REQUIRE(std::sscanf(dump.c_str() + at, "CHUNKED ( %llu, %llu, %llu, %llu )", &chunk[0], &chunk[1],
                      &chunk[2], &chunk[3]) == 4);
  CHECK(chunk[0] == 2);
  CHECK(chunk[1] == 54);
  CHECK(chunk[2] == 20);
  CHECK(chunk[3] == 60);
  const double chunk_bytes = 8.0 * static_cast<double>(chunk[0] * chunk[1] * chunk[2] * chunk[3]);
  CHECK(chunk_bytes <= 1024.0 * 1024.0);
  CHECK(chunk_bytes > 0.9 * 1024.0 * 1024.0);
  CHECK(dump.find("PREPROCESSING SHUFFLE") != std::string::npos);
  CHECK(dump.find("COMPRESSION DEFLATE { LEVEL 4 }") != std::string::npos);
  CHECK(dump.find("SZIP") == std::string::npos);
  CHECK(dump.find("FLETCHER") == std::string::npos);
  CHECK(dump.find("NBIT") == std::string::npos);
  CHECK(dump.find("SCALEOFFSET") == std::string::npos);
}

TEST_CASE("hdf5_library_version reports the linked library", "[result_file]") {
  const std::string version = hdf5_library_version();
  unsigned major = 0, minor = 0, release = 0;
  char trailing = 0;
  CHECK(std::sscanf(version.c_str(), "%u.%u.%u%c", &major, &minor, &release, &trailing) == 3);
  CHECK(major >= 1);
}
