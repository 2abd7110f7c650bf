// The caller's terminal while a VM runs: raw mode (every key, ^C included, goes to the guest's
// own terminal, whose line discipline makes the signals), restored however bale leaves.
#pragma once

#include <termios.h>

#include <cstdint>

namespace bale::vm {

class RawTerminal {
 public:
  // Puts `fd` in raw mode if it is a terminal; otherwise does nothing.
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

// The window size of the terminal on `fd` (0 0 when it is none).
void window_size(int fd, uint16_t& rows, uint16_t& cols);

}  // namespace bale::vm
