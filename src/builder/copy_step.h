// One COPY or ADD step between its instruction and copy_into: its flags, destination and sources
// as read before the cache key is made, and the sources placed where copy_into reads them once
// the step runs (heredocs written, URLs downloaded and checked).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "builder/copy.h"
#include "dockerfile/ast.h"
#include "dockerfile/expand.h"

namespace bale::builder {

class BuildContext;

// A source as the key saw it, kept for the copy.
struct PendingSource {
  enum class Kind { kContext, kTree, kHeredoc, kUrl } kind;
  std::string path;     // context/tree path, heredoc file name, or URL
  std::string content;  // heredoc body; for a URL, a file downloaded already ("" when none)
};

struct CopyStep {
  bool add = false;
  std::string what;  // "COPY" or "ADD", for messages
  std::optional<std::string> from, chown, chmod, checksum;  // the flags, expanded
  std::string dest;  // absolute and clean; ends in '/' when it must be a directory
  bool dir_dest = false;
  CopyOptions opts;  // without the owner, which is resolved in the stage's own root
  std::vector<PendingSource> pending;
};

bool is_http_url(const std::string& s);

// A heredoc source; returns its part of the cache key.
nlohmann::json add_heredoc_source(CopyStep& c, const Heredoc& doc, const Vars& vars);
// An ADD of `url`; without --checksum it is downloaded into `download_dir` now, since its
// digest keys the step. Returns its part of the cache key.
nlohmann::json add_url_source(CopyStep& c, const std::string& url, const std::string& download_dir);

struct PlacedSources {
  std::vector<CopySource> sources;
  std::vector<CopySource> downloads;  // copied without archive extraction, as Docker does
};

// Each pending source where copy_into can read it: context paths as they are, paths in `tree`
// (the --from stage or image) with their globs expanded, heredocs and downloads as files in
// `scratch`.
PlacedSources place_sources(const CopyStep& c, BuildContext& context, const CopySource& tree,
                            ScratchDir& scratch);

}  // namespace bale::builder
