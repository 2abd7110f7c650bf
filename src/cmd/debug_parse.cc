// `bale debug-parse DOCKERFILE` (hidden): the parse in BuildKit's test format on stdout, so the
// parser can be compared with the reference's conformance data. Warnings go to stderr.
#include <cstdio>

#include "dockerfile/dump.h"
#include "dockerfile/parser.h"
#include "cmd/commands.h"

namespace bale::cmd {

int debug_parse(const DebugParseOptions& o) {
  dockerfile::Dockerfile df = dockerfile::parse_dockerfile_file(o.file);
  for (const auto& w : df.warnings)
    std::fprintf(stderr, "bale: %s:%d: warning: %s\n", o.file.c_str(), w.line, w.message.c_str());
  std::fputs(dockerfile::dump(df).c_str(), stdout);
  return 0;
}

}  // namespace bale::cmd
