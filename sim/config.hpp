// SPDX-License-Identifier: MIT
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/distributions.hpp"

// Configuration reading, domain-free. A parameter struct declares its keys once, in a
// template `describe(V& v)` that calls v.field(...) and v.section(...); three visitors walk
// that one declaration:
//   Reader      sets the fields present in a YAML map, checking type and range, and records
//               every problem (with file, line, column and key path) rather than stopping;
//   Writer      emits the fully resolved values as YAML (stored in result files);
//   Documenter  produces the Markdown reference of every key, unit, default and source.
// Keys absent from a map keep the struct's current value: the documented default, or the
// value inherited from `defaults` when a trust overrides only some keys.
namespace breachsim::sim::config {

struct Issue {
  std::string file;  // the config file, or the option the problem came from ("--set a.b=1")
  int line = 0;      // 1-based; 0 when the problem has no place in the file
  int column = 0;
  std::string path;
  std::string message;
  std::string to_string() const;
};

// Every problem found in one configuration, reported together.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Issue> issues);
  const std::vector<Issue>& issues() const { return issues_; }

 private:
  std::vector<Issue> issues_;
};

// Where a problem is reported when it lies in a part of the tree that was not read from the
// file as written: a --set value, or a swept value moved in from the file's sweep list.
struct Origin {
  std::string file;                           // the config file, or "--set a.b=1"
  YAML::Mark mark = YAML::Mark::null_mark();  // null: no place (a --set)
  std::string path;  // e.g. "sweep[0].values[2]"; the problem's own key path then opens its message
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // `subject` is the key path the problem is about when that is not `path`: an unknown key is
  // reported at its map, but it is the key's own path that an override may have created.
  void error(const YAML::Mark& mark, const std::string& path, const std::string& message,
             const std::string& subject = "");
  // For cross-field checks after reading: points at where `path` was read, if it was.
  void error_at(const std::string& path, const std::string& message);
  void remember(const std::string& path, const YAML::Mark& mark) { marks_[path] = mark; }
  // Records a problem already placed (e.g. collected from another Diagnostics).
  void report(Issue issue) { issues_.push_back(std::move(issue)); }

  // The tree at `path` was replaced (in the order of these calls) after the file was read. A
  // problem at or below `path` is reported against `value`; a problem with a key the override
  // created on the way to `path` (it has no place in the file) against `key`.
  void overridden(std::string path, Origin value, Origin key);

  bool ok() const { return issues_.empty(); }
  const std::vector<Issue>& issues() const { return issues_; }
  void throw_if_errors() const;

 private:
  struct Override {
    std::string path;
    Origin value, key;
  };
  std::string file_;
  std::vector<Issue> issues_;
  std::map<std::string, YAML::Mark> marks_;
  std::vector<Override> overrides_;
};

// "did you mean ...?" for a mistyped key: the closest known key within a few edits.
std::string closest_match(const std::string& key, const std::vector<std::string>& known);

// The admissible values of a number.
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;
  bool max_open = false;

  static Range any() { return {}; }
  static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true, false}; }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity(), false, false}; }
  static Range fraction() { return {0.0, 1.0, false, false}; }  // a probability or share
  static Range at_least(double v) { return {v, std::numeric_limits<double>::infinity(), false, false}; }
  static Range between(double lo, double hi) { return {lo, hi, false, false}; }
  bool contains(double v) const;
  std::string describe() const;  // e.g. "> 0", "in [0, 1]"
};

// What the reference documents about a key. `source` cites docs/sources.md or says "assumption".
struct Doc {
  const char* unit = "";
  const char* text = "";
  const char* source = "";
  Range range = {};
  std::vector<std::size_t> sizes = {};     // admissible list lengths (lists only)
  std::vector<std::string> choices = {};   // admissible words (strings only)
};

// A configurable distribution: `{distribution: lognormal, mean: 140, sd: 90}`. The unit is
// in the key that holds it (`treatment_minutes`). A new value replaces the whole spec.
struct DistributionSpec {
  Distribution::Kind kind = Distribution::Kind::exponential;
  double value = 0.0;  // constant
  double mean = 1.0;   // exponential, lognormal, gamma
  double sd = 1.0;     // lognormal, gamma
  std::vector<double> values, weights, edges;  // empirical (values), histogram (edges)
  Distribution build() const;
};

std::string format_number(double v);  // shortest text that reads back to the same double

// What a node is, for messages: "'abc'" (a scalar, quoted), "a list", "a map" or "nothing".
std::string describe_node(const YAML::Node& node);

// ---------------------------------------------------------------------------------------

class Reader {
 public:
  // `map` must be a YAML map (an error is recorded otherwise); `path` is its dotted key path.
  Reader(Diagnostics& diagnostics, const YAML::Node& map, std::string path);

  void field(const char* key, double& value, const Doc& doc);
  void field(const char* key, int& value, const Doc& doc);
  void field(const char* key, std::uint64_t& value, const Doc& doc);
  void field(const char* key, bool& value, const Doc& doc);
  void field(const char* key, std::string& value, const Doc& doc);
  void field(const char* key, Date& value, const Doc& doc);
  void field(const char* key, std::vector<double>& value, const Doc& doc);
  void field(const char* key, std::vector<std::string>& value, const Doc& doc);  // words, from doc.choices if given
  void field(const char* key, DistributionSpec& value, const Doc& doc);

  template <class T>
  void section(const char* key, T& value, const char* /*text*/) {
    const YAML::Node* node = take(key);
    if (!node) return;
    Reader child(diagnostics_, *node, join(key));
    value.describe(child);
    child.finish();
  }

  // Records errors for keys nobody asked for. Called once all fields were visited.
  void finish();

  // Keys the caller handles itself (e.g. a list of trusts) are claimed here.
  const YAML::Node* take(const char* key);
  std::string join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Diagnostics& diagnostics() { return diagnostics_; }
  const YAML::Node& node() const { return map_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    bool used = false;
  };
  bool number(const YAML::Node& node, const std::string& path, const Doc& doc, double& out);

  Diagnostics& diagnostics_;
  YAML::Node map_;
  std::string path_;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

class Writer {
 public:
  explicit Writer(YAML::Emitter& out) : out_(out) {}

  void field(const char* key, double value, const Doc&);
  void field(const char* key, int value, const Doc&);
  void field(const char* key, std::uint64_t value, const Doc&);
  void field(const char* key, bool value, const Doc&);
  void field(const char* key, const std::string& value, const Doc&);
  void field(const char* key, const Date& value, const Doc&);
  void field(const char* key, const std::vector<double>& value, const Doc&);
  void field(const char* key, const std::vector<std::string>& value, const Doc&);
  void field(const char* key, const DistributionSpec& value, const Doc&);

  template <class T>
  void section(const char* key, T& value, const char*) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    value.describe(*this);
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
};

// Collects one Markdown table row per key, with the default taken from the struct visited.
class Documenter {
 public:
  // With `sections_as` non-empty, a section is one row pointing at the section of that name
  // under `sections_as` (e.g. "defaults") instead of a row per key.
  explicit Documenter(std::string prefix, std::string sections_as = "")
      : prefix_(std::move(prefix)), sections_as_(std::move(sections_as)) {}

  template <class T>
  void field(const char* key, const T& value, const Doc& doc) {
    add(key, type_name(value), default_text(value), doc);
  }
  template <class T>
  void section(const char* key, T& value, const char* text) {
    if (!sections_as_.empty()) {
      rows_.push_back("| `" + prefix_ + key + "` | section |  |  | any key of `" + sections_as_ + "." + key + "` | " + text +
                      " |");
      return;
    }
    sections_.push_back(prefix_ + key + ": " + text);
    Documenter child(prefix_ + key + ".");
    value.describe(child);
    rows_.insert(rows_.end(), child.rows_.begin(), child.rows_.end());
    sections_.insert(sections_.end(), child.sections_.begin(), child.sections_.end());
  }

  // A row for a key read by hand rather than declared (the entries of a sweep), its type in words.
  void add(const char* key, const std::string& type, const std::string& def, const Doc& doc);

  std::string markdown_table() const;
  const std::vector<std::string>& sections() const { return sections_; }

 private:
  static std::string type_name(double) { return "number"; }
  static std::string type_name(int) { return "integer"; }
  static std::string type_name(std::uint64_t) { return "integer"; }
  static std::string type_name(bool) { return "boolean"; }
  static std::string type_name(const std::string&) { return "text"; }
  static std::string type_name(const Date&) { return "date"; }
  static std::string type_name(const std::vector<double>&) { return "list of numbers"; }
  static std::string type_name(const std::vector<std::string>&) { return "list of words"; }
  static std::string type_name(const DistributionSpec&) { return "distribution"; }
  static std::string default_text(double v) { return format_number(v); }
  static std::string default_text(int v) { return std::to_string(v); }
  static std::string default_text(std::uint64_t v) { return std::to_string(v); }
  static std::string default_text(bool v) { return v ? "true" : "false"; }
  static std::string default_text(const std::string& v) { return v.empty() ? "(none)" : v; }
  static std::string default_text(const Date& v) { return format_date(v); }
  static std::string default_text(const std::vector<double>& v);
  static std::string default_text(const std::vector<std::string>& v);
  static std::string default_text(const DistributionSpec& v);

  std::string prefix_;
  std::string sections_as_;
  std::vector<std::string> rows_;
  std::vector<std::string> sections_;
};

// Loads a YAML file; a syntax error, bytes that are not UTF-8 and a second document (a config
// is one) become a ConfigError with their place, a directory or an unreadable file one
// without. `text` receives the file's bytes (for hashing and storing).
YAML::Node load_yaml_file(const std::string& file, std::string* text = nullptr);

// ---------------------------------------------------------------------------------------
// Tree surgery for command-line overrides and sweeps: key paths into a YAML tree.

// One step of a key path: a map key, or (when `key` is empty) a list item.
struct PathStep {
  std::string key;
  std::size_t index = 0;
  bool is_index() const { return key.empty(); }
  bool operator==(const PathStep& o) const { return key == o.key && index == o.index; }
};

// A dotted key path: map keys separated by dots, list items as `trusts[2]`, e.g.
// `trusts[2].ed.arrivals_per_year`.
using KeyPath = std::vector<PathStep>;

// Parses `text`; on failure returns false and says why in `error` (the whole message).
bool parse_key_path(const std::string& text, KeyPath& path, std::string& error);
std::string to_string(const KeyPath& path);

// Whether `path` is `prefix` or lies below it.
bool starts_with(const KeyPath& path, const KeyPath& prefix);

// Makes the node at `path` of `root` (a map) be `value`: the tree shares `value` rather than
// copying it, so problems found in it keep the place `value` was read from. Missing (or empty)
// maps on the way are created; a list item must exist. Returns what stood in the way, and
// then leaves `root` as it was, or "" when done. Marks on the created maps and keys are null.
std::string set_path(YAML::Node& root, const KeyPath& path, const YAML::Node& value);

// A node as one line of YAML (flow style), e.g. `[1, 2, 3]` or `reinvested`.
std::string yaml_text(const YAML::Node& node);

}  // namespace breachsim::sim::config
