// The compressed body of an image: the tar stream cut into 1 MiB chunks, each deflated on its
// own (by all cores at once) into an independent gzip member. Every member carries its own
// compressed size in an FEXTRA subfield ('b','l'), so a reader can find each member without
// inflating the one before it and inflate them in parallel. Concatenated gzip members are one
// valid gzip stream (RFC 1952 2.2): gzip, GNU tar, bsdtar and the rest read it as one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "image/digest.h"

namespace bale::image {

inline constexpr size_t kChunkSize = 1u << 20;
// libdeflate levels: 6 for `bale pack` (an image made once and shipped: within 1 % of gzip -6);
// 2 for `bale build`, which makes images over and over: about 1.5 % larger, twice as fast.
inline constexpr int kCompressionLevel = 6;
inline constexpr int kBuildCompressionLevel = 2;
// 1 for the layers of an OCI image merged by `bale import` and `bale pull`: the registry holds the
// shipped copy, this one is a local cache; about 6 % larger than level 2 and half again as fast.
inline constexpr int kMergeCompressionLevel = 1;

// A body member's header: ID1 ID2 CM=deflate FLG=FEXTRA, MTIME 0, XFL 0, OS 255, XLEN 8, then the
// 'b','l' subfield of length 4 whose value (bytes 16-19, little-endian) is the member's length.
inline constexpr unsigned char kMemberHeader[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0,
                                                    0,    0xff, 8, 0, 'b', 'l', 4, 0};
inline constexpr size_t kMemberHeaderSize = sizeof kMemberHeader + 4;

// Byte sink for the compressed file: writes to an fd and hashes everything written with
// SHA-512 (the signature covers the stored bytes, so hashing them is all verification needs).
class HashingSink {
 public:
  HashingSink(int fd, std::string path);
  HashingSink(const HashingSink&) = delete;
  HashingSink& operator=(const HashingSink&) = delete;

  void write(std::string_view data);
  uint64_t written() const { return written_; }
  int fd() const { return fd_; }
  // SHA-512 of everything written so far (the running hash continues).
  std::string digest() const;
  std::string hash_state() const { return sha512_.state(); }
  // Starts from an earlier file's first `len` bytes (copied from `src_fd`, the file `src_path`),
  // whose SHA-512 state after them is `hash_state`: nothing may have been written yet. When it
  // throws, the file is left empty again.
  void resume(int src_fd, const std::string& src_path, uint64_t len, const std::string& hash_state);

 private:
  int fd_;
  std::string path_;
  uint64_t written_ = 0;
  Digest sha512_ = Digest::sha512();
};

// Where a body stood at a member boundary: enough to continue an identical body later without
// reading or compressing its beginning again.
struct BodyCheckpoint {
  uint64_t tar_size = 0, body_size = 0;
  std::string tar_hash, file_hash;  // Digest::state() of the tar's SHA-256, the file's SHA-512
};

// Receives the uncompressed tar stream; compresses chunks in parallel and writes them to the
// sink in order. Also computes the tar's SHA-256 (the OCI diff_id) and size.
// Three kinds of threads share the work, so that the caller's (reading files, making tar
// headers) is never held up by hashing or writing: the caller cuts chunks; a pool of
// `threads` compressors deflates them; one writer thread takes them in order, hashes the tar
// (SHA-256) and the file (SHA-512, in the sink) and writes. All of them end with the object.
class GzipBodyWriter {
 public:
  explicit GzipBodyWriter(HashingSink& sink, int level = kCompressionLevel, int threads = 0);
  ~GzipBodyWriter();
  GzipBodyWriter(const GzipBodyWriter&) = delete;
  GzipBodyWriter& operator=(const GzipBodyWriter&) = delete;

  void write(std::string_view data);
  // The file being written (to keep it out of a tree packed into itself).
  int output_fd() const { return sink_.fd(); }
  // Flushes the last chunk and waits for every member to be written.
  void finish();
  // Ends the current member here (a shorter one), waits for all to be written, and says where
  // the body stands.
  BodyCheckpoint checkpoint();
  // Continues the body of another image file from `c` (its first c.body_size bytes are copied
  // from `src_fd`, the file `src_path`). Only before anything was written.
  void resume(int src_fd, const std::string& src_path, const BodyCheckpoint& c);
  // Ends the current chunk here (a shorter member) without waiting for it.
  void cut();
  // Asked for each chunk before compressing it: a member that already holds exactly these bytes
  // (from another image), or "" to compress. Called on the caller's thread, in order.
  using MemberSource = std::function<std::string(std::string_view chunk)>;
  void set_member_source(MemberSource source) { source_ = std::move(source); }

  uint64_t tar_size() const { return tar_size_; }
  std::string tar_sha256_hex() const;  // valid after finish()

 private:
  // A chunk on its way out: its bytes (for the tar's hash) and its member, when ready.
  struct Pending {
    std::shared_ptr<const std::string> chunk;
    std::future<std::string> member;
  };
  void submit_chunk();
  // Waits until every chunk submitted is written; rethrows what stopped the writer.
  void wait_idle();
  void write_loop();
  void compress_loop();
  void stop_threads();

  HashingSink& sink_;
  MemberSource source_;
  int level_;
  size_t max_in_flight_;
  std::string chunk_;
  uint64_t tar_size_ = 0;
  Digest sha256_ = Digest::sha256();  // the writer thread's, or the caller's while idle
  std::string sha256_hex_;

  std::mutex mu_;
  std::condition_variable changed_;  // queue_, jobs_, writing_, error_ or stop_ changed
  std::deque<Pending> queue_;        // submitted, not yet taken by the writer, in order
  std::deque<std::packaged_task<std::string()>> jobs_;  // chunks to deflate
  bool writing_ = false;             // the writer holds a chunk taken from queue_
  bool stop_ = false;
  std::exception_ptr error_;         // what the writer failed with: nothing more is written
  std::vector<std::thread> threads_;
};

// One gzip member holding `data`, with the 'bl' size subfield. Deterministic: mtime 0, OS 255.
std::string gzip_member(std::string_view data, int level = kCompressionLevel);

}  // namespace bale::image
