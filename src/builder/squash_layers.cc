// The layers' listing and the keys of a squash's parts (see squash_layers.h).
#include "builder/squash_layers.h"

#include <sys/xattr.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/overlay_xattr.h"
#include "image/digest.h"
#include "image/tree_tar.h"

namespace bale::builder {

namespace {

// What a path is in a layer, as far as hiding lower layers goes.
enum Kind : char { kDir = 'd', kOpaqueDir = 'o', kWhiteout = 'w', kOther = 'f' };

// Every path of a layer with its kind, in walk order.
void list_layer(const std::string& root, const std::string& rel,
                std::vector<std::pair<std::string, char>>& out) {
  for (const auto& [name, st] : image::read_children(rel.empty() ? root : root + "/" + rel, false)) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + child;
    char kind = is_whiteout(st)        ? kWhiteout
                : !S_ISDIR(st.st_mode) ? kOther
                : is_opaque_dir(full)      ? kOpaqueDir : kDir;
    out.emplace_back(child, kind);
    if (S_ISDIR(st.st_mode)) list_layer(root, child, out);
  }
}

// A layer directory's identity: its path names its content (a digest or a cache key), and the
// inode and ctime tell a cache entry --no-cache replaced from the one it replaced.
std::string layer_id(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) < 0) throw_sys("stat", dir);
  return fmt::format("{}:{}:{}.{}", dir, st.st_ino, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

}  // namespace

SquashLayers::SquashLayers(std::vector<std::string> lowers, std::optional<int64_t> clamp)
    : lowers_(std::move(lowers)) {
  size_t n = lowers_.size();
  std::vector<std::string> listing_hash(n);
  for (size_t h = 1; h < n; h++) {  // the bottom layer hides nothing
    std::vector<std::pair<std::string, char>> entries;
    list_layer(lowers_[h], "", entries);
    auto d = image::Digest::sha256();
    for (const auto& [path, kind] : entries) {
      int layer = static_cast<int>(h);
      top_entry_[path] = layer;  // layers come bottom-up: the last one seen is the topmost
      if (kind != kDir) top_hider_[path] = layer;
      d.update(path);
      d.update(std::string_view(&kind, 1));
    }
    listing_hash[h] = d.hex();
  }
  std::string chain = fmt::format("bale-squash 1 clamp={}", clamp ? std::to_string(*clamp) : "none");
  for (size_t g = 0; g < n; g++) {
    std::string above;
    for (size_t h = g + 1; h < n; h++) above += listing_hash[h];
    chain = image::sha256_hex(chain + "\n" + layer_id(lowers_[g]) + "\n" + above);
    keys_.push_back(chain);
  }
}

int SquashLayers::above(const TopMap& m, const std::string& path) {
  auto it = m.find(path);
  return it == m.end() ? -1 : it->second;
}

}  // namespace bale::builder
