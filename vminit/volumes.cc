// The guest's side of `-v` with --vm: each volume's erofs snapshot mounted in the new root
// (rw ones under an overlay), and after the app, what it changed in a rw one sent to bale.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "guest.h"
#include "vm/volume_change.h"

using bale::vm::AppSpec;
using bale::vm::FrameType;

namespace guest {

// Each volume's disk (serial bale-vol-N) at its path in the new root, before init moves into
// it: a ro one mounted as it is, a snapshot of the host directory taken when bale started the
// VM; a rw one under an overlay whose tmpfs upper holds the app's changes, which init sends
// back at the end (send_changes). Their mounts under /rw stay out of the app's sight.
std::vector<int> mount_volumes(const AppSpec& s) {
  std::vector<int> uppers;
  for (size_t i = 0; i < s.volumes.size(); i++) {
    bool rw = s.volumes[i].rfind("rw:", 0) == 0;
    std::string path = s.volumes[i].substr(3);
    std::string at = "/newroot" + path;
    std::string disk = "/dev/" + find_by_attr("/sys/block", "serial", "bale-vol-" + std::to_string(i));
    make_dirs(at);
    if (!rw) {
      if (mount(disk.c_str(), at.c_str(), "erofs", MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
        die(125, errno_text("mount the volume at", path));
      uppers.push_back(-1);
      continue;
    }
    std::string base = "/rw/vol-" + std::to_string(i);
    for (const char* d : {"", "/lower", "/upper", "/work"}) mkdir((base + d).c_str(), 0755);
    if (mount(disk.c_str(), (base + "/lower").c_str(), "erofs", MS_RDONLY, nullptr) != 0)
      die(125, errno_text("mount the volume's copy for", path));
    // The overlay's root takes the upper directory's owner and mode: the host directory's.
    struct stat top;
    if (stat((base + "/lower").c_str(), &top) == 0) {
      if (chown((base + "/upper").c_str(), top.st_uid, top.st_gid) != 0 ||
          chmod((base + "/upper").c_str(), top.st_mode & 07777) != 0)
        die(125, errno_text("chown", base + "/upper"));
    }
    std::string opts = "lowerdir=" + base + "/lower,upperdir=" + base + "/upper,workdir=" + base + "/work";
    if (mount("overlay", at.c_str(), "overlay", 0, opts.c_str()) != 0)
      die(125, errno_text("mount the volume at", path));
    uppers.push_back(open((base + "/upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  return uppers;
}

static void send_change(bale::vm::VolumeChange& c) { send(FrameType::kVolume, bale::vm::encode_volume_change(c)); }

// The entries of a rw volume's overlay upper directory, parents first: what the app changed.
// overlayfs marks a removed name with a 0/0 character device and a directory made anew (its
// old contents gone) with the trusted.overlay.opaque xattr.
void send_changes(unsigned vol, int dir, const std::string& rel) {
  DIR* d = fdopendir(dup(dir));
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    bale::vm::VolumeChange c;
    c.volume = vol;
    c.path = rel.empty() ? name : rel + "/" + name;
    c.mode = st.st_mode & 07777;
    c.uid = st.st_uid;
    c.gid = st.st_gid;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {
      c.kind = 'w';
      send_change(c);
    } else if (S_ISDIR(st.st_mode)) {
      int sub = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) continue;
      char v[4] = {};
      c.kind = fgetxattr(sub, "trusted.overlay.opaque", v, sizeof v) > 0 && v[0] == 'y' ? 'o' : 'd';
      send_change(c);
      send_changes(vol, sub, c.path);
      close(sub);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(dir, name.c_str(), target, sizeof target);
      if (n < 0) continue;
      c.kind = 'l';
      c.data.assign(target, n);
      send_change(c);
    } else if (S_ISREG(st.st_mode)) {
      int fd = openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) continue;
      c.kind = 'f';
      static char buf[512 * 1024];
      for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        c.data.assign(buf, n);
        if (n > 0 || c.kind == 'f') send_change(c);
        if (n == 0) break;
        c.kind = 'a';
      }
      close(fd);
    }
  }
  closedir(d);
}

}  // namespace guest
