// What each layer of a stage gives its squash (see squash.h): for every path of the layers above
// the bottom one, the topmost layer with an entry there and the topmost that hides what is
// below (a whiteout, an opaque directory or a non-directory); and the key of each part.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace bale::builder {

// overlayfs: a whiteout is a character device 0/0.
inline bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

class SquashLayers {
 public:
  using TopMap = std::unordered_map<std::string, int>;  // path -> layer index

  // `clamp` (SOURCE_DATE_EPOCH) changes the tar's bytes, so it is in every key.
  SquashLayers(std::vector<std::string> lowers, std::optional<int64_t> clamp);

  const std::vector<std::string>& lowers() const { return lowers_; }
  // key(g) covers the layers up to g and, for the hiding rules, the listing of every layer
  // above: what part g of the tar holds follows from exactly these.
  const std::string& key(size_t g) const { return keys_[g]; }
  const TopMap& entries() const { return top_entry_; }
  const TopMap& hiders() const { return top_hider_; }
  // The layer of `path` in `m`, or -1 when no layer above the bottom has it.
  static int above(const TopMap& m, const std::string& path);

 private:
  std::vector<std::string> lowers_;
  TopMap top_entry_, top_hider_;
  std::vector<std::string> keys_;
};

}  // namespace bale::builder
