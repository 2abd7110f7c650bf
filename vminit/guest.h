// The guest init's parts (vminit/): the channel to bale (channel.cc), the root and API mounts
// (mounts.cc), the volumes (volumes.cc), the app's start and relay (exec.cc), and main
// (init.cc). Static, no NSS, no exceptions: a failure is die(), which tells bale and ends the VM.
#pragma once

#include <string>
#include <vector>

#include "vm/frame.h"

namespace guest {

// channel.cc: the virtio-serial port "bale" (-1 until it is open).
extern int g_chan;
long long now_us();
void log_console(const std::string& msg);
void send(bale::vm::FrameType t, const std::string& payload);
// Waits a while for bale to end the VM, then reboots (QEMU's -no-reboot ends it).
[[noreturn]] void power_off();
// A failure before the app ran: to bale if the channel is up, else to the console. Ends the VM.
[[noreturn]] void die(int code, const std::string& msg);
std::string errno_text(const std::string& op, const std::string& path);
// A small file's text, trailing newlines and blanks dropped ("" when it cannot be read).
std::string read_small(const std::string& path);
// The payload of the first kStart frame on the channel.
std::string read_spec_frame(bale::vm::FrameReader& reader);

// mounts.cc
void must_mount(const char* src, const char* dst, const char* type, unsigned long flags, const char* data);
void load_modules();
// The /sys/<cls> entry whose `attr` reads `want` (devices probe asynchronously: polled).
std::string find_by_attr(const char* cls, const char* attr, const std::string& want);
// The image's erofs at /lower, before the spec comes (what is left depends on the spec).
void mount_lower();
// /rw (a tmpfs, or the scratch disk) and the root at /newroot: the overlay over /lower with
// an upper on /rw, or with --read-only lowers only; then the API file systems and tmpfs mounts.
void mount_root(const bale::vm::AppSpec& s);
void enter_root();
void setup_network();
void make_dirs(const std::string& path);

// volumes.cc: each volume mounted under /newroot; the fds of rw ones' upper dirs (-1 for ro).
std::vector<int> mount_volumes(const bale::vm::AppSpec& s);
// A rw volume's changes (its overlay upper under `dir`) sent to bale, parents first.
void send_changes(unsigned vol, int dir, const std::string& rel);

// exec.cc
struct Child {
  int pid = -1;
  int in = -1, out = -1, err = -1;  // in == out == the pty master with a terminal
};
Child start_app(const bale::vm::AppSpec& s);
// Relays until the app has exited and its output is drained; returns its wait status.
int supervise(Child& c, bale::vm::FrameReader& reader, int sigfd);

}  // namespace guest
