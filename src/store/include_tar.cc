// A tarball unpacked into the store as a tree of its own (see Store::ensure_tar_unpacked).
#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "image/body_reader.h"
#include "image/digest.h"
#include "image/unpack.h"
#include "store/store.h"

namespace bale::store {

namespace {

// Feeds libarchive the file's bytes as they are (it detects the compression), hashing them.
struct HashingReader {
  int fd;
  const std::string& path;
  image::Digest sha = image::Digest::sha256();
  std::vector<char> buf = std::vector<char>(1 << 20);
};

la_ssize_t hashing_read(archive* a, void* p, const void** out) {
  auto* r = static_cast<HashingReader*>(p);
  ssize_t n;
  do n = ::read(r->fd, r->buf.data(), r->buf.size());
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    archive_set_error(a, errno, "read %s", r->path.c_str());
    return -1;
  }
  r->sha.update({r->buf.data(), static_cast<size_t>(n)});
  *out = r->buf.data();
  return n;
}

// Unpacks the tar in `fd` into `dest`; the sha256 of every byte of the file must be `digest`.
void unpack_hashed_tar(int fd, const std::string& path, const std::string& digest,
                       const std::string& dest) {
  if (::lseek(fd, 0, SEEK_SET) < 0) throw_sys("seek", path);
  HashingReader r{fd, path};
  {
    image::ArchiveReader a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open(a.get(), &r, nullptr, hashing_read, nullptr) != ARCHIVE_OK)
      image::throw_archive(a.get(), path);
    image::unpack_tar(a.get(), path, dest);
  }
  r.sha.update_from(fd, path);  // what follows the end-of-archive blocks counts too
  if ("sha256:" + r.sha.hex() != digest)
    throw Error(fmt::format("{} changed while it was read (sha256 {} before, sha256:{} now)",
                            quote(path), digest, r.sha.hex()));
}

}  // namespace

std::string Store::ensure_tar_unpacked(const std::string& path, UniqueFd& hold) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_sys("open", path);
  struct stat st;
  if (fstat(fd.get(), &st) < 0) throw_sys("stat", path);
  if (!S_ISREG(st.st_mode)) throw Error(fmt::format("{} is not a regular file", quote(path)));
  std::optional<VerifiedRecord> rec = find_record(st, "tar-");
  std::string digest;
  if (rec && rec->digest.size() == 71 && rec->digest.starts_with("sha256:")) {
    digest = rec->digest;
  } else {
    rec.reset();
    image::Digest sha = image::Digest::sha256();
    sha.update_from(fd.get(), path);
    digest = "sha256:" + sha.hex();
  }
  std::string rootfs = ensure_tree(digest.substr(7), [&](const std::string& dest) {
    unpack_hashed_tar(fd.get(), path, digest, dest);
  }, hold);
  if (!rec) save_record(st, {digest, ""}, "tar-");
  return rootfs;
}

}  // namespace bale::store
