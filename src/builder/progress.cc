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
  if (!step_.number) {
    step_.number = ++shown_;
    if (shown_ > total_) total_ = shown_;  // an image base's ONBUILD triggers, counted late
  }
  if (quiet_) return;
  std::string where = step_.stage.empty() ? "" : step_.stage + " ";
  std::string out = fmt::format("[{}{}/{}] {}\n", where, step_.number, total_, text);
  if (holding_) {
    held_ += out;
    return;
  }
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

void Progress::begin(const std::string& instruction, bool deferred) {
  step_.text = one_line(instruction);
  step_.number = 0;
  step_.start = std::chrono::steady_clock::now();
  if (!deferred) line(step_.text);
}

Progress::Step Progress::suspend() const {
  Step s = step_;
  s.suspended = std::chrono::steady_clock::now();
  return s;
}

void Progress::resume(Step step) {
  step.start += std::chrono::steady_clock::now() - step.suspended;
  step_ = std::move(step);
}

void Progress::cached() { line(step_.text + " CACHED"); }

void Progress::started() {
  if (holding_ && !quiet_) std::fputs(held_.c_str(), stderr);
  holding_ = false;
  held_.clear();
  line(step_.text);
}

void Progress::done() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - step_.start).count();
  line(fmt::format("DONE {}.{:02}s", ms / 1000, (ms % 1000) / 10));
}

}  // namespace bale::builder
