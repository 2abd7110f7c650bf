// libFuzzer target: arbitrary bytes as a Dockerfile. Parsing (lines, directives, heredocs,
// JSON forms, ONBUILD) and expanding every argument and flag word against a few variables must
// end in a bale::Error or success, never a crash, a hang or a sanitizer report.
#include <cstdint>
#include <map>
#include <string>

#include "base/error.h"
#include "dockerfile/expand.h"
#include "dockerfile/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, std::string> vars{{"A", "a b"}, {"EMPTY", ""}, {"P", "/x/*"}};
  try {
    auto file = bale::dockerfile::parse_dockerfile(text, "Dockerfile");
    for (const auto& in : file.instructions) {
      std::set<std::string> used;
      auto v = bale::dockerfile::map_vars(vars, &used);
      for (const auto& w : in.flags) {
        try {
          (void)bale::dockerfile::expand_word(w.text(), v, file.directives.escape);
        } catch (const bale::Error&) {
        }
      }
      for (const auto& w : in.args) {
        try {
          (void)bale::dockerfile::expand_words(w, v, file.directives.escape);
        } catch (const bale::Error&) {
        }
      }
      for (const auto& h : in.heredocs) (void)bale::dockerfile::expand_heredoc(h.content, v);
    }
  } catch (const bale::Error&) {
  }
  return 0;
}
