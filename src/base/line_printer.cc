// The terminal status line (see line_printer.h).
#include "base/line_printer.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace bale {

size_t stderr_columns() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

LinePrinter::LinePrinter() : smart_(isatty(STDERR_FILENO) == 1) {}

void LinePrinter::status(const std::string& text, bool force) {
  if (!smart_ || (drawn_ && text == shown_)) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  shown_ = text;
  size_t width = stderr_columns();
  // One column short of the width: a character in the last column may make a terminal wrap.
  std::string shown = elide_middle(text, width > 1 ? width - 1 : 0);
  std::fprintf(stderr, "\r%s\x1b[K", shown.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void LinePrinter::line(const std::string& text) {
  if (smart_ && drawn_) std::fprintf(stderr, "\r\x1b[K");
  std::fprintf(stderr, "%s\n", text.c_str());
  drawn_ = false;
}

void LinePrinter::finish() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

std::string elide_middle(const std::string& text, size_t width) {
  const std::string dots = "...";
  if (width == 0 || text.size() <= width) return text;
  if (width <= dots.size()) return text.substr(0, width);
  size_t keep = width - dots.size(), head = (keep + 1) / 2;
  return text.substr(0, head) + dots + text.substr(text.size() - (keep - head));
}

}  // namespace bale
