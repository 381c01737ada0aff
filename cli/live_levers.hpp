// SPDX-License-Identifier: MIT
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/run/scenario.hpp"

// The levers of `breachsim serve`'s page: what a teacher may change in a scenario, each with
// its range, read from the page's query string and applied to every trust and fine scheme of
// one point of the scenario. One table (lever_table) makes the form, checks the values and
// documents them, so the three cannot disagree.
namespace breachsim::cli::live {

// A parameter the page cannot use: HTTP 400, with this sentence shown above the form.
class LeverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A number field of the form; blank means "as the scenario has it".
struct NumberLever {
  const char* key;
  const char* label;
  const char* unit;  // shown after the field
  double min, max, step;
  std::optional<double> neutral;  // the value that changes nothing, if any, shown in the field
  const char* help;
};

// A choice field: the first choice ("") means "as the scenario has it".
struct ChoiceLever {
  const char* key;
  const char* label;
  std::vector<std::string> choices;  // after ""
  const char* help;
};

const std::vector<NumberLever>& number_levers();
const std::vector<ChoiceLever>& choice_levers();

// The scenarios the page offers: the one-trust teaching scenario and every story, by name.
struct LiveScenario {
  std::string name;  // one_trust, or a story's file stem
  std::filesystem::path file;
  std::vector<std::string> points;  // its sweep points' names, in the file's order
  std::size_t baseline = 0;         // the point paired comparisons are made against
  std::size_t trusts = 0;
  int months = 0;                   // with the warm-up
  int replication_cap = 2;          // see replication_cap()
  int replications = 2;             // when not asked for: the file's, at most the cap
};

// Reads the shipped scenarios (configs/teaching/one_trust.yaml and configs/stories/*.yaml).
std::vector<LiveScenario> live_scenarios(const std::filesystem::path& configs, int max_replications);

// What a request asks for, checked.
struct Levers {
  std::string scenario = "one_trust";
  std::string point;  // empty: the scenario's baseline point
  std::map<std::string, std::optional<double>> numbers;  // by key; nullopt: blank
  std::map<std::string, std::string> choices;            // by key; "": as configured
  std::optional<int> replications;                       // nullopt: the scenario's, capped
  std::string replications_text;                         // as given, read once the scenario is known

  // Whether anything changes the scenario (the baseline is then the changed run too).
  bool changes_anything() const;
  // "beds -10%, fines x3": what changes, for headings; "nothing" when nothing does.
  std::string describe() const;
  // The same text for the same request, whatever the order of its parameters: a cache key.
  std::string key() const;
};

// Reads a decoded query (name, value pairs in order). Throws LeverError naming the parameter.
Levers read_levers(const std::vector<std::pair<std::string, std::string>>& query,
                   const std::vector<LiveScenario>& scenarios);

// The most replications a run of `s` may have: `max_replications`, fewer for scenarios with
// many trusts or months, so that a run stays within seconds (at least 2).
int replication_cap(const models::Scenario& s, int max_replications);

// The scenario point with the levers applied to every trust and scheme (beds, demand and
// staffing per trust; rates and destinations per scheme, regimes' included) and the
// replications set. Throws LeverError if the replications asked for exceed the cap.
models::Scenario apply_levers(const Levers& levers, models::Scenario s, int max_replications);

// Splits and percent-decodes a URL's query ("a=1&b=%2D2" -> {a,1},{b,-2}); '+' is a space.
// Throws LeverError on a malformed escape.
std::vector<std::pair<std::string, std::string>> decode_query(const std::string& query);

}  // namespace breachsim::cli::live
