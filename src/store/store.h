// The content-addressed store: each image unpacked once, keyed by its digest, renamed into
// place only when complete; verification records that let a warm start skip re-hashing; the
// staging mountpoint of running containers. Root: /var/lib/bale; others: $XDG_DATA_HOME/bale.
//
//   images/<hex>/rootfs   an unpacked root filesystem (complete, or absent); for an include
//                         tarball, keyed by the file's sha256
//   tmp/<hex>.<random>/   an unpack in progress (removed on failure; gc removes leftovers)
//   tmp/<what>.<random>/  a Scratch: a build's, pull's or bootstrap's work, locked while in use
//   locks/<hex>.lock      serializes first runs of one image
//   verified/<dev>-<ino>  "this file, with this size and ctime, was verified: digest, signer"
//   verified/tar-<dev>-<ino>  the same for an include tarball: its sha256 (its tree in images/)
//   blobs/<hex>.bale      images fetched from URLs
//   mnt/                  mountpoint of each container's private staging tmpfs
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "image/image_file.h"

namespace bale::store {

struct VerifiedRecord {
  std::string digest;      // sha256:... of the config
  std::string signer_key;  // "ssh-ed25519 AAAA..." that signed it
};

struct StoreEntry {
  std::string digest;
  uint64_t bytes = 0;  // disk usage of the unpacked tree
  bool in_use = false;
};

class Store {
 public:
  explicit Store(std::string root);
  static std::string default_root();

  const std::string& root() const { return root_; }
  std::string stage_dir() const { return root_ + "/mnt"; }
  std::string blob_path(const std::string& digest) const;
  std::string rootfs_path(const std::string& digest) const;

  // The unpacked root filesystem of a verified image, unpacking it first if needed. Concurrent
  // callers for the same image unpack once; the others wait and share the result.
  // `hold` receives a shared lock on the tree that keeps gc away from it while it is held.
  // `fd` is the image file `info` was read from (the body unpacked is that file's, checked
  // against the config's diff_id).
  std::string ensure_unpacked(const image::ImageInfo& info, int fd, const std::string& digest,
                              UniqueFd& hold);

  // A tarball (any compression libarchive reads), unpacked once as a tree of its own: what an
  // app's --include-tar stacks over its image. Keyed by the sha256 of the file's bytes, which a
  // record of its inode, size and ctime spares hashing again; a file that changes while it is
  // read is an error. `hold` as for ensure_unpacked. Errors name `path`.
  std::string ensure_tar_unpacked(const std::string& path, UniqueFd& hold);

  // `kind` keeps records of different things apart: "" an image's, "tar-" an include's.
  std::optional<VerifiedRecord> find_record(const struct stat& st, std::string_view kind = "") const;
  void save_record(const struct stat& st, const VerifiedRecord& r, std::string_view kind = "") const;

  std::vector<StoreEntry> list() const;
  // Digests (sha256:...) of the image files kept in blobs/.
  std::vector<std::string> blobs() const;
  // Removes unpacked images no running container uses, leftovers of interrupted unpacks,
  // stale verification records and unreferenced blobs. Returns the digests removed.
  std::vector<std::string> gc() const;

 private:
  UniqueFd lock(const std::string& hex, bool wait, bool shared = false) const;
  // images/<hex>/rootfs, written by `fill` into a directory under tmp/ the first time and then
  // renamed into place; callers for the same hex fill it once. `hold` as for ensure_unpacked.
  std::string ensure_tree(const std::string& hex, const std::function<void(const std::string&)>& fill,
                          UniqueFd& hold);

  std::string root_;
};

// A directory of its own under the store's tmp/, where a build, a pull or a bootstrap writes
// its image before naming it. Its owner holds a lock on it from before it has its name until it
// is removed, so `gc` leaves it alone while the owner lives and removes what a killed owner left.
class Scratch {
 public:
  Scratch(const Store& s, const std::string& prefix);  // prefix: "build.", "pull.", ...
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  UniqueFd lock_;
};

// The digests (sha256:...) whose unpacked trees are lower layers of a mounted overlay in any
// mount namespace of this machine.
std::vector<std::string> digests_in_use(const std::string& store_root);

}  // namespace bale::store
