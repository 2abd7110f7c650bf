// `bale images` and `bale rmi`: names in the local store, and tagging from pack/import.
#include <cstdio>

#include "cmd/commands.h"
#include <set>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "image/config.h"
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
  // The columns docker users read: the name split at its tag, the image id, when it was made
  // (the config's "created") and the file's size.
  nlohmann::json rows = nlohmann::json::array();
  std::set<std::string> ids;
  for (const auto& [name, digest] : store::list_names(st)) {
    std::string path = st.blob_path(digest), created;
    uint64_t size = 0;
    try {
      auto info = image::read_image_info(path);
      size = info.file_size;
      if (info.trailer) {
        auto c = image::parse_config(info.trailer->config, quote(path));
        if (c.contains("created") && c["created"].is_string()) created = c["created"];
      }
    } catch (const Error& e) {
      created = "(unreadable)";
    }
    size_t colon = name.rfind(':');
    rows.push_back({{"name", name.substr(0, colon)}, {"tag", name.substr(colon + 1)},
                    {"id", digest}, {"created", created}, {"size", size}});
  }
  if (o.quiet) {
    for (const auto& r : rows)
      if (ids.insert(r["id"]).second) std::printf("%s\n", r["id"].get<std::string>().substr(7, 12).c_str());
    return 0;
  }
  if (o.format == "json") {
    std::printf("%s\n", rows.dump(2).c_str());
    return 0;
  }
  std::printf("%-32s %-16s %-12s %-20s %s\n", "NAME", "TAG", "IMAGE ID", "CREATED", "SIZE");
  for (const auto& r : rows) {
    double mb = r["size"].get<uint64_t>() / 1e6;
    std::printf("%-32s %-16s %-12s %-20s %.1fMB\n", r["name"].get<std::string>().c_str(),
                r["tag"].get<std::string>().c_str(), r["id"].get<std::string>().substr(7, 12).c_str(),
                r["created"].get<std::string>().substr(0, 19).c_str(), mb);
  }
  return 0;
}

}  // namespace bale::cmd
