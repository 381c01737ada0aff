// SPDX-License-Identifier: MIT
#include "cli/live_page.hpp"

#include <cstdio>
#include <map>

#include "breachsim/version.hpp"

namespace breachsim::cli::live {

namespace {

const char* const style = R"(
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.4em;margin-bottom:.2em} h2{font-size:1.15em;border-bottom:1px solid #ccc}
form{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:.4em 1.5em;
 background:#f5f5f7;padding:1em;border-radius:6px}
fieldset{border:0;margin:0;padding:0} legend{font-weight:600;padding:0 0 .3em}
label{display:block;margin:.35em 0 .1em;font-size:.92em} small{display:block;color:#555;font-size:.8em}
input,select{font-size:.95em;padding:.15em;max-width:14em} input[type=number]{width:7em}
button{font-size:1.05em;padding:.35em 1.6em;margin-top:.8em;align-self:end;justify-self:start}
.error{background:#fdecea;border:1px solid #c0392b;color:#7b1d12;padding:.6em 1em;border-radius:6px;margin:1em 0}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em} th,td{padding:.25em .7em;border-bottom:1px solid #ddd}
td{text-align:right} td:first-child,th:first-child{text-align:left}
tr.up td:last-child{color:#c0392b;font-weight:600} tr.down td:last-child{color:#1e8449;font-weight:600}
img{max-width:100%;height:auto} .note{color:#555;font-size:.88em} footer{margin-top:2em;color:#777;font-size:.8em}
)";

std::string format_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

std::string option(const std::string& value, const std::string& text, bool selected) {
  return "<option value=\"" + html_escape(value) + "\"" + (selected ? " selected" : "") + ">" + html_escape(text) +
         "</option>";
}

const LiveScenario* chosen_scenario(const PageView& view, const std::map<std::string, std::string>& given) {
  const auto it = given.find("scenario");
  const std::string name = it == given.end() ? "one_trust" : it->second;
  for (const LiveScenario& s : *view.scenarios)
    if (s.name == name) return &s;
  return &view.scenarios->front();
}

std::string scenario_fields(const PageView& view, const std::map<std::string, std::string>& given) {
  const LiveScenario& chosen = *chosen_scenario(view, given);
  std::string html = "<fieldset><legend>Scenario</legend>\n<label for=\"scenario\">Scenario</label>";
  // A point belongs to one scenario: choosing another scenario starts from its baseline point.
  html += "<select id=\"scenario\" name=\"scenario\" onchange=\"this.form.point.value=''\">";
  for (const LiveScenario& s : *view.scenarios) html += option(s.name, s.name, &s == &chosen);
  html += "</select><small>configs/teaching/one_trust.yaml, or a story of configs/stories/ "
          "(docs/stories/)</small>\n<label for=\"point\">Point of its sweep</label><select id=\"point\" name=\"point\">";
  const auto point = given.find("point");
  const std::string wanted = point == given.end() ? "" : point->second;
  html += option("", "its baseline: " + chosen.points[chosen.baseline], wanted.empty());
  for (const std::string& p : chosen.points) html += option(p, p, p == wanted);
  html += "</select><small>The story's variant the levers change (one_trust has one)</small>\n";
  const auto reps = given.find("replications");
  html += "<label for=\"replications\">Replications</label><input type=\"number\" id=\"replications\" "
          "name=\"replications\" min=\"2\" max=\"" + std::to_string(chosen.replication_cap) + "\" step=\"1\" value=\"" +
          (reps == given.end() ? "" : html_escape(reps->second)) + "\" placeholder=\"" +
          std::to_string(chosen.replications) + "\"><small>Blank: " + std::to_string(chosen.replications) +
          "; at most " + std::to_string(chosen.replication_cap) + " for this scenario, so a run takes seconds</small>";
  return html + "</fieldset>\n";
}

std::string lever_fields(const std::map<std::string, std::string>& given) {
  std::string html = "<fieldset><legend>Levers (blank: as the scenario has it)</legend>\n";
  for (const NumberLever& l : number_levers()) {
    const auto it = given.find(l.key);
    const std::string value = it != given.end() ? it->second : l.neutral ? format_number(*l.neutral) : "";
    html += "<label for=\"" + std::string(l.key) + "\">" + html_escape(l.label) + " (" + html_escape(l.unit) +
            ")</label><input type=\"number\" id=\"" + l.key + "\" name=\"" + l.key + "\" min=\"" +
            format_number(l.min) + "\" max=\"" + format_number(l.max) + "\" step=\"" + format_number(l.step) +
            "\" value=\"" + html_escape(value) + "\"><small>" + html_escape(l.help) + "</small>\n";
  }
  for (const ChoiceLever& l : choice_levers()) {
    const auto it = given.find(l.key);
    const std::string value = it == given.end() ? "" : it->second;
    html += "<label for=\"" + std::string(l.key) + "\">" + html_escape(l.label) + "</label><select id=\"" + l.key +
            "\" name=\"" + l.key + "\">" + option("", "as configured", value.empty());
    for (const std::string& c : l.choices) html += option(c, c, c == value);
    html += "</select><small>" + html_escape(l.help) + "</small>\n";
  }
  return html + "</fieldset>\n";
}

std::string page_head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
         html_escape(title) + "</title><style>" + style + "</style></head>\n<body>\n";
}

std::string page_foot() {
  return std::string("<footer>breachsim ") + build_info::version +
         " &middot; breachsim serve: README.md, &ldquo;A live page for seminars&rdquo;</footer>\n</body></html>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_page(const PageView& view) {
  std::map<std::string, std::string> given;
  for (const auto& [name, value] : view.query) given.emplace(name, value);
  std::string html = page_head("breachsim live");
  html += "<h1>breachsim live: change a lever, see the year</h1>\n<p>Each run compares the scenario with your "
          "levers against the same scenario unchanged, on the same simulated patients: replication <i>r</i> of both "
          "has the same arrivals and the same chance events, so the difference is the levers'. A run takes a few "
          "seconds (the first of a scenario longer: its baseline runs too); requests wait their turn.</p>\n";
  if (!view.error.empty()) html += "<div id=\"error\" class=\"error\" role=\"alert\">" + html_escape(view.error) + "</div>\n";
  html += "<form id=\"levers\" method=\"get\" action=\"/\">\n" + scenario_fields(view, given) + lever_fields(given) +
          "<button id=\"run\" type=\"submit\">Run</button>\n</form>\n";
  html += view.results;
  return html + page_foot();
}

std::string render_message(const std::string& title, const std::string& sentence) {
  return page_head("breachsim live: " + title) + "<h1>" + html_escape(title) + "</h1>\n<p id=\"error\" role=\"alert\">" +
         html_escape(sentence) + "</p>\n<p><a href=\"/\">The page</a></p>\n" + page_foot();
}

}  // namespace breachsim::cli::live
