// Step lines (see progress.h).
#include "builder/progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace bale::builder {

namespace {

// One line, however long or multi-line the instruction.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\n' || c == '\r' ? ' ' : c;
  if (out.size() > 160) out = out.substr(0, 157) + "...";
  return out;
}

}  // namespace

void Progress::line(const std::string& text) {
  if (quiet_) return;
  std::fputs(fmt::format("[{}/{}] {}\n", n_, total_, text).c_str(), stderr);
  std::fflush(stderr);
}

void Progress::begin(const std::string& instruction, bool deferred) {
  n_++;
  if (n_ > total_) total_ = n_;
  text_ = one_line(instruction);
  start_ = std::chrono::steady_clock::now();
  if (!deferred) line(text_);
}

void Progress::cached() { line(text_ + " CACHED"); }

void Progress::started() { line(text_); }

void Progress::done() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start_).count();
  line(fmt::format("DONE {}.{:02}s", ms / 1000, (ms % 1000) / 10));
}

}  // namespace bale::builder
