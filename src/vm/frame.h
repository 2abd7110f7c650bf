// The framed messages on the one virtio-serial port between bale and its guest init. Every
// message is a header (4-byte little-endian payload length, 1 type byte) and the payload, so the
// end of a stream is a message of its own (stdin-eof, exit), never the port closing: a
// virtio-serial port drops what is in flight when one side closes. Pure code: the guest init,
// a static program of its own, is built from this file too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bale::vm {

enum class FrameType : uint8_t {
  // guest -> host
  kReady = 'R',   // the channel is up, the root mounted; payload: the guest's phase times
  kStdout = 'o',  // bytes of the app's stdout (or of its terminal)
  kStderr = 'e',
  kExit = 'x',   // payload: the exit status as decimal (code, or 128+signal), then timings
  kError = 'E',  // payload: exit code as decimal, a space, a message; the app never ran
  // One change of a rw volume, sent after the app exited and before kExit (volume_change.h)
  kVolume = 'V',
  // host -> guest
  kStart = 'S',     // payload: the app's spec (encode_spec)
  kStdin = 'i',     // bytes for the app's stdin
  kStdinEof = 'I',  // the host's stdin ended
  kWinsize = 'w',   // payload: "ROWS COLS"
  kSignal = 'k',    // payload: the signal number as decimal
};

inline constexpr size_t kFrameHeader = 5;
inline constexpr uint32_t kMaxFramePayload = 1u << 20;  // a larger length is a broken stream

struct Frame {
  FrameType type;
  std::string payload;
};

// Appends one message to `out`.
void encode_frame(std::string& out, FrameType type, std::string_view payload);

// Collects bytes as they arrive and hands out whole messages.
class FrameReader {
 public:
  void feed(const char* data, size_t len) { buf_.append(data, len); }
  // The next whole message into `f`; false when more bytes are needed. Sets `bad` on a length
  // past kMaxFramePayload (the stream cannot be trusted after it).
  bool next(Frame& f, bool& bad);

 private:
  std::string buf_;
  size_t pos_ = 0;
};

// What the guest init needs to start the app, as NUL-separated "key=value" records.
struct AppSpec {
  std::vector<std::string> argv, env;
  std::string workdir = "/";
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;
  bool tty = false;
  uint16_t rows = 0, cols = 0;
  // Volumes, "ro:/path" or "rw:/path": the disk with serial "bale-vol-N" (N the index here)
  // at each path; a rw one under a tmpfs overlay whose changes go back as kVolume frames.
  std::vector<std::string> volumes;
  bool read_only = false;  // --read-only: the root's overlay has no upper; /tmp, /run are tmpfs
  bool scratch = false;    // --scratch-size: writes go to the ext4 disk of serial "bale-scratch"
  // --tmpfs: "PATH" or "PATH\nOPTIONS" (tmpfs mount data, e.g. size=64m).
  std::vector<std::string> tmpfs;
};
std::string encode_spec(const AppSpec& s);
// false when a record is malformed.
bool decode_spec(std::string_view data, AppSpec& s);

}  // namespace bale::vm
