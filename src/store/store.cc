// The content-addressed store (see store.h).
#include "store/store.h"

#include <archive.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <vector>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "base/identity.h"
#include "runtime/mounts.h"
#include "image/body_reader.h"
#include "image/config.h"
#include "image/digest.h"
#include "image/parallel_inflate.h"
#include "image/unpack.h"

namespace bale::store {

namespace {

std::string hex_of(const std::string& digest) {
  if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71)
    throw Error(fmt::format("not a sha256 digest: {}", quote(digest)));
  return digest.substr(7);
}

std::string expected_diff_id(const image::ImageInfo& info) {
  return image::single_diff_id(image::parse_config(info.trailer->config, quote(info.path)),
                               quote(info.path));
}

// Feeds libarchive the inflated body, piece by piece from `next` (empty at the end), while
// hashing it, to check it against the diff_id.
struct HashedSource {
  std::function<std::string_view()> next;
  image::Digest sha = image::Digest::sha256();
};

la_ssize_t hashed_read(archive*, void* p, const void** out) {
  auto* s = static_cast<HashedSource*>(p);
  std::string_view piece = s->next();
  s->sha.update(piece);
  *out = piece.data();
  return static_cast<la_ssize_t>(piece.size());
}

// Unpacks the tar that `next` yields and checks its sha256 against the signed config's
// diff_id: the body unpacked is the body signed, whatever happened to the file since it was
// verified (a changed body fails here, and the tree is never renamed into place).
void unpack_hashed(const image::ImageInfo& info, const std::function<std::string_view()>& next,
                   const std::string& dest) {
  HashedSource src{next};
  {
    image::ArchiveReader a(archive_read_new());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open(a.get(), &src, nullptr, hashed_read, nullptr) != ARCHIVE_OK)
      image::throw_archive(a.get(), info.path);
    image::unpack_tar(a.get(), info.path, dest);
  }
  // libarchive stops at the end-of-archive blocks; the hash covers the whole tar.
  for (std::string_view p; !(p = next()).empty();) src.sha.update(p);
  std::string got = "sha256:" + src.sha.hex();
  if (got != expected_diff_id(info))
    throw Error(fmt::format("{}: the unpacked content ({}) does not match the config's diff_id",
                            quote(info.path), got));
}

// A signed bale body of 1 MiB members: inflated in parallel.
void unpack_checked(const image::ImageInfo& info, int fd, const std::string& dest) {
  image::ParallelInflater inflater(fd, info.body_size(), info.path);
  unpack_hashed(info, [&] { return inflater.next(); }, dest);
}

// A signed body of one gzip stream (a plain tar.gz signed with `bale sign`): inflated by
// libarchive's raw reader, still hashed against the diff_id.
void unpack_signed_stream(const image::ImageInfo& info, int fd, const std::string& dest) {
  image::ArchiveReader raw = image::open_archive_range(fd, 0, info.body_size(), info.path, true);
  archive_entry* e;
  if (archive_read_next_header(raw.get(), &e) != ARCHIVE_OK) image::throw_archive(raw.get(), info.path);
  std::vector<char> buf(1 << 20);
  unpack_hashed(info, [&]() -> std::string_view {
    la_ssize_t n = archive_read_data(raw.get(), buf.data(), buf.size());
    if (n < 0) image::throw_archive(raw.get(), info.path);
    return {buf.data(), static_cast<size_t>(n)};
  }, dest);
}

// Unpacks a plain tar.gz (unsigned, allowed by the user): no diff_id to check.
void unpack_plain(const image::ImageInfo& info, int fd, const std::string& dest) {
  image::ArchiveReader a = image::open_archive_range(fd, 0, info.body_size(), info.path, false);
  image::unpack_tar(a.get(), info.path, dest);
}

std::string record_name(const struct stat& st) {
  return fmt::format("{:x}-{:x}", static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
}

uint64_t disk_usage(const std::string& path) {
  uint64_t total = 0;
  walk_tree(path, [&](const std::string&, const struct stat& st) {
    total += st.st_blocks * 512;
    return true;
  });
  return total;
}

// Entries of a store directory, without dot files.
std::vector<std::string> dir_names(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& n : list_dir(dir))
    if (n[0] != '.') out.push_back(std::move(n));
  return out;
}

// A store anyone else may write to could be given files that a container of this user then
// runs: it must be this user's (or root's, for root) and writable by no one else.
void check_owner(const std::string& root) {
  struct stat st;
  if (::stat(root.c_str(), &st) < 0) throw_sys("stat", root);
  if (st.st_uid != geteuid())
    throw Error(fmt::format("the store {} belongs to uid {}, not to uid {}: its images could be "
                            "changed by someone else", quote(root), st.st_uid, geteuid()), EPERM)
        .with_hint("use a store of your own (BALE_STORE or --store) or chown it");
  if (st.st_mode & 022)
    throw Error(fmt::format("the store {} may be written by others (mode {:04o}): its images could "
                            "be changed by someone else", quote(root), st.st_mode & 07777), EPERM)
        .with_hint(fmt::format("chmod go-w {}", root));
}

bool is_hex_digest(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The lock of a Scratch nobody holds any more (its owner died), taken; empty while one lives.
UniqueFd lock_unused_scratch(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd || flock(fd.get(), LOCK_EX | LOCK_NB) < 0) return {};
  return fd;
}

}  // namespace

Scratch::Scratch(const Store& s, const std::string& prefix) {
  // Made under a dot name, which gc never looks at, locked, and only then given its name.
  std::string tmpl = s.root() + "/tmp/.new-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw_sys("mkdtemp", tmpl);
  lock_ = UniqueFd(::open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  path_ = s.root() + "/tmp/" + prefix + tmpl.substr(tmpl.size() - 6);
  if (!lock_ || flock(lock_.get(), LOCK_SH) < 0 ||
      ::renameat2(AT_FDCWD, tmpl.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) < 0) {
    int err = errno;
    ::rmdir(tmpl.c_str());
    throw sys_error("make a scratch directory in", s.root() + "/tmp", err);
  }
}

Scratch::~Scratch() {
  try {
    remove_tree(path_);
  } catch (...) {
  }
}

Store::Store(std::string root) : root_(std::move(root)) {
  // mnt/ is made last: when it exists, so does the rest (one stat on every start).
  if (!path_exists(root_ + "/mnt"))
    for (const char* d : {"", "/images", "/tmp", "/locks", "/verified", "/blobs", "/mnt"})
      mkdir_p(root_ + d, 0700);
  // Canonical, so the lowerdir of every overlay names the store the same way and `gc` finds
  // the trees in use however the store was named (trailing slash, symlink, relative path).
  char* real = realpath(root_.c_str(), nullptr);
  if (!real) throw_sys("resolve", root_);
  root_ = real;
  free(real);
  check_owner(root_);
}

std::string Store::default_root() {
  if (const char* s = std::getenv("BALE_STORE"); s && *s) return s;
  if (invoked_as_root()) return "/var/lib/bale";
  const char* x = std::getenv("XDG_DATA_HOME");
  if (x && *x) return std::string(x) + "/bale";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/tmp") + "/.local/share/bale";
}

std::string Store::blob_path(const std::string& digest) const {
  return fmt::format("{}/blobs/{}.bale", root_, hex_of(digest));
}

std::string Store::rootfs_path(const std::string& digest) const {
  return fmt::format("{}/images/{}/rootfs", root_, hex_of(digest));
}

UniqueFd Store::lock(const std::string& hex, bool wait, bool shared) const {
  std::string path = fmt::format("{}/locks/{}.lock", root_, hex);
  UniqueFd fd = open_file(path, O_RDWR | O_CREAT, 0600);
  while (flock(fd.get(), (shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)) < 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return UniqueFd();
    throw_sys("lock", path);
  }
  return fd;
}

std::string Store::ensure_unpacked(const image::ImageInfo& info, int fd, const std::string& digest,
                                   UniqueFd& hold) {
  return ensure_tree(hex_of(digest), [&](const std::string& dest) {
    if (!info.trailer)
      unpack_plain(info, fd, dest);
    else if (image::ParallelInflater::is_chunked(fd, info.body_size(), info.path))
      unpack_checked(info, fd, dest);
    else
      unpack_signed_stream(info, fd, dest);
    if (syncfs(fd) < 0) {}  // best effort; the rename is the commit point
  }, hold);
}

std::string Store::ensure_tree(const std::string& hex, const std::function<void(const std::string&)>& fill,
                               UniqueFd& hold) {
  std::string rootfs = fmt::format("{}/images/{}/rootfs", root_, hex);
  hold = lock(hex, true, true);
  if (path_exists(rootfs)) return rootfs;
  hold.reset();
  UniqueFd held = lock(hex, true);
  if (path_exists(rootfs)) {  // another run unpacked it while we waited
    held.reset();
    hold = lock(hex, true, true);
    return rootfs;
  }
  spread_subdirs(root_ + "/tmp");
  TempDir tmp(root_ + "/tmp", hex + ".");
  std::string dest = tmp.path() + "/rootfs";
  try {
    mkdir_p(dest, 0755);
    fill(dest);
    std::string final_dir = fmt::format("{}/images/{}", root_, hex);
    if (rename(tmp.path().c_str(), final_dir.c_str()) < 0) throw_sys("rename", final_dir);
  } catch (const Error& e) {
    throw e.wrap(fmt::format("unpacking into the store {}", quote(root_)));
  }
  // The exclusive lock becomes a shared one: later runs may start, gc still may not remove it.
  if (flock(held.get(), LOCK_SH) < 0) throw_sys("lock", rootfs);
  hold = std::move(held);
  return rootfs;
}

std::optional<VerifiedRecord> Store::find_record(const struct stat& st, std::string_view kind) const {
  std::string path = fmt::format("{}/verified/{}{}", root_, kind, record_name(st));
  std::string text;
  try {
    text = read_file(path, 1 << 16);
  } catch (const Error&) {
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("size", -1LL) != static_cast<long long>(st.st_size) ||
      j.value("ctime_sec", -1LL) != static_cast<long long>(st.st_ctim.tv_sec) ||
      j.value("ctime_nsec", -1LL) != static_cast<long long>(st.st_ctim.tv_nsec))
    return std::nullopt;
  return VerifiedRecord{j.value("digest", ""), j.value("signer", "")};
}

void Store::save_record(const struct stat& st, const VerifiedRecord& r, std::string_view kind) const {
  nlohmann::json j{{"size", static_cast<long long>(st.st_size)},
                   {"ctime_sec", static_cast<long long>(st.st_ctim.tv_sec)},
                   {"ctime_nsec", static_cast<long long>(st.st_ctim.tv_nsec)},
                   {"digest", r.digest},
                   {"signer", r.signer_key}};
  write_file_atomic(fmt::format("{}/verified/{}{}", root_, kind, record_name(st)), j.dump(), 0600);
}

std::vector<std::string> Store::blobs() const {
  std::vector<std::string> out;
  for (const auto& name : dir_names(root_ + "/blobs"))
    if (name.size() == 64 + 5 && name.ends_with(".bale")) out.push_back("sha256:" + name.substr(0, 64));
  return out;
}

std::vector<StoreEntry> Store::list() const {
  auto used = digests_in_use(root_);
  std::set<std::string> in_use(used.begin(), used.end());
  std::vector<StoreEntry> out;
  for (const auto& hex : dir_names(root_ + "/images")) {
    std::string digest = "sha256:" + hex;
    out.push_back({digest, disk_usage(root_ + "/images/" + hex), in_use.count(digest) > 0});
  }
  return out;
}

std::vector<std::string> Store::gc() const {
  // First the exclusive lock of every tree nothing holds: from then on no run can start on one
  // (a run holds the shared lock until its overlay is mounted). Only then is the use of each
  // read from the mount tables, so a run that mounted before its tree was locked is seen; the
  // other order let a run start between the look and the removal, and lose its tree.
  std::vector<std::pair<std::string, UniqueFd>> locked;
  for (const auto& hex : dir_names(root_ + "/images"))
    if (UniqueFd held = lock(hex, false)) locked.emplace_back(hex, std::move(held));
  auto used = digests_in_use(root_);
  std::set<std::string> in_use(used.begin(), used.end());
  std::vector<std::string> removed;
  for (const auto& [hex, held] : locked) {
    std::string digest = "sha256:" + hex;
    if (in_use.count(digest)) continue;
    remove_tree(root_ + "/images/" + hex);
    removed.push_back(digest);
  }
  locked.clear();  // a tree's lock also guards its leftovers in tmp/, next
  for (const auto& name : dir_names(root_ + "/tmp")) {
    std::string prefix = name.substr(0, name.find('.'));
    UniqueFd held = is_hex_digest(prefix) ? lock(prefix, false) : lock_unused_scratch(root_ + "/tmp/" + name);
    if (held) remove_tree(root_ + "/tmp/" + name);  // an interrupted unpack, build, pull, ...
  }
  for (const auto& name : dir_names(root_ + "/verified")) {
    // A record whose image is no longer unpacked is stale: the next run verifies afresh.
    std::string path = root_ + "/verified/" + name;
    auto j = nlohmann::json::parse(read_file(path, 1 << 16), nullptr, false);
    std::string digest = j.is_object() ? j.value("digest", "") : "";
    if (digest.size() != 71 || !path_exists(root_ + "/images/" + digest.substr(7)))
      ::unlink(path.c_str());
  }
  return removed;
}

// `text` as the kernel writes it into mountinfo: octal escapes for the characters in `special`
// (" \t\n\\" in the mount point field; overlayfs's options also escape ',').
std::string mountinfo_escaped(const std::string& text, std::string_view special) {
  std::string out;
  for (char c : text)
    if (special.find(c) != std::string_view::npos)
      out += fmt::format("\\{:03o}", static_cast<unsigned char>(c));
    else
      out += c;
  return out;
}

std::vector<std::string> digests_in_use(const std::string& store_root) {
  std::set<std::string> seen_ns, digests;
  const std::string images = store_root + "/images/";
  // A tree shows as a mount point (bind), or in an overlay's lowerdir= option as bale wrote it
  // (overlay_path_option), each then escaped by the kernel its way.
  const std::string needles[] = {
      mountinfo_escaped(images, " \t\n\\"),
      mountinfo_escaped(runtime::overlay_path_option(images), ", \t\n\\")};
  for (const auto& pid : dir_names("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    char ns[64] = {};
    std::string link = "/proc/" + pid + "/ns/mnt";
    ssize_t n = readlink(link.c_str(), ns, sizeof ns - 1);
    if (n <= 0 || !seen_ns.insert(ns).second) continue;
    std::string info;
    try {
      info = read_file("/proc/" + pid + "/mountinfo", 16u << 20);
    } catch (const Error&) {
      continue;  // the process exited
    }
    for (const std::string& needle : needles)
      for (size_t at = 0; (at = info.find(needle, at)) != std::string::npos;) {
        at += needle.size();
        std::string hex = info.substr(at, 64);
        if (hex.size() == 64) digests.insert("sha256:" + hex);
      }
  }
  return {digests.begin(), digests.end()};
}

}  // namespace bale::store
