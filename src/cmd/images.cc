// `bale images` and `bale rmi`: names in the local store, and tagging from pack/import.
#include <cstdio>

#include "cmd/commands.h"
#include "image/image_file.h"
#include "store/names.h"

namespace bale::cmd {

void tag_in_store(const std::string& path, const std::vector<std::string>& tags, bool quiet) {
  if (tags.empty()) return;
  for (const auto& t : tags) store::normalize_name(t);  // all valid before any is written
  store::Store st(store::Store::default_root());
  std::string digest = image::read_image_info(path).digest();
  for (const auto& t : tags) {
    store::tag_image(st, path, digest, t);
    if (!quiet) std::fprintf(stderr, "tagged %s\n", store::normalize_name(t).c_str());
  }
}

int images(const ImagesOptions& o) {
  store::Store st(store::Store::default_root());
  if (o.action == "tag") {
    tag_in_store(store::resolve_image_ref(o.source), o.names);
    return 0;
  }
  if (o.action == "rm") {
    for (const auto& n : o.names) {
      store::remove_name(st, n);
      std::printf("untagged %s\n", store::normalize_name(n).c_str());
    }
    return 0;
  }
  std::printf("%-40s %s\n", "NAME", "DIGEST");
  for (const auto& [name, digest] : store::list_names(st))
    std::printf("%-40s %s\n", name.c_str(), digest.c_str());
  return 0;
}

}  // namespace bale::cmd
