// Raw mode and window size of the caller's terminal (see terminal.h).
#include "vm/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace bale::vm {

RawTerminal::RawTerminal(int fd) : fd_(fd) {
  if (!isatty(fd) || tcgetattr(fd, &saved_) != 0) return;
  termios raw = saved_;
  cfmakeraw(&raw);
  if (tcsetattr(fd, TCSADRAIN, &raw) == 0) active_ = true;
}

RawTerminal::~RawTerminal() {
  if (active_) tcsetattr(fd_, TCSADRAIN, &saved_);
}

void window_size(int fd, uint16_t& rows, uint16_t& cols) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0) ws = {};
  rows = ws.ws_row;
  cols = ws.ws_col;
}

}  // namespace bale::vm
