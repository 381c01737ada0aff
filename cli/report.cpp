// SPDX-License-Identifier: MIT
// `breachsim report`: the page is drawn by scripts/breachsim_report.py, since matplotlib draws
// the plots and no C++ plotting library is as well kept; this command finds the script and
// the interpreter and hands the process over to them, so their exit code is the command's.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "models/run/scenario.hpp"

namespace breachsim::cli {

namespace fs = std::filesystem;

namespace {

// Debian's interpreter, which has the python3-h5py, -pandas and -matplotlib packages that
// scripts/setup.sh installs (another python3 may come first on PATH without them).
std::string python_interpreter() {
  const char* chosen = std::getenv("BREACHSIM_PYTHON");
  return chosen && *chosen ? chosen : "/usr/bin/python3";
}

std::string default_page(const std::string& file) {
  fs::path page(file);
  if (page.extension() == ".partial") page.replace_extension();
  return page.replace_extension(".html").string();
}

}  // namespace

int report_command(const ReportOptions& o) {
  std::error_code ec;
  if (fs::is_directory(o.file, ec)) throw UsageError(o.file + ": is a directory, not a result file", "report");
  if (!fs::exists(o.file, ec)) throw UsageError(o.file + ": no such file", "report");
  // Installed beside the configs (share/breachsim/scripts), or the source tree's.
  const fs::path script = models::shipped_configs().parent_path() / "scripts" / "breachsim_report.py";
  if (!fs::is_regular_file(script, ec))
    throw std::runtime_error("the report needs " + script.string() + ", which is missing: reinstall breachsim");
  const std::string python = python_interpreter();
  if (::access(python.c_str(), X_OK) != 0)
    throw std::runtime_error("the report needs Python 3 with h5py, pandas and matplotlib, and " + python +
                             " is not there (" + std::strerror(errno) +
                             "): run scripts/setup.sh, or name an interpreter in BREACHSIM_PYTHON");
  std::vector<std::string> words = {python, script.string(), o.file, "--out", o.out.empty() ? default_page(o.file) : o.out};
  if (o.force) words.emplace_back("--force");
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  ::execv(python.c_str(), argv.data());
  throw std::runtime_error("cannot start " + python + " for the report: " + std::strerror(errno));
}

}  // namespace breachsim::cli
