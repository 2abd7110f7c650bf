// Walking up from the working directory to bale.yaml (see discover.h).
#include "project/discover.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "base/error.h"

namespace bale::project {

std::optional<std::string> find_project_root(const std::string& cwd) {
  std::string dir = cwd;
  for (;;) {
    struct stat st;
    std::string file = (dir == "/" ? "" : dir) + "/bale.yaml";
    if (stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return dir;
    if (dir == "/" || dir.empty()) return std::nullopt;
    auto slash = dir.rfind('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
}

std::string current_dir() {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) throw sys_error("getcwd", ".", errno);
  return buf;
}

}  // namespace bale::project
