// Command-line parsing: the only place that knows CLI11. Returns the command's exit code;
// usage errors print one line and return 2.
#pragma once

namespace bale::cli {

int run(int argc, char** argv);

}  // namespace bale::cli
