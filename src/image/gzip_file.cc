// Inflating a whole gzip file through maps (see gzip_file.h).
#include "image/gzip_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include <fmt/format.h>
#include <libdeflate.h>

#include "base/error.h"

namespace bale::image {

namespace {

struct Map {
  void* at = MAP_FAILED;
  size_t len = 0;
  ~Map() { reset(); }
  void reset() {
    if (at != MAP_FAILED) munmap(at, len);
    at = MAP_FAILED;
  }
  char* bytes() const { return static_cast<char*>(at); }
};

void map_output(Map& m, int fd, uint64_t len, const std::string& path) {
  m.reset();
  if (ftruncate(fd, static_cast<off_t>(len)) < 0) throw_sys("ftruncate", path);
  m.at = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m.at == MAP_FAILED) throw_sys("mmap", path);
  m.len = len;
}

uint32_t le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

bool inflate_gzip_file(int in_fd, uint64_t size, const std::string& in_name, int out_fd,
                       const std::string& out_path, uint64_t max_out,
                       const std::function<void(std::string_view)>& seen) {
  if (size < 18) return false;
  Map in;
  in.at = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, in_fd, 0);
  if (in.at == MAP_FAILED) throw_sys("mmap", in_name);
  in.len = size;
  auto u = reinterpret_cast<const unsigned char*>(in.bytes());
  if (u[0] != 0x1f || u[1] != 0x8b || u[2] != 8) return false;
  madvise(in.at, size, MADV_SEQUENTIAL);
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (!d) throw Error("libdeflate: out of memory");
  // The last member's ISIZE is the whole output's size for the usual one-member layer.
  uint64_t cap = std::max<uint64_t>(le32(u + size - 4), 1u << 20);
  auto give_up = [&] {
    if (ftruncate(out_fd, 0) < 0) throw_sys("ftruncate", out_path);
    return false;
  };
  if (cap > max_out) return give_up();
  Map out;
  map_output(out, out_fd, cap, out_path);
  uint64_t in_at = 0, out_at = 0;
  while (in_at < size) {
    if (u[in_at] != 0x1f) {
      // Zeros after the last member are padding some writers add; anything else is damage.
      if (std::all_of(u + in_at, u + size, [](unsigned char c) { return c == 0; })) break;
      throw Error(fmt::format("{}: damaged gzip stream: no member at byte {}", quote(in_name), in_at));
    }
    size_t in_used = 0, out_used = 0;
    auto r = libdeflate_gzip_decompress_ex(d.get(), u + in_at, size - in_at, out.bytes() + out_at,
                                           cap - out_at, &in_used, &out_used);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
      if (cap * 2 > max_out) return give_up();
      cap *= 2;
      map_output(out, out_fd, cap, out_path);
      continue;
    }
    if (r != LIBDEFLATE_SUCCESS)
      throw Error(fmt::format("{}: damaged gzip stream: the member at byte {} does not inflate",
                              quote(in_name), in_at));
    seen(std::string_view(out.bytes() + out_at, out_used));
    in_at += in_used;
    out_at += out_used;
  }
  out.reset();
  if (ftruncate(out_fd, static_cast<off_t>(out_at)) < 0) throw_sys("ftruncate", out_path);
  return true;
}

}  // namespace bale::image
