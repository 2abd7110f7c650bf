// libarchive readers over a byte range of a file (see body_reader.h).
#include "image/body_reader.h"

#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::image {

namespace {

struct RangeSource {
  int fd;
  uint64_t pos, end;
  std::vector<char> buf;
};

la_ssize_t range_read(archive* a, void* p, const void** out) {
  auto* s = static_cast<RangeSource*>(p);
  size_t want = std::min<uint64_t>(s->buf.size(), s->end - s->pos);
  if (want == 0) return 0;
  ssize_t n;
  do n = pread(s->fd, s->buf.data(), want, s->pos);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    archive_set_error(a, errno, "read failed");
    return -1;
  }
  s->pos += n;
  *out = s->buf.data();
  return n;
}

int range_close(archive*, void* p) {
  delete static_cast<RangeSource*>(p);
  return ARCHIVE_OK;
}

}  // namespace

void throw_archive(archive* a, const std::string& path, std::string_view what) {
  const char* msg = archive_error_string(a);
  int err = archive_errno(a);
  throw Error(fmt::format("reading {}{}{}: {}", quote(path), what.empty() ? "" : ": ", what,
                          msg ? msg : "unknown libarchive error"),
              err > 0 ? err : 0);
}

ArchiveReader open_archive_range(int fd, uint64_t off, uint64_t len, const std::string& path,
                                 bool raw) {
  ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
  }
  auto* src = new RangeSource{fd, off, off + len, std::vector<char>(1 << 20)};
  if (archive_read_open(a.get(), src, nullptr, range_read, range_close) != ARCHIVE_OK)
    throw_archive(a.get(), path);
  return a;
}

void inflate_range(int fd, uint64_t off, uint64_t len, const std::string& path,
                   const std::function<void(std::string_view)>& sink) {
  ArchiveReader a = open_archive_range(fd, off, len, path, true);
  archive_entry* e;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK) throw_archive(a.get(), path);
  std::vector<char> buf(1 << 20);
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0) throw_archive(a.get(), path);
    if (n == 0) break;
    sink(std::string_view(buf.data(), n));
  }
}

}  // namespace bale::image
