// Prefixed, whole-line output (see prefix.h).
#include "project/prefix.h"

#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace bale::project {

namespace {

// A line longer than this is written in parts: a child must not make bale hold unbounded text.
constexpr size_t kMaxLine = 64 * 1024;

void write_all_stdout(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(1, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stdout gone: the children's output has nowhere to go
    off += static_cast<size_t>(n);
  }
}

}  // namespace

LinePrefixer::LinePrefixer(std::string name, size_t width, int colour_index, bool colour) {
  std::string padded = fmt::format("{:<{}} |", name, width);
  // Green, yellow, blue, magenta, cyan, then the bright ones: red is left for errors.
  static const int kColours[] = {32, 33, 34, 35, 36, 92, 93, 94, 95, 96};
  prefix_ = colour ? fmt::format("\033[{}m{}\033[0m ", kColours[colour_index % 10], padded) : padded + " ";
}

void LinePrefixer::emit(const std::string& line) { write_all_stdout(prefix_ + line + "\n"); }

void LinePrefixer::feed(const char* data, size_t n) {
  pending_.append(data, n);
  size_t start = 0;
  for (;;) {
    size_t nl = pending_.find('\n', start);
    if (nl == std::string::npos) break;
    emit(pending_.substr(start, nl - start));
    start = nl + 1;
  }
  pending_.erase(0, start);
  while (pending_.size() >= kMaxLine) {
    emit(pending_.substr(0, kMaxLine));
    pending_.erase(0, kMaxLine);
  }
}

void LinePrefixer::finish() {
  if (!pending_.empty()) emit(pending_);
  pending_.clear();
}

}  // namespace bale::project
