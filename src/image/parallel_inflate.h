// Inflating a bale body on every core: each member's size is in its 'bl' subfield, so members
// are located without inflating their predecessors and inflated concurrently with libdeflate,
// then handed out in order.
#pragma once

#include <cstdint>
#include <deque>
#include <future>
#include <string>
#include <string_view>

namespace bale::image {

class ParallelInflater {
 public:
  ParallelInflater(int fd, uint64_t body_size, std::string path, int threads = 0);
  ~ParallelInflater();
  ParallelInflater(const ParallelInflater&) = delete;
  ParallelInflater& operator=(const ParallelInflater&) = delete;

  // Does the body start with a bale member (one that carries its size)?
  static bool is_chunked(int fd, uint64_t body_size, const std::string& path);

  // The next piece of the decompressed stream; empty at the end. Valid until the next call.
  std::string_view next();

 private:
  void schedule();

  int fd_;
  uint64_t body_size_, pos_ = 0;
  std::string path_;
  size_t max_in_flight_;
  std::deque<std::future<std::string>> in_flight_;
  std::string current_;
};

}  // namespace bale::image
