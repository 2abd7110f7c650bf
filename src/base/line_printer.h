// A status line on stderr, as ninja's LinePrinter: on a terminal it rewrites itself in place
// ('\r', clear to the end of the line), in a log each line that matters is printed once.
#pragma once

#include <chrono>
#include <string>

namespace bale {

class LinePrinter {
 public:
  LinePrinter();
  // Whether stderr is a terminal, where status() rewrites one line.
  bool smart() const { return smart_; }
  // Shows `text` as the current status on a terminal, at most ten times a second unless
  // `force` (a final state must be seen); does nothing in a log.
  void status(const std::string& text, bool force = false);
  // A line that stays: on a terminal it replaces the status line.
  void line(const std::string& text);
  // Ends a status line that was drawn, so what follows starts on a line of its own.
  void finish();

 private:
  bool smart_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
  std::string shown_;  // what the status line shows now: drawing it again would only flicker
};

// Columns of the terminal on stderr; 0 when unknown (not a terminal, or a pty never given a size).
size_t stderr_columns();

// `text` cut in the middle with "..." to fit `width` columns (0: no limit); a status line that
// wraps can no longer be rewritten with '\r'.
std::string elide_middle(const std::string& text, size_t width);

}  // namespace bale
