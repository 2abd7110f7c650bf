// Parallel chunked gzip compression of the image body (see gzip_body.h).
#include "image/gzip_body.h"

#include <libdeflate.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

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

void HashingSink::resume(int src_fd, const std::string& src_path, uint64_t len,
                         const std::string& hash_state) {
  if (written_ != 0) throw Error("internal: resuming a body that was written to");
  Digest resumed = Digest::resume(hash_state);
  try {
    if (lseek(src_fd, 0, SEEK_SET) < 0) throw_sys("seek in", src_path);
    if (copy_bytes(src_fd, src_path, fd_, path_, len) != len)
      throw Error(fmt::format("{} is shorter than its record says", quote(src_path)));
  } catch (const Error&) {
    // Whatever was copied goes: the caller writes the body from the start instead.
    if (ftruncate(fd_, 0) < 0 || lseek(fd_, 0, SEEK_SET) < 0) throw_sys("empty", path_);
    throw;
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

GzipBodyWriter::GzipBodyWriter(HashingSink& sink, int level, int threads)
    : sink_(sink), level_(level) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  max_in_flight_ = 2 * static_cast<size_t>(threads);
  chunk_.reserve(kChunkSize);
  try {
    threads_.emplace_back([this] { write_loop(); });
    for (int i = 0; i < threads; i++) threads_.emplace_back([this] { compress_loop(); });
  } catch (...) {
    stop_threads();  // no destructor runs for a constructor that throws
    throw;
  }
}

GzipBodyWriter::~GzipBodyWriter() { stop_threads(); }

void GzipBodyWriter::stop_threads() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();  // compressors finish the jobs they were given first
}

void GzipBodyWriter::write(std::string_view data) {
  tar_size_ += data.size();
  while (!data.empty()) {
    size_t take = std::min(data.size(), kChunkSize - chunk_.size());
    chunk_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (chunk_.size() == kChunkSize) submit_chunk();
  }
}

void GzipBodyWriter::submit_chunk() {
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return queue_.size() < max_in_flight_ || error_; });
    if (error_) std::rethrow_exception(error_);
  }
  auto chunk = std::make_shared<const std::string>(std::move(chunk_));
  chunk_ = std::string();
  chunk_.reserve(kChunkSize);
  Pending p{chunk, {}};
  std::optional<std::packaged_task<std::string()>> job;
  std::string member = source_ ? source_(*chunk) : std::string();
  if (!member.empty()) {
    std::promise<std::string> ready;
    ready.set_value(std::move(member));
    p.member = ready.get_future();
  } else {
    job.emplace([chunk, level = level_] { return gzip_member(*chunk, level); });
    p.member = job->get_future();
  }
  {
    std::lock_guard lock(mu_);
    if (job) jobs_.push_back(std::move(*job));
    queue_.push_back(std::move(p));
  }
  changed_.notify_all();
}

void GzipBodyWriter::write_loop() {
  for (;;) {
    Pending p;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      p = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
    }
    changed_.notify_all();  // room in the queue
    std::exception_ptr failed;
    if (!error_) {  // only this thread sets it
      try {
        sha256_.update(*p.chunk);
        sink_.write(p.member.get());
      } catch (...) {
        failed = std::current_exception();
      }
    }
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      if (failed) error_ = failed;
    }
    changed_.notify_all();
  }
}

void GzipBodyWriter::compress_loop() {
  for (;;) {
    std::packaged_task<std::string()> job;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();  // an exception goes into the member's future, for the writer
  }
}

void GzipBodyWriter::wait_idle() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return (queue_.empty() && !writing_) || error_; });
  if (error_) std::rethrow_exception(error_);
}

void GzipBodyWriter::cut() {
  if (!chunk_.empty()) submit_chunk();
}

void GzipBodyWriter::finish() {
  if (!chunk_.empty() || tar_size_ == 0) submit_chunk();
  wait_idle();
  sha256_hex_ = sha256_.hex();
}

std::string GzipBodyWriter::tar_sha256_hex() const { return sha256_hex_; }

BodyCheckpoint GzipBodyWriter::checkpoint() {
  if (!chunk_.empty()) submit_chunk();
  wait_idle();
  return {tar_size_, sink_.written(), sha256_.state(), sink_.hash_state()};
}

void GzipBodyWriter::resume(int src_fd, const std::string& src_path, const BodyCheckpoint& c) {
  if (tar_size_ != 0 || !chunk_.empty()) throw Error("internal: resuming a body that was written to");
  wait_idle();  // nothing was submitted: the writer is idle, and stays so
  sink_.resume(src_fd, src_path, c.body_size, c.file_hash);
  sha256_ = Digest::resume(c.tar_hash);
  tar_size_ = c.tar_size;
}

}  // namespace bale::image
