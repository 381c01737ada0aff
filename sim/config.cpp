// SPDX-License-Identifier: MIT
#include "sim/config.hpp"

#include "sim/utf8.hpp"
#include "sim/yaml_document.hpp"


#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

namespace breachsim::sim::config {

std::string Issue::to_string() const {
  std::ostringstream s;
  s << file;
  if (line > 0) s << ':' << line << ':' << column;
  s << ": ";
  if (!path.empty()) s << path << ": ";
  s << message;
  return s.str();
}

static std::string join_issues(const std::vector<Issue>& issues) {
  std::string text;
  for (const auto& i : issues) text += i.to_string() + "\n";
  if (!text.empty()) text.pop_back();
  return text;
}

ConfigError::ConfigError(std::vector<Issue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

// Whether key path `path` is `prefix` or lies below it, compared as text.
static bool within(const std::string& path, const std::string& prefix) {
  if (prefix.empty() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "".
static std::string parent_path(const std::string& path) {
  const std::size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? std::string() : path.substr(0, cut);
}

void Diagnostics::overridden(std::string path, Origin value, Origin key) {
  overrides_.push_back(Override{std::move(path), std::move(value), std::move(key)});
}

void Diagnostics::error(const YAML::Mark& mark, const std::string& path, const std::string& message,
                        const std::string& subject) {
  const std::string& about = subject.empty() ? path : subject;
  // The last override wins: it replaced whatever the earlier ones had put there.
  const Override* from = nullptr;
  bool created_key = false;
  for (const auto& o : overrides_) {
    if (mark.is_null() && within(o.path, about)) {
      // No place in the file, on the way to (or at) the override's path: a key it created.
      from = &o;
      created_key = true;
    } else if (within(about, o.path)) {
      from = &o;
      created_key = false;
    }
  }
  if (!from) {
    const bool placed = !mark.is_null();
    issues_.push_back(Issue{file_, placed ? mark.line + 1 : 0, placed ? mark.column + 1 : 0, path, message});
    return;
  }
  const Origin& origin = created_key ? from->key : from->value;
  // A swept value is the file's own node, so a problem inside it keeps its exact place; a
  // --set value was parsed on its own and its marks mean nothing in the file.
  YAML::Mark place = origin.mark;
  if (!origin.mark.is_null() && !created_key && !mark.is_null()) place = mark;
  const bool placed = !place.is_null();
  const bool renamed = !origin.path.empty() && !path.empty();
  issues_.push_back(Issue{origin.file, placed ? place.line + 1 : 0, placed ? place.column + 1 : 0,
                          renamed ? origin.path : path, renamed ? path + ": " + message : message});
}

void Diagnostics::error_at(const std::string& path, const std::string& message) {
  // A path not read from the file itself (a regime's fund comes from its preset) is placed at
  // its nearest ancestor that was: the entry that brought it in.
  for (std::string at = path; !at.empty(); at = parent_path(at)) {
    const auto it = marks_.find(at);
    if (it != marks_.end()) return error(it->second, path, message);
  }
  error(YAML::Mark::null_mark(), path, message);
}

void Diagnostics::throw_if_errors() const {
  if (issues_.empty()) return;
  // In file order, so a reader can work down the file; problems without a place go last.
  std::vector<Issue> sorted = issues_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Issue& a, const Issue& b) {
    const int la = a.line > 0 ? a.line : INT_MAX, lb = b.line > 0 ? b.line : INT_MAX;
    return la != lb ? la < lb : a.column < b.column;
  });
  throw ConfigError(std::move(sorted));
}

static std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_match(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

bool Range::contains(double v) const {
  if (min_open ? !(v > min) : !(v >= min)) return false;
  if (max_open ? !(v < max) : !(v <= max)) return false;
  return true;
}

std::string Range::describe() const {
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max)
    return std::string("in ") + (min_open ? "(" : "[") + format_number(min) + ", " + format_number(max) +
           (max_open ? ")" : "]");
  if (has_min) return std::string(min_open ? "> " : ">= ") + format_number(min);
  if (has_max) return std::string(max_open ? "< " : "<= ") + format_number(max);
  return "";
}

std::string format_number(double v) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

Distribution DistributionSpec::build() const {
  switch (kind) {
    case Distribution::Kind::constant: return Distribution::constant(value);
    case Distribution::Kind::exponential: return Distribution::exponential(mean);
    case Distribution::Kind::lognormal: return Distribution::lognormal(mean, sd);
    case Distribution::Kind::gamma: return Distribution::gamma(mean, sd);
    case Distribution::Kind::empirical: return Distribution::empirical(values, weights);
    case Distribution::Kind::histogram: return Distribution::histogram(edges, weights);
  }
  return Distribution::constant(value);
}

// ---------------------------------------------------------------------------------------

std::string describe_node(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    default: return "an undefined value";
  }
}

Reader::Reader(Diagnostics& diagnostics, const YAML::Node& map, std::string path)
    : diagnostics_(diagnostics), map_(map), path_(std::move(path)) {
  if (!map.IsMap()) {
    diagnostics_.error(map.Mark(), path_, "expected a map of keys, got " + describe_node(map));
    return;
  }
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) {
      diagnostics_.error(it->first.Mark(), join(key), "duplicate key");
      continue;
    }
    entries_.push_back(Entry{key, it->first, it->second});
  }
}

const YAML::Node* Reader::take(const char* key) {
  known_.emplace_back(key);
  for (auto& e : entries_) {
    if (e.key == key) {
      e.used = true;
      diagnostics_.remember(join(key), e.value.Mark());
      if (e.value.IsNull()) {
        diagnostics_.error(e.value.Mark(), join(key), "has no value");
        return nullptr;
      }
      return &e.value;
    }
  }
  return nullptr;
}

void Reader::finish() {
  for (const auto& e : entries_) {
    if (e.used) continue;
    std::string message = "unknown key '" + e.key + "'";
    const std::string guess = closest_match(e.key, known_);
    if (!guess.empty()) message += "; did you mean '" + guess + "'?";
    diagnostics_.error(e.key_node.Mark(), path_.empty() ? e.key : path_, message, join(e.key));
  }
}

bool Reader::number(const YAML::Node& node, const std::string& path, const Doc& doc, double& out) {
  double v = 0.0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || !std::isfinite(v)) {
    diagnostics_.error(node.Mark(), path, "expected a number, got " + describe_node(node));
    return false;
  }
  if (!doc.range.contains(v)) {
    diagnostics_.error(node.Mark(), path, "must be " + doc.range.describe() + " (got " + node.Scalar() + ")");
    return false;
  }
  out = v;
  return true;
}

void Reader::field(const char* key, double& value, const Doc& doc) {
  if (const YAML::Node* n = take(key)) number(*n, join(key), doc, value);
}

static bool whole_number(const YAML::Node& node, long long& out) {
  if (!node.IsScalar()) return false;
  const std::string& s = node.Scalar();
  const char* first = s.data();
  if (!s.empty() && s[0] == '+') ++first;
  const auto r = std::from_chars(first, s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void Reader::field(const char* key, int& value, const Doc& doc) {
  const YAML::Node* n = take(key);
  if (!n) return;
  long long v = 0;
  if (!whole_number(*n, v) || v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    diagnostics_.error(n->Mark(), join(key), "expected a whole number, got " + describe_node(*n));
  } else if (!doc.range.contains(static_cast<double>(v))) {
    diagnostics_.error(n->Mark(), join(key), "must be " + doc.range.describe() + " (got " + n->Scalar() + ")");
  } else {
    value = static_cast<int>(v);
  }
}

void Reader::field(const char* key, std::uint64_t& value, const Doc& doc) {
  const YAML::Node* n = take(key);
  if (!n) return;
  long long v = 0;
  if (!whole_number(*n, v) || v < 0) {
    diagnostics_.error(n->Mark(), join(key),
                       "expected a whole number from 0 to 2^63-1, got " + describe_node(*n));
  } else if (!doc.range.contains(static_cast<double>(v))) {
    diagnostics_.error(n->Mark(), join(key), "must be " + doc.range.describe() + " (got " + n->Scalar() + ")");
  } else {
    value = static_cast<std::uint64_t>(v);
  }
}

void Reader::field(const char* key, bool& value, const Doc&) {
  const YAML::Node* n = take(key);
  if (!n) return;
  bool v = false;
  if (!n->IsScalar() || !YAML::convert<bool>::decode(*n, v))
    diagnostics_.error(n->Mark(), join(key), "expected true or false, got " + describe_node(*n));
  else
    value = v;
}

void Reader::field(const char* key, std::string& value, const Doc& doc) {
  const YAML::Node* n = take(key);
  if (!n) return;
  if (!n->IsScalar()) {
    diagnostics_.error(n->Mark(), join(key), "expected text, got " + describe_node(*n));
    return;
  }
  if (!doc.choices.empty() && std::find(doc.choices.begin(), doc.choices.end(), n->Scalar()) == doc.choices.end()) {
    std::string list;
    for (const auto& c : doc.choices) list += (list.empty() ? "" : ", ") + c;
    std::string message = "must be one of " + list + " (got '" + n->Scalar() + "')";
    const std::string guess = closest_match(n->Scalar(), doc.choices);
    if (!guess.empty()) message += "; did you mean '" + guess + "'?";
    diagnostics_.error(n->Mark(), join(key), message);
    return;
  }
  value = n->Scalar();
}

void Reader::field(const char* key, Date& value, const Doc&) {
  const YAML::Node* n = take(key);
  if (!n) return;
  if (!n->IsScalar() || !parse_date(n->Scalar(), value))
    diagnostics_.error(n->Mark(), join(key), "expected a date as YYYY-MM-DD, got " + describe_node(*n));
}

static bool read_list(Reader& reader, const YAML::Node& node, const std::string& path, const Doc& doc,
                      std::vector<double>& out) {
  Diagnostics& d = reader.diagnostics();
  if (!node.IsSequence()) {
    d.error(node.Mark(), path, "expected a list of numbers, got " + describe_node(node));
    return false;
  }
  if (!doc.sizes.empty() && std::find(doc.sizes.begin(), doc.sizes.end(), node.size()) == doc.sizes.end()) {
    std::string sizes;
    for (std::size_t s : doc.sizes) sizes += (sizes.empty() ? "" : " or ") + std::to_string(s);
    d.error(node.Mark(), path, "expected " + sizes + " values, got " + std::to_string(node.size()));
    return false;
  }
  std::vector<double> values;
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    double v = 0.0;
    const YAML::Node item = node[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar() || !YAML::convert<double>::decode(item, v) || !std::isfinite(v)) {
      d.error(item.Mark(), item_path, "expected a number, got " + describe_node(item));
      ok = false;
    } else if (!doc.range.contains(v)) {
      d.error(item.Mark(), item_path, "must be " + doc.range.describe() + " (got " + item.Scalar() + ")");
      ok = false;
    }
    values.push_back(v);
  }
  if (ok) out = std::move(values);
  return ok;
}

void Reader::field(const char* key, std::vector<double>& value, const Doc& doc) {
  if (const YAML::Node* n = take(key)) read_list(*this, *n, join(key), doc, value);
}

void Reader::field(const char* key, std::vector<std::string>& value, const Doc& doc) {
  const YAML::Node* n = take(key);
  if (!n) return;
  const std::string path = join(key);
  if (!n->IsSequence()) {
    diagnostics_.error(n->Mark(), path, "expected a list of words, got " + describe_node(*n));
    return;
  }
  std::vector<std::string> words;
  bool ok = true;
  for (std::size_t i = 0; i < n->size(); ++i) {
    const YAML::Node item = (*n)[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      diagnostics_.error(item.Mark(), item_path, "expected a word, got " + describe_node(item));
      ok = false;
      continue;
    }
    if (!doc.choices.empty() && std::find(doc.choices.begin(), doc.choices.end(), item.Scalar()) == doc.choices.end()) {
      std::string list;
      for (const auto& choice : doc.choices) list += (list.empty() ? "" : ", ") + choice;
      std::string message = "must be one of " + list + " (got '" + item.Scalar() + "')";
      const std::string guess = closest_match(item.Scalar(), doc.choices);
      if (!guess.empty()) message += "; did you mean '" + guess + "'?";
      diagnostics_.error(item.Mark(), item_path, message);
      ok = false;
      continue;
    }
    diagnostics_.remember(item_path, item.Mark());
    words.push_back(item.Scalar());
  }
  if (ok) value = std::move(words);
}

void Reader::field(const char* key, DistributionSpec& value, const Doc& doc) {
  const YAML::Node* n = take(key);
  if (!n) return;
  const std::string path = join(key);
  Reader r(diagnostics_, *n, path);
  if (!n->IsMap()) return;
  std::string kind_name;
  static const std::vector<std::string> kinds = {"constant", "exponential", "lognormal", "gamma", "empirical", "histogram"};
  Doc kind_doc;
  kind_doc.choices = kinds;
  r.field("distribution", kind_name, kind_doc);
  if (kind_name.empty()) {
    if (!r.node()["distribution"]) diagnostics_.error(n->Mark(), path, "needs 'distribution:' (one of constant, exponential, lognormal, gamma, empirical, histogram)");
    for (const char* k : {"value", "mean", "sd", "values", "weights", "edges"}) r.take(k);
    return;
  }
  DistributionSpec spec;
  Doc positive{doc.unit, "", "", Range::positive()};
  Doc non_negative{doc.unit, "", "", Range::non_negative()};
  Doc weights{"", "", "", Range::non_negative()};
  auto require = [&](const char* k) {
    if (!r.node()[k]) diagnostics_.error(n->Mark(), path, "a " + kind_name + " distribution needs '" + k + "'");
  };
  if (kind_name == "constant") {
    spec.kind = Distribution::Kind::constant;
    require("value");
    r.field("value", spec.value, non_negative);
  } else if (kind_name == "exponential") {
    spec.kind = Distribution::Kind::exponential;
    require("mean");
    r.field("mean", spec.mean, positive);
  } else if (kind_name == "lognormal" || kind_name == "gamma") {
    spec.kind = kind_name == "gamma" ? Distribution::Kind::gamma : Distribution::Kind::lognormal;
    require("mean");
    require("sd");
    r.field("mean", spec.mean, positive);
    r.field("sd", spec.sd, positive);
  } else if (kind_name == "empirical") {
    spec.kind = Distribution::Kind::empirical;
    require("values");
    require("weights");
    r.field("values", spec.values, non_negative);
    r.field("weights", spec.weights, weights);
    if (spec.values.size() != spec.weights.size() || spec.values.empty())
      diagnostics_.error(n->Mark(), path, "'values' and 'weights' must be non-empty lists of the same length");
  } else if (kind_name == "histogram") {
    spec.kind = Distribution::Kind::histogram;
    require("edges");
    require("weights");
    r.field("edges", spec.edges, non_negative);
    r.field("weights", spec.weights, weights);
    bool increasing = true;
    for (std::size_t i = 1; i < spec.edges.size(); ++i) increasing = increasing && spec.edges[i] > spec.edges[i - 1];
    if (spec.weights.empty() || spec.edges.size() != spec.weights.size() + 1 || !increasing)
      diagnostics_.error(n->Mark(), path, "needs increasing 'edges' and one fewer 'weights' than edges");
  }
  if ((spec.kind == Distribution::Kind::empirical || spec.kind == Distribution::Kind::histogram) &&
      !spec.weights.empty() && std::all_of(spec.weights.begin(), spec.weights.end(), [](double w) { return w == 0.0; }))
    diagnostics_.error(n->Mark(), path, "'weights' must not all be zero");
  r.finish();
  value = std::move(spec);
}

// ---------------------------------------------------------------------------------------

void Writer::field(const char* key, double value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << format_number(value);
}
void Writer::field(const char* key, int value, const Doc&) { out_ << YAML::Key << key << YAML::Value << value; }
void Writer::field(const char* key, std::uint64_t value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << value;
}
void Writer::field(const char* key, bool value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << (value ? "true" : "false");
}
void Writer::field(const char* key, const std::string& value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
}
void Writer::field(const char* key, const Date& value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << format_date(value);
}

static void emit_list(YAML::Emitter& out, const std::vector<double>& values) {
  out << YAML::Flow << YAML::BeginSeq;
  for (double v : values) out << format_number(v);
  out << YAML::EndSeq;
}

void Writer::field(const char* key, const std::vector<double>& value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value;
  emit_list(out_, value);
}

void Writer::field(const char* key, const std::vector<std::string>& value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& word : value) out_ << word;
  out_ << YAML::EndSeq;
}

void Writer::field(const char* key, const DistributionSpec& value, const Doc&) {
  out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
  out_ << YAML::Key << "distribution" << YAML::Value << to_string(value.kind);
  switch (value.kind) {
    case Distribution::Kind::constant:
      out_ << YAML::Key << "value" << YAML::Value << format_number(value.value);
      break;
    case Distribution::Kind::exponential:
      out_ << YAML::Key << "mean" << YAML::Value << format_number(value.mean);
      break;
    case Distribution::Kind::lognormal:
    case Distribution::Kind::gamma:
      out_ << YAML::Key << "mean" << YAML::Value << format_number(value.mean);
      out_ << YAML::Key << "sd" << YAML::Value << format_number(value.sd);
      break;
    case Distribution::Kind::empirical:
      out_ << YAML::Key << "values" << YAML::Value;
      emit_list(out_, value.values);
      out_ << YAML::Key << "weights" << YAML::Value;
      emit_list(out_, value.weights);
      break;
    case Distribution::Kind::histogram:
      out_ << YAML::Key << "edges" << YAML::Value;
      emit_list(out_, value.edges);
      out_ << YAML::Key << "weights" << YAML::Value;
      emit_list(out_, value.weights);
      break;
  }
  out_ << YAML::EndMap;
}

// ---------------------------------------------------------------------------------------

std::string Documenter::default_text(const std::vector<double>& v) {
  if (v.size() > 12) {
    double lo = v[0], hi = v[0];
    for (double x : v) lo = std::min(lo, x), hi = std::max(hi, x);
    return std::to_string(v.size()) + " values, " + format_number(lo) + " to " + format_number(hi);
  }
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_number(v[i]);
  return s + "]";
}

std::string Documenter::default_text(const std::vector<std::string>& v) {
  std::string text = "[";
  for (std::size_t i = 0; i < v.size(); ++i) text += (i ? ", " : "") + v[i];
  return text + "]";
}

std::string Documenter::default_text(const DistributionSpec& v) {
  std::string s = to_string(v.kind);
  switch (v.kind) {
    case Distribution::Kind::constant: return s + " " + format_number(v.value);
    case Distribution::Kind::exponential: return s + ", mean " + format_number(v.mean);
    case Distribution::Kind::lognormal:
    case Distribution::Kind::gamma: return s + ", mean " + format_number(v.mean) + ", sd " + format_number(v.sd);
    default: return s + " (" + std::to_string(v.weights.size()) + " points)";
  }
}

static std::string escape_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

void Documenter::add(const char* key, const std::string& type, const std::string& def, const Doc& doc) {
  std::string constraint = doc.range.describe();
  if (!doc.sizes.empty()) {
    std::string sizes;
    for (std::size_t s : doc.sizes) sizes += (sizes.empty() ? "" : " or ") + std::to_string(s);
    constraint += (constraint.empty() ? "" : "; ") + sizes + " values";
  }
  if (!doc.choices.empty()) {
    std::string list;
    for (const auto& c : doc.choices) list += (list.empty() ? "" : ", ") + c;
    constraint += (constraint.empty() ? "" : "; ") + std::string("one of ") + list;
  }
  std::string text = doc.text;
  if (*doc.source) text += std::string(" *Source: ") + doc.source + ".*";
  rows_.push_back("| `" + prefix_ + key + "` | " + type + " | " + escape_cell(doc.unit) + " | " + escape_cell(def) +
                  " | " + escape_cell(constraint) + " | " + escape_cell(text) + " |");
}

std::string Documenter::markdown_table() const {
  std::string s = "| key | type | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& r : rows_) s += r + "\n";
  return s;
}

// 1-based line and column (in bytes) of an offset into `text`.
static Issue issue_at(const std::string& file, const std::string& text, std::size_t offset, std::string message) {
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column = line_start == std::string::npos || offset == 0 ? offset : offset - line_start - 1;
  const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  return Issue{file, static_cast<int>(line) + 1, static_cast<int>(column) + 1, "", std::move(message)};
}

// yaml-cpp reports a tab in the indentation as some other error ("illegal map value") at the
// tab's line: the reason, when that line is indented with one.
static std::string tab_hint(const std::string& content, int line) {
  std::size_t at = 0;
  for (int l = 0; l < line && at != std::string::npos; ++l) {
    at = content.find('\n', at);
    if (at != std::string::npos) ++at;
  }
  if (at == std::string::npos) return "";
  const std::size_t text = content.find_first_not_of(" \t", at);
  const std::size_t tab = content.find('\t', at);
  return tab != std::string::npos && tab < text ? " (this line is indented with a tab: YAML indents with spaces only)" : "";
}

YAML::Node load_yaml_file(const std::string& file, std::string* text) {
  // A directory opens as a stream and reads as nothing, which would be reported as empty.
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw ConfigError({Issue{file, 0, 0, "", "is a directory, not a config file"}});
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({Issue{file, 0, 0, "", std::string("cannot open the file (") + std::strerror(errno) + ")"}});
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  if (text) *text = content;
  // Text that is not UTF-8 would reach names in the result file, which readers then cannot decode.
  if (const std::size_t bad = invalid_utf8_at(content); bad != std::string::npos)
    throw ConfigError({issue_at(file, content, bad, "not UTF-8 text: save the file as UTF-8")});
  try {
    const FirstDocument document = read_first_document(content);
    if (document.root.IsNull()) throw ConfigError({Issue{file, 0, 0, "", "the file is empty"}});
    if (document.second) {
      // The second document would otherwise be ignored without a word.
      const YAML::Mark m = *document.second;
      throw ConfigError({Issue{file, m.line + 1, m.column + 1, "",
                               "a second YAML document (after '---'): a config is one document; merge it into the "
                               "first or remove it"}});
    }
    return document.root;
  } catch (const YAML::ParserException& e) {
    throw ConfigError({Issue{file, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax error: " + e.msg +
                                                                                 tab_hint(content, e.mark.line)}});
  }
}

// ---------------------------------------------------------------------------------------

bool parse_key_path(const std::string& text, KeyPath& path, std::string& error) {
  const auto fail = [&](const std::string& why) {
    error =
        "'" + text + "' is not a key path (" + why + "); write map keys separated by dots and list items as trusts[2]";
    return false;
  };
  if (text.empty()) return fail("it is empty");
  KeyPath steps;
  std::size_t i = 0;
  bool need_key = true;
  while (true) {
    if (need_key) {
      const std::size_t end = std::min(text.find_first_of(".[]", i), text.size());
      if (end == i)
        return fail(i < text.size() ? "no key before '" + std::string(1, text[i]) + "'" : "no key at its end");
      steps.push_back(PathStep{text.substr(i, end - i)});
      i = end;
      need_key = false;
    }
    if (i == text.size()) break;
    if (text[i] == '.') {
      ++i;
      need_key = true;
    } else if (text[i] == '[') {
      const std::size_t close = text.find(']', i);
      if (close == std::string::npos) return fail("'[' without ']'");
      const std::string digits = text.substr(i + 1, close - i - 1);
      std::size_t index = 0;
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size())
        return fail("'[" + digits + "]' is not a list index like [2]");
      steps.push_back(PathStep{"", index});
      i = close + 1;
    } else {
      return fail("unexpected '" + std::string(1, text[i]) + "' after '" + text.substr(0, i) + "'");
    }
  }
  path = std::move(steps);
  return true;
}

std::string to_string(const KeyPath& path) {
  std::string s;
  for (const auto& step : path) {
    if (step.is_index())
      s += "[" + std::to_string(step.index) + "]";
    else
      s += (s.empty() ? "" : ".") + step.key;
  }
  return s;
}

bool starts_with(const KeyPath& path, const KeyPath& prefix) {
  return path.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

std::string set_path(YAML::Node& root, const KeyPath& path, const YAML::Node& value) {
  // Checked in full before anything changes. Lookups go through a const node: yaml-cpp's
  // non-const operator[] inserts the key it looks for.
  YAML::Node node = root;
  std::string where;
  bool missing = false;
  for (const PathStep& step : path) {
    const std::string next = step.is_index() ? where + "[" + std::to_string(step.index) + "]"
                                             : (where.empty() ? "" : where + ".") + step.key;
    if (missing) {
      if (step.is_index()) return where + " does not exist, so it has no item " + next;
    } else if (step.is_index()) {
      if (!node.IsSequence()) return where + " is " + describe_node(node) + ", not a list";
      if (step.index >= node.size())
        return "there is no " + next + ": " + where + " has " + std::to_string(node.size()) + " item" +
               (node.size() == 1 ? "" : "s");
      node.reset(std::as_const(node)[step.index]);
    } else if (node.IsMap()) {
      const YAML::Node child = std::as_const(node)[step.key];
      if (!child.IsDefined() || child.IsNull())
        missing = true;
      else
        node.reset(child);
    } else {
      return (where.empty() ? std::string("the top level") : where) + " is " + describe_node(node) +
             ", not a map of keys";
    }
    where = next;
  }

  // Assigning to a handle obtained from operator[] rebinds that entry of its parent: the
  // tree then shares `value`, and the handle must not be assigned again.
  YAML::Node parent = root;
  for (std::size_t i = 0; i < path.size(); ++i) {
    YAML::Node slot = path[i].is_index() ? parent[path[i].index] : parent[path[i].key];
    if (i + 1 == path.size()) {
      slot = value;
    } else {
      if (!slot.IsDefined() || slot.IsNull()) slot = YAML::Node(YAML::NodeType::Map);
      parent.reset(slot);
    }
  }
  return "";
}

std::string yaml_text(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

}  // namespace breachsim::sim::config
