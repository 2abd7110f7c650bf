// Squashing a stage's layers into one image, resuming from earlier squashes (see squash.h).
#include "builder/squash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <unordered_map>

#include <libdeflate.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "builder/run_step.h"
#include "image/config.h"
#include "image/digest.h"
#include "image/gzip_body.h"
#include "image/body_reader.h"
#include "image/image_file.h"
#include "image/tree_tar.h"

namespace bale::builder {

using nlohmann::json;

namespace {

// What a path is in a layer, as far as hiding lower layers goes.
enum Kind : char { kDir = 'd', kOpaqueDir = 'o', kWhiteout = 'w', kOther = 'f' };

// overlayfs: a whiteout is a character device 0/0; an opaque directory has this xattr set to "y".
bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

bool is_opaque(const std::string& path) {
  char v[2];
  ssize_t n = lgetxattr(path.c_str(), "trusted.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

// Every path of a layer with its kind, in walk order.
void list_layer(const std::string& root, const std::string& rel,
                std::vector<std::pair<std::string, char>>& out) {
  for (const auto& [name, st] : image::read_children(rel.empty() ? root : root + "/" + rel, false)) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + child;
    char kind = is_whiteout(st)        ? kWhiteout
                : !S_ISDIR(st.st_mode) ? kOther
                : is_opaque(full)      ? kOpaqueDir : kDir;
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

class Squash {
 public:
  Squash(std::vector<std::string> lowers, std::optional<int64_t> clamp, std::string records,
         std::string base_image)
      : base_image_(std::move(base_image)), lowers_(std::move(lowers)), clamp_(clamp),
        records_(std::move(records)) {
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
    // key(g) covers the layers up to g and, for the hiding rules, the listing of every layer
    // above: what part g of the tar holds follows from exactly these.
    std::string chain = fmt::format("bale-squash 1 clamp={}", clamp_ ? std::to_string(*clamp_) : "none");
    for (size_t g = 0; g < n; g++) {
      std::string above;
      for (size_t h = g + 1; h < n; h++) above += listing_hash[h];
      chain = image::sha256_hex(chain + "\n" + layer_id(lowers_[g]) + "\n" + above);
      keys_.push_back(chain);
    }
  }

  // Streams the tar into `body`, resuming after the longest part an earlier squash recorded.
  uint64_t write(image::GzipBodyWriter& body, bool may_resume) {
    size_t start = 0;
    uint64_t entries = 0;
    for (size_t g = may_resume ? keys_.size() : 0; g-- > 0;) {
      if (auto r = load(keys_[g]); r && resume(body, *r)) {
        start = g + 1;
        entries = r->value("entries", 0ULL);
        reused_ = r->value("body_size", 0ULL);
        break;
      }
    }
    image::TarWriter tar({clamp_, std::nullopt}, [&](std::string_view d) { body.write(d); });
    if (start == 0 && may_resume && base_mode_possible() && nothing_of_base_shadowed() &&
        resume_whole_base(body, entries)) {
      checkpoints_.push_back({keys_[0], body.checkpoint(), entries});
      start = 1;
    }
    for (size_t g = start; g < lowers_.size(); g++) {
      check_interrupted();
      if (g == 0 && base_mode_possible()) {
        entries += emit_following_base(body);
      } else {
        emit(tar, static_cast<int>(g), "");
        tar.finish_entry();
      }
      image::BodyCheckpoint c = body.checkpoint();
      checkpoints_.push_back({keys_[g], c, entries + tar.stats().entries});
    }
    tar.close();
    return entries + tar.stats().entries;
  }

  // Makes the checkpoints of this squash findable, pointing into `image` (kept in the cache).
  void save(const std::string& image) const {
    struct stat st;
    if (stat(image.c_str(), &st) < 0) throw_sys("stat", image);
    for (const auto& [key, c, entries] : checkpoints_) {
      // The file's inode and size: a record must never vouch for another file put in its place.
      json j{{"image", image}, {"ino", st.st_ino}, {"size", st.st_size},
             {"body_size", c.body_size}, {"tar_size", c.tar_size},
             {"tar_hash", image::hex(c.tar_hash)}, {"file_hash", image::hex(c.file_hash)},
             {"entries", entries}};
      write_file_atomic(record_path(key), j.dump());
    }
  }

  uint64_t reused_bytes() const { return reused_; }
  uint64_t reused_members() const { return reused_members_; }

 private:
  struct Checkpoint {
    std::string key;
    image::BodyCheckpoint body;
    uint64_t entries;
  };

  std::string record_path(const std::string& key) const {
    return fmt::format("{}/{}.json", records_, key.substr(0, 24));
  }

  std::optional<json> load(const std::string& key) const {
    auto text = read_file_if_exists(record_path(key), 1 << 16);
    if (!text) return std::nullopt;
    json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("image") || !j["image"].is_string()) return std::nullopt;
    return j;
  }

  bool resume(image::GzipBodyWriter& body, const json& r) {
    std::string image = r["image"].get<std::string>();
    UniqueFd fd(open(image.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    image::BodyCheckpoint c{r.value("tar_size", 0ULL), r.value("body_size", 0ULL), "", ""};
    if (!fd || fstat(fd.get(), &st) < 0 || static_cast<uint64_t>(st.st_size) <= c.body_size ||
        r.value("ino", 0ULL) != st.st_ino ||
        r.value("size", 0ULL) != static_cast<uint64_t>(st.st_size))
      return false;  // the earlier image is gone or was replaced: squash from the start
    c.tar_hash = unhex(r.value("tar_hash", ""));
    c.file_hash = unhex(r.value("file_hash", ""));
    try {
      body.resume(fd.get(), image, c);
    } catch (const Error&) {
      return false;
    }
    return true;
  }

  static std::string unhex(const std::string& h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
    return out;
  }

  // Part g of the tar: what layer g provides, in walk order. Layer g provides a path when no
  // layer above has an entry there, and no layer above hides a directory on its way (a
  // whiteout, an opaque directory or a non-directory there).
  void emit(image::TarWriter& tar, int g, const std::string& rel) {
    const std::string& root = lowers_[g];
    for (const auto& [name, st] : image::read_children(rel.empty() ? root : root + "/" + rel, true)) {
      std::string child = rel.empty() ? name : rel + "/" + name;
      std::string full = root + "/" + child;
      if (is_whiteout(st)) continue;
      if (above(top_entry_, child) <= g) {
        if (S_ISSOCK(st.st_mode)) {
          tar.stats().skipped_sockets++;
        } else {
          tar.add(child, full, st);
        }
      }
      if (S_ISDIR(st.st_mode) && above(top_hider_, child) <= g) emit(tar, g, child);
    }
  }

  static int above(const std::unordered_map<std::string, int>& m, const std::string& path) {
    auto it = m.find(path);
    return it == m.end() ? -1 : it->second;
  }

  // --- The bottom layer as the base image's own body lays it out ---------------------------
  //
  // When the bottom layer is a base image's tree, its part of the tar is what the base image's
  // tar holds minus the entries layers above replace or delete: written by the same writer over
  // the same tree, byte for byte. The base's body is 1 MiB chunks, each its own gzip member;
  // cutting this body where the base's chunks end lets every chunk nothing was taken out of be
  // the base's member itself, copied instead of compressed (checked by its CRC-32 and size).

  bool base_mode_possible() {
    if (!base_checked_) {
      base_checked_ = true;
      base_ok_ = check_base_mode();
    }
    return base_ok_;
  }

  bool check_base_mode() {
    if (base_image_.empty() || lowers_.empty() || !clamp_matches_base()) return false;
    try {
      image::ImageInfo info = image::read_image_info(base_image_);
      base_fd_ = open_file(base_image_, O_RDONLY);
      for (uint64_t at = 0; at < info.body_size();) {
        std::string head = pread_exact(base_fd_.get(), at, image::kMemberHeaderSize, base_image_);
        if (std::memcmp(head.data(), image::kMemberHeader, sizeof image::kMemberHeader) != 0)
          return false;  // not a chunked body (a plain tar.gz): nothing to follow
        uint32_t size = le32(head.data() + 16);
        if (size < image::kMemberHeaderSize + 8 || at + size > info.body_size()) return false;
        base_members_.emplace_back(at, size);
        at += size;
      }
    } catch (const Error&) {
      return false;
    }
    return !shadowed_hardlinks();
  }

  // SOURCE_DATE_EPOCH changes the mtimes a tar of the tree gets; the CRC check would catch it,
  // but then no chunk would match and following the base is only cost.
  bool clamp_matches_base() const { return !clamp_; }

  static uint32_t le32(const char* p) {
    auto b = reinterpret_cast<const unsigned char*>(p);
    return b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  }

  // A hardlinked file of the base that a layer above replaces may be the name the others link
  // to in the base's tar: following the base would then lose their content.
  bool shadowed_hardlinks() const {
    const std::string& root = lowers_[0];
    for (const auto* m : {&top_entry_, &top_hider_})
      for (const auto& [path, layer] : *m) {
        struct stat st;
        std::string full = root + "/" + path;
        if (lstat(full.c_str(), &st) < 0) continue;
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) return true;
        if (S_ISDIR(st.st_mode) && m == &top_hider_) {
          bool found = false;
          walk_tree(full, [&](const std::string&, const struct stat& s) {
            found |= S_ISREG(s.st_mode) && s.st_nlink > 1;
            return !found;
          });
          if (found) return true;
        }
      }
    return false;
  }

  // The member of the base that holds exactly `chunk`, or "".
  std::string base_member(std::string_view chunk) {
    if (!following_ || !chunk_clean_ || chunk_member_ >= base_members_.size()) return "";
    auto [at, size] = base_members_[chunk_member_];
    std::string tail = pread_exact(base_fd_.get(), at + size - 8, 8, base_image_);
    if (le32(tail.data() + 4) != chunk.size() ||
        le32(tail.data()) != libdeflate_crc32(0, chunk.data(), chunk.size()))
      return "";
    reused_members_++;
    return pread_exact(base_fd_.get(), at, size, base_image_);
  }

  // Writes the bottom layer's part; returns its entries.
  uint64_t emit_following_base(image::GzipBodyWriter& body) {
    following_ = true;
    body.set_member_source([this](std::string_view chunk) { return base_member(chunk); });
    uint64_t kept = 0;
    bool forward = false;
    image::TarWriter all({clamp_, std::nullopt}, [&](std::string_view d) {
      while (!d.empty()) {
        uint64_t boundary = (base_off_ / image::kChunkSize + 1) * image::kChunkSize;
        size_t take = static_cast<size_t>(std::min<uint64_t>(d.size(), boundary - base_off_));
        if (forward)
          body.write(d.substr(0, take));
        else
          chunk_clean_ = false;
        base_off_ += take;
        d.remove_prefix(take);
        if (base_off_ == boundary) {
          body.cut();
          chunk_clean_ = true;
          chunk_member_ = base_off_ / image::kChunkSize;
          // While every chunk so far is the base's own, where the body stands here is where the
          // base's body stands: cheap to take (nothing is being compressed), and worth keeping.
          if (base_intact_ && reused_members_ == chunk_member_) {
            last_intact_ = body.checkpoint();
            last_intact_member_ = chunk_member_;
          }
        }
      }
    });
    walk_base(all, "", false, forward, kept);
    following_ = false;
    if (base_intact_ && last_intact_) save_base_record(kept);
    return kept;
  }

  // --- Nothing of the base replaced or deleted: its whole part from a record -----------------
  //
  // When no layer above touches anything of the base, the bottom part of the tar is the base's
  // tar without its end blocks. The first build that finds this records, beside the base's tree
  // in the store, where the body and both hashes stood at the base's last full chunk; later
  // builds on the base (even after the build cache was pruned) copy those members, write the
  // rest of the base's tar (inflated from its last member) and go on.

  std::string base_record_path() const {
    const std::string& bottom = lowers_[0];
    if (!bottom.ends_with("/rootfs")) return "";
    return bottom.substr(0, bottom.size() - 7) + "/squash-base.json";
  }

  bool nothing_of_base_shadowed() const {
    for (const auto* m : {&top_entry_, &top_hider_})
      for (const auto& [path, layer] : *m) {
        struct stat st;
        if (lstat((lowers_[0] + "/" + path).c_str(), &st) == 0 || errno != ENOENT) return false;
      }
    return true;
  }

  void save_base_record(uint64_t entries) const {
    std::string path = base_record_path();
    struct stat st;
    if (path.empty() || fstat(base_fd_.get(), &st) < 0) return;
    const image::BodyCheckpoint& c = *last_intact_;
    json j{{"image", base_image_}, {"ino", st.st_ino}, {"size", st.st_size},
           {"member", last_intact_member_}, {"body_size", c.body_size}, {"tar_size", c.tar_size},
           {"tar_hash", image::hex(c.tar_hash)}, {"file_hash", image::hex(c.file_hash)},
           {"entries", entries}};
    try {
      write_file_atomic(path, j.dump());
    } catch (const Error&) {
      // A read-only store, say: the next build simply follows the base again.
    }
  }

  bool resume_whole_base(image::GzipBodyWriter& body, uint64_t& entries) {
    std::string path = base_record_path();
    auto text = path.empty() ? std::nullopt : read_file_if_exists(path, 1 << 16);
    if (!text) return false;
    json r = json::parse(*text, nullptr, false);
    struct stat st;
    if (!r.is_object() || r.value("image", "") != base_image_ || fstat(base_fd_.get(), &st) < 0 ||
        r.value("ino", 0ULL) != st.st_ino || r.value("size", 0ULL) != static_cast<uint64_t>(st.st_size))
      return false;
    image::ImageInfo info = image::read_image_info(base_image_);
    uint64_t body_at = r.value("body_size", 0ULL), tar_at = r.value("tar_size", 0ULL);
    if (!info.trailer || body_at > info.body_size() || tar_at + 1024 > info.trailer->tar.size)
      return false;
    // The rest of the base's tar, without the two zero blocks that end it.
    std::string rest;
    image::inflate_range(base_fd_.get(), body_at, info.body_size() - body_at, base_image_,
                         [&](std::string_view d) { rest.append(d); });
    uint64_t keep = info.trailer->tar.size - 1024 - tar_at;
    if (rest.size() != keep + 1024 || rest.find_first_not_of('\0', keep) != std::string::npos)
      return false;
    rest.resize(keep);
    image::BodyCheckpoint c{tar_at, body_at, unhex(r.value("tar_hash", "")),
                            unhex(r.value("file_hash", ""))};
    try {
      body.resume(base_fd_.get(), base_image_, c);
    } catch (const Error&) {
      return false;
    }
    body.write(rest);
    entries = r.value("entries", 0ULL);
    reused_ = body_at;
    return true;
  }

  // The walk write_tree_tar makes (sockets left out), every entry written, only those the
  // layers above leave forwarded to the body.
  void walk_base(image::TarWriter& all, const std::string& rel, bool hidden, bool& forward,
                 uint64_t& kept) {
    const std::string& root = lowers_[0];
    for (const auto& [name, st] : image::read_children(rel.empty() ? root : root + "/" + rel, true)) {
      std::string child = rel.empty() ? name : rel + "/" + name;
      std::string full = root + "/" + child;
      if (S_ISSOCK(st.st_mode)) continue;
      forward = !hidden && above(top_entry_, child) < 0;
      base_intact_ &= forward;
      all.add(child, full, st);
      all.finish_entry();
      kept += forward;
      if (S_ISDIR(st.st_mode)) walk_base(all, child, hidden || above(top_hider_, child) >= 0, forward, kept);
    }
    forward = false;
  }

  std::string base_image_;
  UniqueFd base_fd_;
  std::vector<std::pair<uint64_t, uint32_t>> base_members_;  // offset, size
  uint64_t base_off_ = 0;   // where the base's own tar stands
  size_t chunk_member_ = 0; // the base member the chunk being filled would be
  bool chunk_clean_ = true; // nothing of the base left out of that chunk so far
  bool following_ = false;
  uint64_t reused_members_ = 0;
  bool base_checked_ = false, base_ok_ = false;
  bool base_intact_ = true;  // nothing of the base left out so far
  std::optional<image::BodyCheckpoint> last_intact_;
  size_t last_intact_member_ = 0;

  std::vector<std::string> lowers_;
  std::optional<int64_t> clamp_;
  std::string records_;
  std::unordered_map<std::string, int> top_entry_, top_hider_;
  std::vector<std::string> keys_;
  std::vector<Checkpoint> checkpoints_;
  uint64_t reused_ = 0;
};

}  // namespace

SquashOutcome write_stage_image(const BuildCache& cache, const StageState& stage,
                                const trust::PrivateKey& key, const std::string& output,
                                bool fresh) {
  SquashOutcome out;
  json config = stage.config;
  auto clamp = image::source_date_epoch();
  // Nothing changed since an earlier build with the same config, clock and signer: its image is
  // this one (as Docker hands out the same image ID), and nothing is squashed again.
  std::string image_key = image::sha256_hex(fmt::format(
      "{}\n{}\n{}\n{}", stage.key, image::serialize_config(config),
      clamp ? std::to_string(*clamp) : "now", key.public_key().to_openssh()));
  std::string kept = cache.image_path(image_key);
  if (!fresh && path_exists(kept)) {
    place_file(kept, output);
    out.entries = image::read_image_info(output).trailer->tar.entries;
    out.reused_image = true;
    return out;
  }
  Squash squash(stage.lowers, clamp, cache.squash_dir(), stage.base_image);
  auto written = image::write_image(
      output, key,
      [&](image::GzipBodyWriter& body) { return squash.write(body, !fresh); },
      [&](const std::string& sha) {
        image::finalize_config(config, sha, "bale build");
        return image::serialize_config(config);
      },
      image::kBuildCompressionLevel);
  place_file(output, kept);
  squash.save(kept);
  out.entries = written.tar.entries;
  out.reused_bytes = squash.reused_bytes();
  out.base_members = squash.reused_members();
  return out;
}

}  // namespace bale::builder
