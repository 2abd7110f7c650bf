// Following a base image's own body in a squash (see squash_base.h).
#include "builder/squash_base.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <libdeflate.h>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/body_reader.h"
#include "image/digest.h"
#include "image/image_file.h"

namespace bale::builder {

using nlohmann::json;

namespace {

uint32_t le32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

}  // namespace

bool SquashBase::possible() {
  if (!checked_) {
    checked_ = true;
    ok_ = check();
  }
  return ok_;
}

bool SquashBase::check() {
  // SOURCE_DATE_EPOCH changes the mtimes a tar of the tree gets; the CRC check would catch it,
  // but then no chunk would match and following the base is only cost.
  if (base_image_.empty() || layers_.lowers().empty() || clamp_) return false;
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

// A hardlinked file of the base that a layer above replaces may be the name the others link
// to in the base's tar: following the base would then lose their content.
bool SquashBase::shadowed_hardlinks() const {
  const std::string& root = layers_.lowers()[0];
  for (const auto* m : {&layers_.entries(), &layers_.hiders()})
    for (const auto& [path, layer] : *m) {
      struct stat st;
      std::string full = root + "/" + path;
      if (lstat(full.c_str(), &st) < 0) continue;
      if (S_ISREG(st.st_mode) && st.st_nlink > 1) return true;
      if (S_ISDIR(st.st_mode) && m == &layers_.hiders()) {
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
std::string SquashBase::member_for(std::string_view chunk) {
  if (!following_ || !chunk_clean_ || chunk_member_ >= base_members_.size()) return "";
  auto [at, size] = base_members_[chunk_member_];
  std::string tail = pread_exact(base_fd_.get(), at + size - 8, 8, base_image_);
  if (le32(tail.data() + 4) != chunk.size() ||
      le32(tail.data()) != libdeflate_crc32(0, chunk.data(), chunk.size()))
    return "";
  reused_members_++;
  return pread_exact(base_fd_.get(), at, size, base_image_);
}

uint64_t SquashBase::emit(image::GzipBodyWriter& body) {
  following_ = true;
  body.set_member_source([this](std::string_view chunk) { return member_for(chunk); });
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
  walk(all, "", false, forward, kept);
  following_ = false;
  if (base_intact_ && last_intact_) save_record(kept);
  return kept;
}

// The walk write_tree_tar makes (sockets left out), every entry written, only those the layers
// above leave forwarded to the body.
void SquashBase::walk(image::TarWriter& all, const std::string& rel, bool hidden, bool& forward,
                      uint64_t& kept) {
  const std::string& root = layers_.lowers()[0];
  for (const auto& [name, st] : image::read_children(rel.empty() ? root : root + "/" + rel, true)) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + child;
    if (S_ISSOCK(st.st_mode)) continue;
    forward = !hidden && SquashLayers::above(layers_.entries(), child) < 0;
    base_intact_ &= forward;
    all.add(child, full, st);
    all.finish_entry();
    kept += forward;
    if (S_ISDIR(st.st_mode))
      walk(all, child, hidden || SquashLayers::above(layers_.hiders(), child) >= 0, forward, kept);
  }
  forward = false;
}

std::string SquashBase::record_path() const {
  const std::string& bottom = layers_.lowers()[0];
  if (!bottom.ends_with("/rootfs")) return "";
  return bottom.substr(0, bottom.size() - 7) + "/squash-base.json";
}

bool SquashBase::nothing_shadowed() const {
  for (const auto* m : {&layers_.entries(), &layers_.hiders()})
    for (const auto& [path, layer] : *m) {
      struct stat st;
      if (lstat((layers_.lowers()[0] + "/" + path).c_str(), &st) == 0 || errno != ENOENT)
        return false;
    }
  return true;
}

void SquashBase::save_record(uint64_t entries) const {
  std::string path = record_path();
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

std::optional<SquashRecords::Resumed> SquashBase::resume_whole(image::GzipBodyWriter& body) {
  std::string path = record_path();
  auto text = path.empty() ? std::nullopt : read_file_if_exists(path, 1 << 16);
  if (!text) return std::nullopt;
  json r = json::parse(*text, nullptr, false);
  struct stat st;
  if (!r.is_object() || r.value("image", "") != base_image_ || fstat(base_fd_.get(), &st) < 0 ||
      r.value("ino", 0ULL) != st.st_ino || r.value("size", 0ULL) != static_cast<uint64_t>(st.st_size))
    return std::nullopt;
  image::ImageInfo info = image::read_image_info(base_image_);
  uint64_t body_at = r.value("body_size", 0ULL), tar_at = r.value("tar_size", 0ULL);
  if (!info.trailer || body_at > info.body_size() || tar_at + 1024 > info.trailer->tar.size)
    return std::nullopt;
  // The rest of the base's tar, without the two zero blocks that end it.
  std::string rest;
  image::inflate_range(base_fd_.get(), body_at, info.body_size() - body_at, base_image_,
                       [&](std::string_view d) { rest.append(d); });
  uint64_t keep = info.trailer->tar.size - 1024 - tar_at;
  if (rest.size() != keep + 1024 || rest.find_first_not_of('\0', keep) != std::string::npos)
    return std::nullopt;
  rest.resize(keep);
  image::BodyCheckpoint c{tar_at, body_at, unhex(r.value("tar_hash", "")),
                          unhex(r.value("file_hash", ""))};
  try {
    body.resume(base_fd_.get(), base_image_, c);
  } catch (const Error&) {
    return std::nullopt;
  }
  body.write(rest);
  return SquashRecords::Resumed{r.value("entries", 0ULL), body_at};
}

}  // namespace bale::builder
