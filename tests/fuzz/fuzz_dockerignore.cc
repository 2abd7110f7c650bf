// libFuzzer target: the first line of the input is a path, the rest a .dockerignore. Parsing the
// rules, matching the path and its parents, and expanding the path as a COPY source glob over a
// small fixed context must end in a bale::Error or an answer, never a crash or a hang.
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "dockerfile/dockerignore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view path = in.substr(0, nl);
  std::string_view rules_text = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  using bale::dockerfile::EntryType;
  static const std::vector<bale::dockerfile::ContextEntry> context{
      {"a", EntryType::kDir}, {"a/b", EntryType::kFile}, {"a/c", EntryType::kSymlink},
      {"d", EntryType::kFile}, {"e f", EntryType::kDir}, {"e f/[x]", EntryType::kFile}};
  try {
    auto rules = bale::dockerfile::IgnoreRules::parse(rules_text, ".dockerignore");
    (void)rules.excluded(path);
    (void)rules.can_skip_dir(path);
    bale::dockerfile::IgnoreRules::Hits hits;
    std::string clean = bale::clean_path(path);
    hits = rules.hits(clean, hits);
    (void)rules.excluded_by(hits);
  } catch (const bale::Error&) {
  }
  try {
    (void)bale::dockerfile::path_match(rules_text.substr(0, rules_text.find('\n')), path);
  } catch (const bale::Error&) {
  }
  try {
    (void)bale::dockerfile::expand_copy_source(path, context);
  } catch (const bale::Error&) {
  }
  return 0;
}
