// The guest's file systems: its modules, the image's erofs under an overlay (upper on a tmpfs
// or on the --scratch-size disk; none with --read-only), the API file systems, --tmpfs mounts,
// the move into the new root, and the network of QEMU's user networking.
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "guest.h"

using bale::vm::AppSpec;

namespace guest {

void must_mount(const char* src, const char* dst, const char* type, unsigned long flags,
                const char* data) {
  if (mount(src, dst, type, flags, data) != 0) die(125, errno_text(std::string("mount ") + type, dst));
}

void load_modules() {
  std::string list = read_small("/modules");  // names one a line, dependencies first
  size_t i = 0;
  while (i < list.size()) {
    size_t nl = list.find('\n', i);
    if (nl == std::string::npos) nl = list.size();
    std::string path = "/lib/modules/" + list.substr(i, nl - i);
    i = nl + 1;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(125, errno_text("open", path));
    // A compressed module (.ko.xz, .ko.zst, .ko.gz) the kernel decompresses itself.
    bool compressed = path.size() > 3 && path.substr(path.size() - 3) != ".ko";
    if (syscall(SYS_finit_module, fd, "", compressed ? 4 /* MODULE_INIT_COMPRESSED_FILE */ : 0) != 0 &&
        errno != EEXIST)
      die(125, errno_text("finit_module", path));
    close(fd);
  }
}

// The /sys/<cls> entry whose `attr` file reads `want`, polled for a while: devices probe
// asynchronously after their module loads.
std::string find_by_attr(const char* cls, const char* attr, const std::string& want) {
  for (int tries = 0; tries < 2000; tries++) {
    DIR* d = opendir(cls);
    if (d) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (read_small(std::string(cls) + "/" + e->d_name + "/" + attr) == want) {
          std::string name = e->d_name;
          closedir(d);
          return name;
        }
      }
      closedir(d);
    }
    usleep(5000);
  }
  die(125, std::string("no device in ") + cls + " with " + attr + " '" + want + "'");
}

// The initramfs cannot be pivoted away from: move the new root over it and chroot.
void enter_root() {
  if (chdir("/newroot") != 0) die(125, errno_text("chdir", "/newroot"));
  must_mount(".", "/", nullptr, MS_MOVE, nullptr);
  if (chroot(".") != 0 || chdir("/") != 0) die(125, errno_text("chroot", "/newroot"));
}

void mount_lower() {
  mkdir("/lower", 0755);
  std::string disk = "/dev/" + find_by_attr("/sys/block", "serial", "bale-root");
  must_mount(disk.c_str(), "/lower", "erofs", MS_RDONLY, nullptr);
}

namespace {

// The directories the root needs as mount points. With --read-only the overlay has no upper
// to make them in, so they come from a lower of empty directories under the image's.
std::vector<std::string> mount_points(const AppSpec& s) {
  std::vector<std::string> d = {"/proc", "/sys", "/dev", "/tmp", "/run"};
  for (const auto& v : s.volumes) d.push_back(v.substr(3));
  for (const auto& t : s.tmpfs) d.push_back(t.substr(0, t.find('\n')));
  d.push_back(s.workdir);  // made if missing, as `bale run` does
  return d;
}

void mount_api() {
  must_mount("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  must_mount("sysfs", "/newroot/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  must_mount("devtmpfs", "/newroot/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  mkdir("/newroot/dev/pts", 0755);
  mkdir("/newroot/dev/shm", 01777);
  must_mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
             "newinstance,ptmxmode=0666,mode=0620");
  must_mount("tmpfs", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  unlink("/newroot/dev/ptmx");
  if (symlink("pts/ptmx", "/newroot/dev/ptmx") != 0) {
  }
}

}  // namespace

void mount_root(const AppSpec& s) {
  mkdir("/rw", 0755);
  mkdir("/newroot", 0755);
  if (s.scratch) {
    // The host made the ext4 file system (mkfs.ext4); its file is gone when the VM is.
    std::string disk = "/dev/" + find_by_attr("/sys/block", "serial", "bale-scratch");
    must_mount(disk.c_str(), "/rw", "ext4", 0, nullptr);
  } else {
    must_mount("tmpfs", "/rw", "tmpfs", 0, "mode=0755");
  }
  std::string opts;
  if (s.read_only) {
    // Two lowers and no upper: overlayfs mounts that read-only. The image's entries win.
    for (const auto& d : mount_points(s)) make_dirs("/rw/skel" + d);
    opts = "lowerdir=/lower:/rw/skel";
  } else {
    mkdir("/rw/upper", 0755);
    mkdir("/rw/work", 0755);
    opts = "lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work";
  }
  must_mount("overlay", "/newroot", "overlay", s.read_only ? MS_RDONLY : 0, opts.c_str());
  for (const auto& d : mount_points(s)) make_dirs("/newroot" + d);
  mount_api();
  // As `bale run --read-only`: /tmp and /run fresh, empty and writable.
  if (s.read_only) {
    must_mount("tmpfs", "/newroot/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    must_mount("tmpfs", "/newroot/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
  }
  for (const auto& t : s.tmpfs) {
    size_t nl = t.find('\n');
    std::string path = t.substr(0, nl), data = "mode=1777";
    if (nl != std::string::npos && nl + 1 < t.size()) data += "," + t.substr(nl + 1);
    if (mount("tmpfs", ("/newroot" + path).c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0)
      die(125, errno_text("mount --tmpfs (" + data + ") at", path));
  }
}

// mkdir -p, in the app's root.
void make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++)
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
}

static void set_addr(sockaddr* sa, const char* ip) {
  auto* in = reinterpret_cast<sockaddr_in*>(sa);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, ip, &in->sin_addr);
}

static bool if_up(int sock, const char* name) {
  ifreq ifr{};
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) return false;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(sock, SIOCSIFFLAGS, &ifr) == 0;
}

// QEMU's user networking (--network user) has fixed addresses: the guest 10.0.2.15/24, the
// gateway 10.0.2.2 (which is also the host's loopback), DNS 10.0.2.3. Without a network
// device (the default) only the loopback comes up.
void setup_network() {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return;
  if_up(sock, "lo");
  if (access("/sys/class/net/eth0", F_OK) == 0) {
    ifreq ifr{};
    strncpy(ifr.ifr_name, "eth0", IFNAMSIZ - 1);
    set_addr(&ifr.ifr_addr, "10.0.2.15");
    if (ioctl(sock, SIOCSIFADDR, &ifr) != 0) die(125, errno_text("SIOCSIFADDR", "eth0"));
    set_addr(&ifr.ifr_netmask, "255.255.255.0");
    if (ioctl(sock, SIOCSIFNETMASK, &ifr) != 0) die(125, errno_text("SIOCSIFNETMASK", "eth0"));
    if (!if_up(sock, "eth0")) die(125, errno_text("SIOCSIFFLAGS", "eth0"));
    rtentry rt{};
    set_addr(&rt.rt_dst, "0.0.0.0");
    set_addr(&rt.rt_genmask, "0.0.0.0");
    set_addr(&rt.rt_gateway, "10.0.2.2");
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    if (ioctl(sock, SIOCADDRT, &rt) != 0) die(125, errno_text("SIOCADDRT", "default via 10.0.2.2"));
    mkdir("/etc", 0755);
    unlink("/etc/resolv.conf");  // the image's may be a symlink
    int fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      const char text[] = "nameserver 10.0.2.3\n";
      if (write(fd, text, sizeof text - 1) < 0) {
      }
      close(fd);
    }
  }
  close(sock);
}

}  // namespace guest
