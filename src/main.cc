// bale: argv -> parse -> dispatch. The one place that turns an Error into an exit code.
#include <clocale>
#include <cstdio>

#include "base/error.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  // File names are bytes, and UTF-8 by convention: libarchive then writes them to pax headers
  // as UTF-8 (what GNU tar expects) instead of marking them hdrcharset=BINARY.
  std::setlocale(LC_CTYPE, "C.UTF-8");
  try {
    return bale::cli::run(argc, argv);
  } catch (const bale::Error& e) {
    std::fprintf(stderr, "bale: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bale: internal error: %s\n", e.what());
    return bale::kExitFailed;
  }
}
