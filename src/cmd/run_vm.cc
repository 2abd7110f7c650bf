// `bale run --vm`: the spec `bale run` made from the image config and the options, resolved
// against the image's own /etc/passwd and /etc/group, handed to vm::run_vm.
#include "cmd/run_vm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/cgroup.h"
#include "runtime/exec.h"
#include "runtime/user.h"
#include "vm/scratch_disk.h"
#include "vm/vm.h"

namespace bale::cmd {

namespace {

// A file of the unpacked tree, read as the guest would see it: resolved inside the tree.
std::string read_in_tree(const std::string& rootfs, const std::string& path) {
  UniqueFd root = open_file(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  UniqueFd fd(open_in_root(root.get(), path, O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  std::string out;
  read_chunks(fd.get(), rootfs + path, [&](std::string_view s) { out.append(s); }, 4u << 20);
  return out;
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.rfind(key + "=", 0) == 0) return true;
  return false;
}

void refuse(bool given, const char* what, const char* why) {
  if (given) throw Error(fmt::format("{} with --vm: {} (docs/vm.md)", what, why), 0, kExitUsage);
}

// --tmpfs PATH[:OPTIONS] as the guest init mounts it: "PATH" or "PATH\nOPTIONS".
std::string guest_tmpfs(const runtime::TmpfsMount& t) {
  if (t.container.empty() || t.container[0] != '/' || t.container.find('\n') != std::string::npos ||
      t.options.find('\n') != std::string::npos)
    throw Error(fmt::format("--tmpfs {}: an absolute path inside the guest", quote(t.container)), 0, kExitUsage);
  return t.options.empty() ? t.container : t.container + "\n" + t.options;
}

}  // namespace

int run_in_vm(const RunOptions& o, const runtime::ContainerSpec& spec, const store::ReadyImage& img,
              const store::Store& st) {
  refuse(!o.name.empty(), "--name",
         "bale ps, exec and stop reach a container through its processes and namespaces on "
         "this host, and a VM's app has none here");
  refuse(o.pids.has_value(), "--pids",
         "the guest has a kernel of its own, which the host's pids cgroup does not count into; "
         "size the VM with --memory instead");
  if (spec.argv.empty())
    throw Error("no command: the image has no Entrypoint or Cmd; give one after the image");
  vm::VmOptions v;
  v.kernel = o.kernel;
  v.modules = o.modules;
  v.accel = vm::parse_accel(o.accel.value_or("auto"));
  if (o.network && *o.network != "none" && *o.network != "user")
    throw Error(fmt::format("--network {}: none or user", quote(*o.network)), 0, kExitUsage);
  v.network_user = o.network && *o.network == "user";
  if (o.memory) v.memory_mb = std::max<uint64_t>(64, runtime::parse_size(*o.memory, "--memory") >> 20);
  if (o.cpus) {
    if (*o.cpus < 1 || *o.cpus > 64) throw Error("--cpus with --vm: 1 to 64 virtual CPUs", 0, kExitUsage);
    v.cpus = static_cast<unsigned>(std::ceil(*o.cpus));
  }
  if (o.scratch_size) {
    v.scratch_bytes = runtime::parse_size(*o.scratch_size, "--scratch-size");
    if (v.scratch_bytes < vm::kMinScratchBytes)
      throw Error(fmt::format("--scratch-size {}: at least 16m (an ext4 file system)", quote(*o.scratch_size)),
                  0, kExitUsage);
  }
  if (o.boot_timeout) {
    if (!(*o.boot_timeout > 0 && *o.boot_timeout <= 3600))
      throw Error("--boot-timeout: seconds, more than 0 and at most 3600", 0, kExitUsage);
    v.boot_timeout_ms = std::max(1, static_cast<int>(*o.boot_timeout * 1000));
  }
  v.app.read_only = spec.read_only;
  for (const auto& t : spec.tmpfs) v.app.tmpfs.push_back(guest_tmpfs(t));
  v.rootfs = img.rootfs;
  for (const auto& b : spec.binds) {
    struct stat st;
    if (stat(b.host.c_str(), &st) != 0) throw sys_error("-v: the host directory", b.host, errno);
    if (!S_ISDIR(st.st_mode))
      throw Error(fmt::format("-v {}: with --vm a volume is a directory (copied in)", quote(b.host)), 0, kExitUsage);
    v.volumes.push_back({b.host, b.container, b.read_only});
  }
  runtime::ResolvedUser u = runtime::resolve_user(spec.user, read_in_tree(img.rootfs, "/etc/passwd"),
                                                  read_in_tree(img.rootfs, "/etc/group"));
  v.app.argv = spec.argv;
  v.app.env = spec.env;
  if (!has_env(v.app.env, "PATH")) v.app.env.push_back(std::string("PATH=") + runtime::kDefaultPath);
  if (!has_env(v.app.env, "HOME")) v.app.env.push_back("HOME=" + u.home);
  v.app.workdir = spec.workdir;
  v.app.uid = u.uid;
  v.app.gid = u.gid;
  v.app.groups.assign(u.groups.begin(), u.groups.end());
  return vm::run_vm(st, std::move(v));
}

}  // namespace bale::cmd
