// Progress bars per item (see progress_bars.h).
#include "base/progress_bars.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "base/line_printer.h"

namespace bale {

namespace {

constexpr int kBarCells = 20;

}  // namespace

std::string render_bar(const Bar& b, size_t width) {
  uint64_t done = std::min(b.done, b.total);
  int filled = b.total == 0 ? (b.finished ? kBarCells : 0)
                            : static_cast<int>(kBarCells * done / b.total);
  std::string tail = b.state.empty()
                         ? fmt::format("{:6.1f} / {:.1f} MB", done / 1e6, b.total / 1e6)
                         : fmt::format("{:.1f} MB {}", b.total / 1e6, b.state);
  std::string line = fmt::format("{} [{}{}] {}", b.label, std::string(filled, '#'),
                                 std::string(kBarCells - filled, ' '), tail);
  return elide_middle(line, width);
}

ProgressBars::ProgressBars(std::vector<Bar> bars)
    : bars_(std::move(bars)), smart_(isatty(STDERR_FILENO) == 1) {}

ProgressBars::~ProgressBars() { finish(); }

void ProgressBars::add(size_t i, uint64_t bytes) {
  std::lock_guard<std::mutex> hold(mu_);
  bars_.at(i).done += bytes;
  draw(false);
}

void ProgressBars::set_state(size_t i, const std::string& s) {
  std::lock_guard<std::mutex> hold(mu_);
  bars_.at(i).finished = true;
  bars_.at(i).state = s;
  draw(true);
}

void ProgressBars::finish() {
  std::lock_guard<std::mutex> hold(mu_);
  if (finished_) return;
  if (drawn_lines_ > 0) draw(true);
  finished_ = true;
}

void ProgressBars::draw(bool force) {
  if (!smart_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && drawn_lines_ > 0 && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  size_t width = stderr_columns();
  // One column short of the width: a character in the last column may make a terminal wrap,
  // and a wrapped line would throw off the cursor-up count.
  size_t cols = width > 1 ? width - 1 : 0;
  std::string out;
  if (drawn_lines_ > 0) out += fmt::format("\x1b[{}A", drawn_lines_);
  for (const Bar& b : bars_) out += "\r" + render_bar(b, cols) + "\x1b[K\n";
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
  drawn_lines_ = bars_.size();
}

}  // namespace bale
