// What an app of engine "vm" may use (see vm_app.h).
#include "apps/vm_app.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::apps {

namespace {

void refuse(const AppConfig& c, bool given, const char* option, const char* why) {
  if (given)
    throw Error(fmt::format("app '{}': {} with --vm: {} (docs/apps.md, \"In a microVM\")", c.name,
                            option, why), 0, kExitUsage);
}

}  // namespace

void check_vm_app(const AppConfig& c) {
  // The guest's root is one erofs image made from one unpacked tree; a stack would need an
  // image of every combination of trees, made and kept per app. Not done (yet).
  const char* stack = "the microVM boots one image's tree, and bale does not merge a stack into one";
  refuse(c, !c.base.empty(), "--base", stack);
  refuse(c, !c.layers.empty(), "--layer", stack);
  refuse(c, !c.include_tars.empty(), "--include-tar", stack);
  refuse(c, c.resume, "--resume",
         "an instance that calls join is a set of namespaces on this host; a VM has none to join");
  refuse(c, c.bind_cwd, "--bind-cwd",
         "a VM sees copies of host directories, so the caller's directory would be copied in and "
         "out on every call");
  for (const std::string& p : c.include_paths) {
    struct stat st;
    // A directory is copied in read-only, as `-v DIR:DIR:ro` is; a single file cannot be.
    if (stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
      throw Error(fmt::format("app '{}': --include-path {} with --vm: a directory (copied in), "
                              "not a single file", c.name, quote(p)), 0, kExitUsage);
  }
}

}  // namespace bale::apps
