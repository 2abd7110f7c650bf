// Running a host program bale needs for a VM (apt-get, dpkg-deb, depmod, mkfs.erofs) with its
// output captured, so that a failure reports the program's own last lines.
#pragma once

#include <string>
#include <vector>

namespace bale::vm {

// Runs argv[0] (found with find_host_program) in `cwd` ("" for bale's own), stdin /dev/null,
// stdout and stderr captured together. Returns the output; throws naming the program, its exit
// status and its last lines when it fails. A missing program names the Debian package
// `package` that has it.
std::string run_tool(const std::vector<std::string>& argv, const std::string& package,
                     const std::string& cwd = "");

}  // namespace bale::vm
