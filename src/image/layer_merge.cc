// Planning a merge of layer tars (see layer_merge.h).
#include "image/layer_merge.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "base/error.h"
#include "image/unpack.h"

namespace bale::image {

namespace {

// Where an entry is: layer and index in that layer's tar.
struct Loc {
  size_t layer = 0, index = 0;
  bool operator==(const Loc&) const = default;
  bool operator<(const Loc& o) const { return std::tie(layer, index) < std::tie(o.layer, o.index); }
};

struct Live {
  Loc entry;      // the version that survives so far
  Loc place;      // where it goes: a directory's first listing
  bool dir = false;
};

class Planner {
 public:
  explicit Planner(const std::vector<std::vector<TarIndexEntry>>& layers) : layers_(layers) {}

  std::optional<MergePlan> run(std::string& why) {
    try {
      for (size_t l = 0; l < layers_.size(); l++)
        for (size_t i = 0; i < layers_[l].size(); i++)
          if (!add({l, i}, why)) return std::nullopt;
    } catch (const Error& e) {
      why = e.what();  // a name out of the root: the tree refuses it with the whole story
      return std::nullopt;
    }
    for (const auto& [link, target] : links_) {
      auto l = live_.find(link.second), t = live_.find(target.second);
      bool link_lives = l != live_.end() && l->second.entry == link.first;
      if (link_lives && (t == live_.end() || !(t->second.entry == target.first))) {
        why = fmt::format("hardlink {} to {}, which a later layer replaces", quote(link.second),
                          quote(target.second));
        return std::nullopt;
      }
    }
    return plan();
  }

 private:
  // Adds one entry; false (and `why`) when a plain copy cannot do what a tree would.
  bool add(Loc at, std::string& why) {
    const TarIndexEntry& e = layers_[at.layer][at.index];
    std::string name = clean_entry_name(e.name);
    if (name.empty()) return true;  // the root: a tree's root is not in the tar either
    size_t slash = name.rfind('/');
    std::string dir = slash == std::string::npos ? "" : name.substr(0, slash);
    std::string leaf = name.substr(slash == std::string::npos ? 0 : slash + 1);
    if (leaf.starts_with(".wh.")) return whiteout(at.layer, dir, leaf, why);
    for (size_t p = name.find('/'); p != std::string::npos; p = name.find('/', p + 1)) {
      auto up = live_.find(name.substr(0, p));
      if (up != live_.end() && !up->second.dir) {
        why = fmt::format("{} is below {}, which is no directory", quote(name), quote(up->first));
        return false;
      }
    }
    if (e.type == '1') {
      std::string target = clean_entry_name(e.link);
      auto t = live_.find(target);
      if (t == live_.end() || t->second.dir) {
        why = fmt::format("hardlink {} to {}, which is no file before it", quote(name), quote(target));
        return false;
      }
      links_.push_back({{at, name}, {t->second.entry, target}});
    }
    bool is_dir = e.type == '5';
    auto old = live_.find(name);
    if (old != live_.end() && old->second.dir && is_dir) {
      old->second.entry = at;  // its header from here, its place where it was first
      return true;
    }
    if (old != live_.end() && old->second.dir) erase_below(name, SIZE_MAX);
    live_[name] = Live{at, at, is_dir};
    return true;
  }

  // ".wh.NAME" removes NAME of the layers below; ".wh..wh..opq" everything below its directory
  // that the layers below put there. Other ".wh..wh." names are the union file system's own.
  bool whiteout(size_t layer, const std::string& dir, const std::string& leaf, std::string& why) {
    whiteouts_++;
    if (leaf == ".wh..wh..opq") {
      erase_below(dir, layer);
      return true;
    }
    if (leaf.starts_with(".wh..wh.")) return true;
    std::string gone = leaf.substr(4);
    if (gone.empty() || gone == "." || gone == "..") {
      why = fmt::format("whiteout {}", quote(dir.empty() ? leaf : dir + "/" + leaf));
      return false;
    }
    std::string path = dir.empty() ? gone : dir + "/" + gone;
    auto it = live_.find(path);
    if (it != live_.end() && it->second.entry.layer < layer) {
      if (it->second.dir) erase_below(path, layer);
      live_.erase(it);
    }
    return true;
  }

  // Removes what lies below `dir` ("" the root) from layers before `layer`.
  void erase_below(const std::string& dir, size_t layer) {
    auto it = dir.empty() ? live_.begin() : live_.lower_bound(dir + "/");
    auto end = dir.empty() ? live_.end() : live_.lower_bound(dir + "0");  // '0' follows '/'
    while (it != end)
      it = it->second.entry.layer < layer ? live_.erase(it) : std::next(it);
  }

  MergePlan plan() const {
    std::vector<std::pair<Loc, Loc>> order;  // place, entry
    order.reserve(live_.size());
    for (const auto& [name, l] : live_) order.emplace_back(l.place, l.entry);
    std::sort(order.begin(), order.end());
    MergePlan p;
    p.entries = order.size();
    p.whiteouts = whiteouts_;
    for (const auto& [place, entry] : order) {
      const TarIndexEntry& e = layers_[entry.layer][entry.index];
      if (!p.pieces.empty() && p.pieces.back().layer == entry.layer && p.pieces.back().end == e.start)
        p.pieces.back().end = e.end;
      else
        p.pieces.push_back({entry.layer, e.start, e.end});
    }
    return p;
  }

  const std::vector<std::vector<TarIndexEntry>>& layers_;
  std::map<std::string, Live> live_;
  // (link, its name) -> (the target when the link was read, its name)
  std::vector<std::pair<std::pair<Loc, std::string>, std::pair<Loc, std::string>>> links_;
  uint64_t whiteouts_ = 0;
};

}  // namespace

std::optional<MergePlan> plan_merge(const std::vector<std::vector<TarIndexEntry>>& layers,
                                    std::string& why) {
  return Planner(layers).run(why);
}

}  // namespace bale::image
