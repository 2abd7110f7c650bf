// The guest's end of the channel: the framed virtio-serial port "bale" (src/vm/frame.h), the
// console for what cannot reach it, and the way a failure ends the VM.
#include <fcntl.h>
#include <poll.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "guest.h"

using bale::vm::encode_frame;
using bale::vm::Frame;
using bale::vm::FrameReader;
using bale::vm::FrameType;

namespace guest {

int g_chan = -1;

long long now_us() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void log_console(const std::string& msg) {
  std::string line = "bale-init: " + msg + "\n";
  if (write(2, line.data(), line.size()) < 0) {
  }
}

// Writes all of `data` to the channel (blocking: the host always reads).
static void send_raw(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(g_chan, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{g_chan, POLLOUT, 0};
      poll(&p, 1, -1);
      continue;
    }
    if (n <= 0) return;
    off += n;
  }
}

void send(FrameType t, const std::string& payload) {
  std::string out;
  encode_frame(out, t, payload);
  send_raw(out);
}

[[noreturn]] void power_off() {
  // The last message may still be in QEMU's hands: bale ends the VM once it has it (its root is
  // read-only, its writes in a tmpfs). Reboot only if bale has not done so in a while.
  if (g_chan >= 0) {
    long long until = now_us() + 5000000;
    char buf[4096];
    for (long long left; (left = until - now_us()) > 0;) {
      pollfd p{g_chan, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left / 1000) + 1) <= 0) break;
      if (read(g_chan, buf, sizeof buf) <= 0) break;
    }
  }
  sync();
  reboot(RB_AUTOBOOT);  // QEMU runs with -no-reboot: a reboot ends it
  for (;;) pause();
}

[[noreturn]] void die(int code, const std::string& msg) {
  if (g_chan >= 0)
    send(FrameType::kError, std::to_string(code) + " " + msg);
  else
    log_console(msg);
  power_off();
}

std::string errno_text(const std::string& op, const std::string& path) {
  return op + " '" + path + "': " + strerror(errno);
}

std::string read_small(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  std::string s = n > 0 ? std::string(buf, n) : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string read_spec_frame(FrameReader& reader) {
  char buf[65536];
  for (;;) {
    Frame f;
    bool bad = false;
    while (reader.next(f, bad))
      if (f.type == FrameType::kStart) return f.payload;
    if (bad) die(125, "a broken frame on the channel");
    ssize_t n = read(g_chan, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(125, "the channel closed before the app's spec came");
    reader.feed(buf, n);
  }
}

}  // namespace guest
