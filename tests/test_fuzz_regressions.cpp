// SPDX-License-Identifier: MIT
// Every input the config fuzzer found a bug with (tests/fuzz/regressions/, README there),
// replayed through the fuzzer's own entry point in every build, clang or not, so each fix
// stays fixed. The fuzzer's seeds (the shipped configs and tests/data) go through it too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/config_input.hpp"

using namespace breachsim;
namespace fs = std::filesystem;

namespace {

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("every input the config fuzzer found a bug with is now diagnosed or valid", "[config][fuzz]") {
  const auto files = files_in("tests/fuzz/regressions");
  CHECK(!files.empty());
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      const auto verdict = fuzz::validate_config_bytes(bytes_of(file));
      INFO(file.string());
      CHECK(verdict.broken == "");
    }
  }
}

TEST_CASE("the fuzzer's entry point: a valid config, problems with places, an empty file", "[config][fuzz]") {
  const auto valid = fuzz::validate_config_bytes(bytes_of("tests/data/small.yaml"));
  CHECK(valid.valid);
  CHECK(valid.broken == "");
  const auto bad = fuzz::validate_config_bytes(bytes_of("tests/data/many_errors.yaml"));
  CHECK(!bad.valid);
  CHECK(bad.issues.size() > 1);
  CHECK(bad.broken == "");
  const auto empty = fuzz::validate_config_bytes("");
  CHECK(!empty.valid);
  CHECK(empty.broken == "");
  const auto syntax = fuzz::validate_config_bytes("a: [1, 2\n");
  REQUIRE(syntax.issues.size() == 1);
  CHECK(syntax.issues[0].line > 0);
  CHECK(syntax.broken == "");
}
