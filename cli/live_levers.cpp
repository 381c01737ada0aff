// SPDX-License-Identifier: MIT
#include "cli/live_levers.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace breachsim::cli::live {

namespace fs = std::filesystem;

namespace {

// A run of the page may simulate at most this many trust-months (the scenario's months with
// its warm-up, times its trusts) per replication summed over replications: about 11 ms of one
// core per trust-month on the 2-core CI machine under load, so a run of the cap takes about
// 5 s there, and the first request of a scenario (baseline and changed) about 10 s.
constexpr double trust_month_budget = 800;

std::string format_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

std::string signed_percent(double v) { return (v > 0 ? "+" : "") + format_number(v) + "%"; }

// A whole, finite number in the field's range; blank is "as configured".
std::optional<double> read_number(const NumberLever& lever, const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  const std::string range = format_number(lever.min) + " to " + format_number(lever.max) + " (" + lever.unit + ")";
  if (end != text.c_str() + text.size() || !std::isfinite(v) || text.find_first_of(" \t") != std::string::npos)
    throw LeverError(std::string(lever.key) + " (" + lever.label + "): '" + text + "' is not a number; give one from " +
                     range + ", or leave it blank");
  if (v < lever.min || v > lever.max)
    throw LeverError(std::string(lever.key) + " (" + lever.label + "): " + text + " is outside " + range);
  return v;
}

const NumberLever* find_number(const std::string& key) {
  for (const NumberLever& l : number_levers())
    if (key == l.key) return &l;
  return nullptr;
}

const ChoiceLever* find_choice(const std::string& key) {
  for (const ChoiceLever& l : choice_levers())
    if (key == l.key) return &l;
  return nullptr;
}

std::string known_parameters() {
  std::string names = "scenario, point, replications";
  for (const NumberLever& l : number_levers()) names += std::string(", ") + l.key;
  for (const ChoiceLever& l : choice_levers()) names += std::string(", ") + l.key;
  return names;
}

const LiveScenario& find_scenario(const std::vector<LiveScenario>& scenarios, const std::string& name) {
  for (const LiveScenario& s : scenarios)
    if (s.name == name) return s;
  std::string names;
  for (const LiveScenario& s : scenarios) names += (names.empty() ? "" : ", ") + s.name;
  throw LeverError("scenario: there is no scenario '" + name + "'; the page offers " + names);
}

std::string replications_range(int cap, std::size_t trusts, int months) {
  return "give a whole number from 2 (an interval needs two) to " + std::to_string(cap) + " for this scenario (" +
         std::to_string(trusts) + (trusts == 1 ? " trust, " : " trusts, ") + std::to_string(months) +
         " months with the warm-up: runs must take seconds), or leave it blank";
}

// Replications the scenario allows (2 to its cap), read once the scenario is known.
void read_replications(const std::string& text, const LiveScenario& s, Levers& levers) {
  if (text.empty()) return;
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || errno != 0 || n < 2 || n > s.replication_cap)
    throw LeverError("replications: " + replications_range(s.replication_cap, s.trusts, s.months) + " (got '" + text +
                     "')");
  levers.replications = static_cast<int>(n);
}

// One name=value pair of the query into `levers`.
void read_parameter(const std::string& name, const std::string& value, Levers& levers) {
  if (name == "scenario") {
    levers.scenario = value;
  } else if (name == "point") {
    levers.point = value;
  } else if (name == "replications") {
    levers.replications_text = value;
  } else if (const NumberLever* number = find_number(name)) {
    levers.numbers[name] = read_number(*number, value);
  } else if (const ChoiceLever* choice = find_choice(name)) {
    if (!value.empty() && std::find(choice->choices.begin(), choice->choices.end(), value) == choice->choices.end()) {
      std::string allowed;
      for (const std::string& c : choice->choices) allowed += ", " + c;
      throw LeverError(name + " (" + choice->label + "): '" + value + "' is not one of: (blank: as configured)" +
                       allowed);
    }
    levers.choices[name] = value;
  } else {
    throw LeverError("unknown parameter '" + name + "'; the page's parameters are " + known_parameters());
  }
}

std::optional<double> number(const Levers& l, const char* key) {
  const auto it = l.numbers.find(key);
  if (it == l.numbers.end() || !it->second) return std::nullopt;
  const NumberLever* lever = find_number(key);
  if (lever->neutral && *it->second == *lever->neutral) return std::nullopt;  // changes nothing
  return it->second;
}

std::string choice(const Levers& l, const char* key) {
  const auto it = l.choices.find(key);
  return it == l.choices.end() ? std::string() : it->second;
}

// Beds, demand, staffing and management of one trust (or of `defaults`).
void apply_to_trust(const Levers& l, models::Defaults& t) {
  // Beds and staff are separate levers because beds open only with ward nurses at work to
  // staff them (staffing.beds_per_nurse_wte): the default establishment is sized to open the
  // configured beds, so fewer beds alone leave the rest better staffed (beds open in the
  // teaching trust at 659 beds: 657 with its nurses, 634 with 11% fewer), and more beds alone
  // stay closed.
  if (const auto pct = number(l, "beds_pct"))
    t.beds.general_acute_beds = std::max(1.0, std::round(t.beds.general_acute_beds * (1 + *pct / 100)));
  if (const auto pct = number(l, "staff_pct"))
    for (models::StaffGroupParams* g : {&t.staffing.ed_clinicians, &t.staffing.ward_nurses, &t.staffing.theatre_teams})
      g->establishment_wte *= 1 + *pct / 100;
  if (const auto pct = number(l, "demand_pct")) {
    const double f = 1 + *pct / 100;
    t.ed.arrivals_per_year *= f;
    t.elective.referrals_per_week *= f;
    t.cancer.urgent_referrals_per_week *= f;
  }
  for (models::StaffGroupParams* g : {&t.staffing.ed_clinicians, &t.staffing.ward_nurses, &t.staffing.theatre_teams}) {
    if (const auto pct = number(l, "vacancies_pct")) g->vacancy_rate = *pct / 100;
    if (const auto pct = number(l, "agency_pct")) g->agency_share_of_gap = *pct / 100;
  }
  if (const std::string on = choice(l, "cost_control"); !on.empty()) t.management.cost_control.enabled = on == "on";
  if (const std::string on = choice(l, "protect_performance"); !on.empty())
    t.management.protect_performance.enabled = on == "on";
}

void apply_to_scheme(const Levers& l, models::SchemeParams& p) {
  if (const auto k = number(l, "fines_scale")) {
    p.rate_gbp *= *k;
    p.admitted_rate_gbp *= *k;
    p.non_admitted_rate_gbp *= *k;
    p.incomplete_rate_gbp *= *k;
  }
  if (const std::string to = choice(l, "fines_to"); !to.empty()) p.destination = to;
}

}  // namespace

const std::vector<NumberLever>& number_levers() {
  static const std::vector<NumberLever> levers = {
      {"fines_scale", "Fine rates", "times the scenario's", 0, 10, 0.1, 1.0,
       "Every fine scheme's rate per breach or incident times this: 0 fines nobody, 3 is the heavy regime's "
       "order of magnitude."},
      {"beds_pct", "General and acute beds", "% change", -30, 30, 1, 0.0,
       "Beds in every trust. A bed opens only with ward nurses at work to staff it: fewer beds leave the rest "
       "better staffed, and more beds need more staff too."},
      {"staff_pct", "Staff establishment", "% change", -30, 30, 1, 0.0,
       "Funded posts of every staff group in every trust: A&E clinicians (the A&E roster), ward nurses (the beds "
       "that open) and theatre teams (elective sessions)."},
      {"demand_pct", "Demand", "% change", -30, 30, 1, 0.0,
       "A&E attendances, elective referrals and urgent cancer referrals in every trust."},
      {"vacancies_pct", "Staff vacancies at the start", "% of establishment", 0, 40, 1, std::nullopt,
       "Vacant posts in every staff group when the run starts (blank: as configured, 9% by default)."},
      {"agency_pct", "Agency cover of staff gaps", "% of the gap", 0, 100, 5, std::nullopt,
       "Share of vacancies and sickness covered by agency staff (blank: as configured, 30% by default); a cut "
       "closes beds and sessions."},
  };
  return levers;
}

const std::vector<ChoiceLever>& choice_levers() {
  static const std::vector<ChoiceLever> levers = {
      {"fines_to", "Where fines go", {"withheld", "reinvested", "pooled"},
       "Kept by the commissioner, returned to the trust three months later, or paid into the national pool that "
       "bails out trusts in deficit."},
      {"cost_control", "Management cuts costs when behind plan", {"on", "off"},
       "Agency cuts and a recruitment freeze when the trust runs behind its financial plan."},
      {"protect_performance", "Management spends to meet the standards", {"on", "off"},
       "Extra agency staff and theatre sessions when A&E or RTT performance falls below the standard."},
  };
  return levers;
}

std::vector<LiveScenario> live_scenarios(const fs::path& configs, int max_replications) {
  std::vector<fs::path> files = {configs / "teaching" / "one_trust.yaml"};
  std::vector<fs::path> stories;
  for (const fs::directory_entry& e : fs::directory_iterator(configs / "stories"))
    if (e.path().extension() == ".yaml") stories.push_back(e.path());
  std::sort(stories.begin(), stories.end());
  files.insert(files.end(), stories.begin(), stories.end());
  std::vector<LiveScenario> out;
  for (const fs::path& file : files) {
    const models::Sweep sweep = models::load_sweep(file.string());
    LiveScenario s{file.stem().string(), file, {}, sweep.baseline};
    for (const models::SweepPoint& p : sweep.points) s.points.push_back(p.name);
    const models::Scenario& first = sweep.points.front().scenario;
    s.replication_cap = replication_cap(first, max_replications);
    s.trusts = first.trusts.size();
    s.months = first.scenario.months + first.scenario.warmup_months;
    s.replications = std::min(first.monte_carlo.replications, s.replication_cap);
    out.push_back(std::move(s));
  }
  return out;
}

bool Levers::changes_anything() const {
  for (const NumberLever& l : number_levers())
    if (number(*this, l.key)) return true;
  for (const ChoiceLever& l : choice_levers())
    if (!choice(*this, l.key).empty()) return true;
  return false;
}

std::string Levers::describe() const {
  std::vector<std::string> parts;
  if (const auto k = number(*this, "fines_scale")) parts.push_back("fines x" + format_number(*k));
  if (const auto v = number(*this, "beds_pct")) parts.push_back("beds " + signed_percent(*v));
  if (const auto v = number(*this, "staff_pct")) parts.push_back("staff " + signed_percent(*v));
  if (const auto v = number(*this, "demand_pct")) parts.push_back("demand " + signed_percent(*v));
  if (const auto v = number(*this, "vacancies_pct")) parts.push_back("vacancies " + format_number(*v) + "%");
  if (const auto v = number(*this, "agency_pct")) parts.push_back("agency cover " + format_number(*v) + "%");
  if (const std::string to = choice(*this, "fines_to"); !to.empty()) parts.push_back("fines " + to);
  if (const std::string on = choice(*this, "cost_control"); !on.empty()) parts.push_back("cost control " + on);
  if (const std::string on = choice(*this, "protect_performance"); !on.empty())
    parts.push_back("performance spending " + on);
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : ", ") + p;
  return text.empty() ? "nothing" : text;
}

std::string Levers::key() const {
  std::string k = scenario + "\n" + point + "\n" + (replications ? std::to_string(*replications) : "") + "\n";
  for (const NumberLever& l : number_levers())
    if (const auto v = number(*this, l.key)) {
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", *v);
      k += std::string(l.key) + "=" + text + "\n";
    }
  for (const ChoiceLever& l : choice_levers())
    if (const std::string c = choice(*this, l.key); !c.empty()) k += std::string(l.key) + "=" + c + "\n";
  return k;
}

Levers read_levers(const std::vector<std::pair<std::string, std::string>>& query,
                   const std::vector<LiveScenario>& scenarios) {
  Levers levers;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (!seen.insert(name).second) throw LeverError(name + ": given twice; give each parameter once");
    read_parameter(name, value, levers);
  }
  const LiveScenario& s = find_scenario(scenarios, levers.scenario);
  if (!levers.point.empty() && std::find(s.points.begin(), s.points.end(), levers.point) == s.points.end()) {
    std::string names;
    for (const std::string& p : s.points) names += (names.empty() ? "'" : ", '") + p + "'";
    throw LeverError("point: scenario " + s.name + " has no point '" + levers.point + "'; its points are " + names +
                     ", or blank for its baseline point ('" + s.points[s.baseline] + "')");
  }
  if (levers.point == s.points[s.baseline]) levers.point.clear();  // one name for one run
  read_replications(levers.replications_text, s, levers);
  return levers;
}

int replication_cap(const models::Scenario& s, int max_replications) {
  const double trust_months =
      static_cast<double>(s.trusts.size()) * (s.scenario.months + s.scenario.warmup_months);
  return std::max(2, std::min(max_replications, static_cast<int>(trust_month_budget / trust_months)));
}

models::Scenario apply_levers(const Levers& levers, models::Scenario s, int max_replications) {
  apply_to_trust(levers, s.defaults);
  for (models::TrustParams& t : s.trusts) apply_to_trust(levers, t);
  for (auto& [name, p] : s.schemes) apply_to_scheme(levers, p);
  for (models::Regime& r : s.regimes)
    for (auto& [name, p] : r.schemes) apply_to_scheme(levers, p);
  const int cap = replication_cap(s, max_replications);
  if (levers.replications && *levers.replications > cap)
    throw LeverError("replications: " +
                     replications_range(cap, s.trusts.size(), s.scenario.months + s.scenario.warmup_months) +
                     " (got '" + std::to_string(*levers.replications) + "')");
  s.monte_carlo.replications = levers.replications ? *levers.replications : std::min(s.monte_carlo.replications, cap);
  s.monte_carlo.target_half_width = 0;  // exactly that many: baseline and changed pair up
  return s;
}

std::vector<std::pair<std::string, std::string>> decode_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto decode = [](const std::string& text) {
    std::string plain;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        plain += ' ';
      } else if (text[i] != '%') {
        plain += text[i];
      } else if (i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        plain += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        throw LeverError("the address has a malformed %-escape near '" + text.substr(i, 3) + "'");
      }
    }
    return plain;
  };
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      out.emplace_back(decode(pair.substr(0, eq)), eq == std::string::npos ? "" : decode(pair.substr(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace breachsim::cli::live
