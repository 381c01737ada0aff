// SPDX-License-Identifier: MIT
#include "sim/yaml_document.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace breachsim::sim::config {
namespace {

struct EnoughDocuments {};  // thrown to stop the parser once the third document starts

// Records where documents start, from the parser's events alone (no nodes are built), and
// stops the parser when one starts where the one before it did: the parser is stuck there.
class DocumentStarts final : public YAML::EventHandler {
 public:
  explicit DocumentStarts(const std::string& text) : text_(text) {}

  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (!starts.empty() && mark.pos == starts.back().pos) throw YAML::ParserException(mark, stuck_message(mark));
    starts.push_back(mark);
    if (starts.size() > 2) throw EnoughDocuments{};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::string stuck_message(const YAML::Mark& mark) const {
    const auto at = static_cast<std::size_t>(mark.pos);
    if (at >= text_.size()) return "unexpected end of the file";
    const char c = text_[at];
    // The flow collections' own tokens are what gets here; each belongs inside [ ] or { }.
    if (c == ',' || c == ']' || c == '}') return std::string("unexpected '") + c + "' outside any [ ] list or { } map";
    return c > ' ' && c < 127 ? std::string("unexpected '") + c + "'" : "unexpected text";
  }

  const std::string& text_;
};

}  // namespace

FirstDocument read_first_document(const std::string& text) {
  DocumentStarts documents(text);
  {
    std::istringstream in(text);
    YAML::Parser parser(in);
    try {
      while (parser.HandleNextDocument(documents)) {
      }
    } catch (const EnoughDocuments&) {
    }
  }
  // YAML::Load reads one document, so it cannot loop; the pass above has shown the text parses.
  FirstDocument first;
  if (!documents.starts.empty()) first.root = YAML::Load(text);
  if (documents.starts.size() > 1) {
    const YAML::Mark& second = documents.starts[1];
    // yaml-cpp also starts a new document, without a '---', at text after a block collection
    // that ended at a lower indentation: a mistake, not a second document.
    if (text.compare(static_cast<std::size_t>(second.pos), 3, "---") != 0)
      throw YAML::ParserException(second, "the document ended on a line above; this text is outside it (check its "
                                          "indentation against the lines above)");
    first.second = second;
  }
  return first;
}

}  // namespace breachsim::sim::config
