// SPDX-License-Identifier: MIT
#include "fuzz/config_input.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <new>
#include <stdexcept>
#include <system_error>

#include "models/run/scenario.hpp"

namespace breachsim::fuzz {

namespace fs = std::filesystem;

namespace {

// One directory per process (libFuzzer's workers are processes), removed at exit.
struct PrivateDir {
  fs::path path;
  PrivateDir() {
    std::string pattern = (fs::temp_directory_path() / "breachsim-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    path = pattern;
  }
  ~PrivateDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const fs::path& config_path() {
  static const PrivateDir dir;
  static const fs::path file = dir.path / "config.yaml";
  return file;
}

// What a user must never see from a config: the library's own words for an internal failure
// (README.md, "Using it": every problem with its file, line, column and key path). Messages
// quote the input, so a word the input itself holds proves nothing.
std::string leaked_internals(const std::string& message, std::string_view input) {
  for (const char* word : {"std::", "basic_string", "bad_alloc", "bad conversion", "vector::", "_M_", "yaml-cpp:"})
    if (message.find(word) != std::string::npos && input.find(word) == std::string_view::npos) return word;
  return "";
}

// A problem may go without a line and column only when it is about the file as a whole.
bool whole_file_problem(const sim::config::Issue& issue) {
  return issue.path.empty() && issue.message == "the file is empty";
}

std::string judge(const std::vector<sim::config::Issue>& issues, std::string_view input) {
  if (issues.empty()) return "a ConfigError with no problem in it";
  for (const auto& issue : issues) {
    if (issue.message.empty()) return "a problem with no message: " + issue.to_string();
    if (const std::string word = leaked_internals(issue.message, input); !word.empty())
      return "a message with library internals ('" + word + "'): " + issue.to_string();
    if (issue.line <= 0 && !whole_file_problem(issue)) return "a problem with no line and column: " + issue.to_string();
  }
  return "";
}

}  // namespace

ConfigVerdict validate_config_bytes(std::string_view bytes) {
  ConfigVerdict verdict;
  const fs::path& file = config_path();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
  }
  try {
    models::load_sweep(file.string());
    verdict.valid = true;
  } catch (const sim::config::ConfigError& e) {
    verdict.issues = e.issues();
    verdict.broken = judge(verdict.issues, bytes);
  } catch (const std::exception& e) {
    verdict.broken = std::string("an exception other than ConfigError (exit 1, not 2): ") + e.what();
  } catch (...) {
    verdict.broken = "an exception that is not a std::exception";
  }
  return verdict;
}

}  // namespace breachsim::fuzz
