// Parallel chunked gzip compression of the image body (see gzip_body.h).
#include "image/gzip_body.h"

#include <libdeflate.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "base/error.h"
#include "base/fs.h"

namespace bale::image {

namespace {

void put_le32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

HashingSink::HashingSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

void HashingSink::write(std::string_view data) {
  sha512_.update(data);
  write_all(fd_, data, path_);
  written_ += data.size();
}

std::string HashingSink::digest() const { return sha512_.bytes(); }

void HashingSink::resume(int src_fd, uint64_t len, const std::string& hash_state) {
  if (written_ != 0) throw Error("internal: resuming a body that was written to");
  Digest resumed = Digest::resume(hash_state);
  loff_t in_off = 0;
  uint64_t left = len;
  while (left > 0) {
    ssize_t n = copy_file_range(src_fd, &in_off, fd_, nullptr, left, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS) throw_sys("copy into", path_);
      // No in-kernel copy: through a buffer.
      std::string buf(std::min<uint64_t>(left, 1 << 20), '\0');
      ssize_t r = pread(src_fd, buf.data(), buf.size(), in_off);
      if (r <= 0) throw_sys("read the earlier image for", path_);
      write_all(fd_, std::string_view(buf.data(), static_cast<size_t>(r)), path_);
      n = r;
      in_off += r;
    }
    left -= static_cast<uint64_t>(n);
  }
  sha512_ = std::move(resumed);
  written_ = len;
}

// Member layout: kMemberHeader, the member's length, raw deflate, CRC32 and ISIZE.
std::string gzip_member(std::string_view data, int level) {
  constexpr size_t kHeader = kMemberHeaderSize;
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  thread_local std::unique_ptr<libdeflate_compressor, Free> comp;
  thread_local int comp_level = -1;
  if (!comp || comp_level != level) {
    comp.reset(libdeflate_alloc_compressor(level));
    comp_level = level;
    if (!comp) throw Error("libdeflate: cannot allocate a compressor");
  }
  size_t bound = libdeflate_deflate_compress_bound(comp.get(), data.size());
  std::string out(kHeader + bound + 8, '\0');
  std::memcpy(out.data(), kMemberHeader, sizeof kMemberHeader);
  size_t n = libdeflate_deflate_compress(comp.get(), data.data(), data.size(),
                                         out.data() + kHeader, bound);
  if (n == 0) throw Error("libdeflate: compressed data did not fit its bound");
  out.resize(kHeader + n + 8);
  put_le32(out, kHeader + n, libdeflate_crc32(0, data.data(), data.size()));
  put_le32(out, kHeader + n + 4, static_cast<uint32_t>(data.size()));
  put_le32(out, 16, static_cast<uint32_t>(out.size()));
  return out;
}

GzipBodyWriter::GzipBodyWriter(HashingSink& sink, int threads) : sink_(sink) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  max_in_flight_ = 2 * threads;
  chunk_.reserve(kChunkSize);
}

GzipBodyWriter::~GzipBodyWriter() {
  for (auto& f : in_flight_) f.wait();  // never leave a worker writing into freed memory
}

void GzipBodyWriter::write(std::string_view data) {
  sha256_.update(data);
  tar_size_ += data.size();
  while (!data.empty()) {
    size_t take = std::min(data.size(), kChunkSize - chunk_.size());
    chunk_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (chunk_.size() == kChunkSize) submit_chunk();
  }
}

void GzipBodyWriter::submit_chunk() {
  drain(max_in_flight_ - 1);
  std::string chunk;
  chunk.reserve(kChunkSize);
  chunk.swap(chunk_);
  if (source_) {
    if (std::string member = source_(chunk); !member.empty()) {
      std::promise<std::string> ready;
      ready.set_value(std::move(member));
      in_flight_.push_back(ready.get_future());
      return;
    }
  }
  in_flight_.push_back(std::async(std::launch::async,
                                  [c = std::move(chunk)] { return gzip_member(c); }));
}

void GzipBodyWriter::cut() {
  if (!chunk_.empty()) submit_chunk();
}

void GzipBodyWriter::drain(size_t keep) {
  while (in_flight_.size() > keep) {
    std::string member = in_flight_.front().get();
    in_flight_.pop_front();
    sink_.write(member);
  }
}

void GzipBodyWriter::finish() {
  if (!chunk_.empty() || tar_size_ == 0) submit_chunk();
  drain(0);
  sha256_hex_ = sha256_.hex();
}

std::string GzipBodyWriter::tar_sha256_hex() const { return sha256_hex_; }

BodyCheckpoint GzipBodyWriter::checkpoint() {
  if (!chunk_.empty()) submit_chunk();
  drain(0);
  return {tar_size_, sink_.written(), sha256_.state(), sink_.hash_state()};
}

void GzipBodyWriter::resume(int src_fd, const BodyCheckpoint& c) {
  if (tar_size_ != 0 || !chunk_.empty()) throw Error("internal: resuming a body that was written to");
  sink_.resume(src_fd, c.body_size, c.file_hash);
  sha256_ = Digest::resume(c.tar_hash);
  tar_size_ = c.tar_size;
}

}  // namespace bale::image
