// SPDX-License-Identifier: MIT
#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace breachsim::sim::config {

// The first YAML document of a text, and where a second one starts if there is one.
struct FirstDocument {
  YAML::Node root;                  // null for an empty text
  std::optional<YAML::Mark> second;  // the start of a second document, if any
};

// Parses `text` with yaml-cpp, throwing YAML::ParserException (with its mark) on a syntax
// error. Unlike YAML::LoadAll it always ends: yaml-cpp 0.7 (Debian 12's) reports a token that
// cannot start a node outside any flow collection, such as a stray ',' after a block list, as
// an empty document without consuming it, so LoadAll adds empty documents until memory runs
// out (yaml-cpp issue #1040, fixed upstream in 2024 by pull requests #1318 and #1319). Here
// that is a syntax error at the token.
FirstDocument read_first_document(const std::string& text);

}  // namespace breachsim::sim::config
