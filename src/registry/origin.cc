// The registry's part of the store (see origin.h).
#include "registry/origin.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "registry/reference.h"

namespace bale::registry {

using nlohmann::json;

namespace {

std::string dir(const store::Store& s, const char* sub) {
  std::string d = s.root() + "/registry/" + sub;
  mkdir_p(d, 0700);
  return d;
}

}  // namespace

std::string blob_cache_path(const store::Store& s, const std::string& digest) {
  return dir(s, "blobs") + "/" + digest.substr(7);
}

void save_origin(const store::Store& s, const Origin& o) {
  json j{{"reference", o.reference},       {"manifest_digest", o.manifest_digest},
         {"platform", o.platform},         {"image_digest", o.image_digest},
         {"signed_by_pusher", o.signed_by_pusher}, {"pulled", o.pulled}};
  if (!o.index_digest.empty()) j["index_digest"] = o.index_digest;
  if (!o.mirror.empty()) j["mirror"] = o.mirror;
  write_file_atomic(dir(s, "origins") + "/" + o.image_digest.substr(7) + ".json", j.dump(2) + "\n", 0600);
  write_file_atomic(dir(s, "manifests") + "/" + o.manifest_digest.substr(7), o.image_digest + "\n", 0600);
}

std::optional<Origin> find_origin(const store::Store& s, const std::string& image_digest) {
  if (!is_sha256_digest(image_digest)) return std::nullopt;
  auto text = read_file_if_exists(s.root() + "/registry/origins/" + image_digest.substr(7) + ".json", 1u << 20);
  if (!text) return std::nullopt;
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Origin o;
  o.reference = j.value("reference", "");
  o.manifest_digest = j.value("manifest_digest", "");
  o.index_digest = j.value("index_digest", "");
  o.platform = j.value("platform", "");
  o.mirror = j.value("mirror", "");
  o.image_digest = j.value("image_digest", "");
  o.signed_by_pusher = j.value("signed_by_pusher", false);
  o.pulled = j.value("pulled", int64_t{0});
  return o;
}

std::optional<std::string> image_for_manifest(const store::Store& s, const std::string& manifest_digest) {
  auto text = read_file_if_exists(s.root() + "/registry/manifests/" + manifest_digest.substr(7), 256);
  if (!text) return std::nullopt;
  std::string d = text->substr(0, text->find('\n'));
  if (!is_sha256_digest(d) || !path_exists(s.blob_path(d))) return std::nullopt;
  return d;
}

namespace {

UniqueFd open_lock(const store::Store& s) {
  return open_file(s.root() + "/locks/registry.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

// Removes the records in `sub` whose image (named by the record) the store no longer has.
size_t drop_stale(const store::Store& s, const char* sub, bool name_is_image) {
  size_t n = 0;
  std::string d = s.root() + "/registry/" + sub;
  for (const auto& name : list_dir(d)) {
    std::string image;
    if (name_is_image) {
      image = "sha256:" + name.substr(0, name.find('.'));
    } else {
      auto text = read_file_if_exists(d + "/" + name, 256);
      image = text ? text->substr(0, text->find('\n')) : "";
    }
    if (is_sha256_digest(image) && path_exists(s.blob_path(image))) continue;
    if (::unlink((d + "/" + name).c_str()) == 0) n++;
  }
  return n;
}

}  // namespace

UniqueFd lock_cache(const store::Store& s) {
  UniqueFd fd = open_lock(s);
  while (flock(fd.get(), LOCK_SH) < 0)
    if (errno != EINTR) throw_sys("lock", s.root() + "/locks/registry.lock");
  return fd;
}

std::optional<PruneStats> prune_cache(const store::Store& s) {
  UniqueFd fd = open_lock(s);
  if (flock(fd.get(), LOCK_EX | LOCK_NB) < 0) return std::nullopt;
  PruneStats st;
  std::string blobs = s.root() + "/registry/blobs";
  for (const auto& name : list_dir(blobs)) {
    struct stat info;
    std::string path = blobs + "/" + name;
    if (::lstat(path.c_str(), &info) == 0 && ::unlink(path.c_str()) == 0) {
      st.blobs++;
      st.bytes += static_cast<uint64_t>(info.st_size);
    }
  }
  st.records = drop_stale(s, "origins", true) + drop_stale(s, "manifests", false);
  return st;
}

}  // namespace bale::registry
