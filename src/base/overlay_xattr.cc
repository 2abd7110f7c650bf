// overlayfs's own extended attributes (see overlay_xattr.h).
#include "base/overlay_xattr.h"

#include <sys/xattr.h>

namespace bale {

namespace {

constexpr const char* kOpaque[] = {"trusted.overlay.opaque", "user.overlay.opaque"};

}  // namespace

bool is_overlay_xattr(std::string_view name) {
  return name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.");
}

bool is_opaque_dir(int fd) {
  for (const char* name : kOpaque) {
    char v[2];
    if (fgetxattr(fd, name, v, sizeof v) == 1 && v[0] == 'y') return true;
  }
  return false;
}

bool is_opaque_dir(const std::string& path) {
  for (const char* name : kOpaque) {
    char v[2];
    if (lgetxattr(path.c_str(), name, v, sizeof v) == 1 && v[0] == 'y') return true;
  }
  return false;
}

}  // namespace bale
