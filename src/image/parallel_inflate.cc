// Parallel inflation of chunked gzip bodies (see parallel_inflate.h).
#include "image/parallel_inflate.h"

#include <libdeflate.h>

#include <cstring>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/gzip_body.h"

namespace bale::image {

namespace {

constexpr size_t kHeader = kMemberHeaderSize;
// A member's data can exceed its chunk a little when the chunk does not compress at all.
constexpr uint64_t kMaxMember = kChunkSize + kChunkSize / 8 + 4096;

uint32_t le32(std::string_view s, size_t at) {
  return uint8_t(s[at]) | uint8_t(s[at + 1]) << 8 | uint8_t(s[at + 2]) << 16 |
         uint32_t(uint8_t(s[at + 3])) << 24;
}

// The member length recorded in a bale member header, or 0 if this is not one.
uint32_t member_size(std::string_view h) {
  // Bytes 4-9 (MTIME, XFL, OS) are not checked: any writer's value is fine.
  if (h.size() < kHeader || std::memcmp(h.data(), kMemberHeader, 4) != 0 ||
      std::memcmp(h.data() + 10, kMemberHeader + 10, 6) != 0)
    return 0;
  return le32(h, 16);
}

std::string inflate_member(const std::string& member, const std::string& path, uint64_t at) {
  struct Free {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
  };
  thread_local std::unique_ptr<libdeflate_decompressor, Free> d(libdeflate_alloc_decompressor());
  uint32_t isize = le32(member, member.size() - 4);
  if (isize > kChunkSize)
    throw Error(fmt::format("{}: damaged body: member at byte {} declares {} bytes", quote(path),
                            at, isize));
  std::string out(isize, '\0');
  size_t in_used = 0, out_used = 0;
  auto r = libdeflate_gzip_decompress_ex(d.get(), member.data(), member.size(), out.data(),
                                         out.size(), &in_used, &out_used);
  if (r != LIBDEFLATE_SUCCESS || in_used != member.size() || out_used != isize)
    throw Error(fmt::format("{}: damaged body: gzip member at byte {} does not inflate",
                            quote(path), at));
  return out;
}

}  // namespace

ParallelInflater::ParallelInflater(int fd, uint64_t body_size, std::string path, int threads)
    : fd_(fd), body_size_(body_size), path_(std::move(path)) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  max_in_flight_ = 2 * threads;
}

ParallelInflater::~ParallelInflater() {
  for (auto& f : in_flight_) f.wait();
}

bool ParallelInflater::is_chunked(int fd, uint64_t body_size, const std::string& path) {
  return body_size >= kHeader && member_size(pread_exact(fd, 0, kHeader, path)) != 0;
}

void ParallelInflater::schedule() {
  while (in_flight_.size() < max_in_flight_ && pos_ < body_size_) {
    std::string head = pread_exact(fd_, pos_, std::min<uint64_t>(kHeader, body_size_ - pos_), path_);
    uint32_t size = member_size(head);
    if (size < kHeader + 8 || size > kMaxMember || pos_ + size > body_size_)
      throw Error(fmt::format("{}: damaged body: no valid gzip member at byte {}", quote(path_),
                              pos_));
    std::string member = pread_exact(fd_, pos_, size, path_);
    in_flight_.push_back(std::async(std::launch::async,
                                    [m = std::move(member), p = path_, at = pos_] {
                                      return inflate_member(m, p, at);
                                    }));
    pos_ += size;
  }
}

std::string_view ParallelInflater::next() {
  schedule();
  if (in_flight_.empty()) return {};
  current_ = in_flight_.front().get();
  in_flight_.pop_front();
  schedule();  // keep the workers busy while the caller consumes this piece
  return current_;
}

}  // namespace bale::image
