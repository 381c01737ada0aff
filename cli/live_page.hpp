// SPDX-License-Identifier: MIT
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "cli/live_levers.hpp"

// The HTML of `breachsim serve`: one page, the levers' form above the last comparison. Self-
// contained (style and the one line of script inline, plots as data: URIs), so the server's
// Content-Security-Policy can forbid every fetch.
namespace breachsim::cli::live {

struct PageView {
  const std::vector<LiveScenario>* scenarios = nullptr;
  std::vector<std::pair<std::string, std::string>> query;  // the request's fields, shown as given
  std::string error;    // a sentence above the form (HTTP 400, 500 or 503)
  std::string results;  // the comparison's fragment (scripts/breachsim_live.py)
};

std::string render_page(const PageView& view);

// A short page for what is not the page (404, 405, 503 when the queue is full).
std::string render_message(const std::string& title, const std::string& sentence);

std::string html_escape(const std::string& text);

}  // namespace breachsim::cli::live
