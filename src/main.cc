// bale: argv -> parse -> dispatch. The one place that turns an Error into an exit code.
#include <cstdio>

#include "base/error.h"
#include "base/identity.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  bale::invoked_as_root();  // before any user namespace of bale's own
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
