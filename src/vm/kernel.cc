// The guest kernel in the store (see kernel.h).
#include "vm/kernel.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/identity.h"
#include "store/store.h"
#include "vm/host_tool.h"

namespace bale::vm {

namespace {

std::string kernel_record(const std::string& root) { return root + "/vm/kernel"; }
std::string kernels_dir(const std::string& root) { return root + "/vm/kernels"; }

// The value after "Key: " on the first line that starts with it (apt-cache's output).
std::string field(const std::string& text, const std::string& key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(at, nl - at);
    at = nl + 1;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line.erase(0, start);
    if (line.rfind(key + ": ", 0) == 0) return line.substr(key.size() + 2);
  }
  return "";
}

// lib/modules/VERSION below `tree` (usr/lib/modules where /lib is merged into /usr).
std::string modules_below(const std::string& tree, const std::string& version) {
  for (const char* base : {"/lib/modules/", "/usr/lib/modules/"}) {
    std::string dir = tree + base + version;
    if (path_exists(dir)) return dir;
  }
  return tree + "/lib/modules/" + version;
}

GuestKernel kernel_in(const std::string& dir, const std::string& version, const std::string& package) {
  GuestKernel k;
  k.version = version;
  k.image = dir + "/boot/vmlinuz-" + version;
  k.modules = modules_below(dir, version);
  k.package = package;
  return k;
}

}  // namespace

std::optional<GuestKernel> stored_kernel(const std::string& root) {
  auto rec = read_file_if_exists(kernel_record(root), 4096);
  if (!rec) return std::nullopt;
  size_t nl = rec->find('\n');
  std::string version = rec->substr(0, nl);
  std::string package = nl == std::string::npos ? "" : rec->substr(nl + 1);
  while (!package.empty() && package.back() == '\n') package.pop_back();
  if (!is_plain_name(version)) throw Error(fmt::format("{}: a malformed record", quote(kernel_record(root))));
  GuestKernel k = kernel_in(kernels_dir(root) + "/" + version, version, package);
  if (!path_exists(k.image)) return std::nullopt;
  return k;
}

GuestKernel fetch_kernel(const store::Store& st, bool refresh, void (*progress)(const std::string&)) {
  const std::string& root = st.root();
  auto have = stored_kernel(root);
  if (have && !refresh) return *have;
  // The meta package names the current ABI's package; that one holds kernel and modules.
  std::string deps = run_tool({"apt-cache", "depends", kKernelMetaPackage}, "apt");
  std::string pkg = field(deps, "Depends");
  if (pkg.rfind("linux-image-", 0) != 0)
    throw Error(fmt::format("apt-cache knows no package that {} depends on", quote(kKernelMetaPackage)), ENOENT)
        .with_hint("run apt-get update, and check that the Debian mirror in /etc/apt/sources.list is reachable");
  std::string version = pkg.substr(std::string("linux-image-").size());
  std::string pkg_version = field(run_tool({"apt-cache", "show", "--no-all-versions", pkg}, "apt"), "Version");
  std::string package = pkg + " " + pkg_version;
  if (have && have->package == package) {
    progress(fmt::format("the guest kernel {} is current", package));
    return *have;
  }
  progress(fmt::format("fetching the guest kernel {} (apt-get download, dpkg-deb -x)", package));
  store::Scratch scratch(st, "vm-kernel.");
  std::vector<std::string> apt = {"apt-get", "download", "-q", pkg};
  // An ordinary user's bale runs this in its user namespace, as uid 0 there: apt then drops
  // to its sandbox user _apt, which that namespace does not map (setgroups: EPERM). The
  // download goes to the user's own directory, so the sandbox has nothing to protect.
  if (!invoked_as_root() && geteuid() == 0) apt.insert(apt.begin() + 1, "-oAPT::Sandbox::User=root");
  run_tool(apt, "apt", scratch.path());
  std::string deb;
  for (const auto& name : list_dir(scratch.path()))
    if (name.size() > 4 && name.substr(name.size() - 4) == ".deb") deb = scratch.path() + "/" + name;
  if (deb.empty()) throw Error(fmt::format("apt-get download {} left no .deb file", quote(pkg)), ENOENT);
  std::string tree = scratch.path() + "/tree";
  run_tool({"dpkg-deb", "-x", deb, tree}, "dpkg");
  GuestKernel fresh = kernel_in(tree, version, package);
  if (!path_exists(fresh.image))
    throw Error(fmt::format("{} has no {}", quote(pkg), quote("boot/vmlinuz-" + version)), ENOENT);
  // The package leaves modules.dep to its postinst: made here, as that would.
  if (!path_exists(fresh.modules + "/modules.dep"))
    run_tool({"depmod", "-b", tree, version}, "kmod");
  mkdir_p(kernels_dir(root), 0755);
  std::string dest = kernels_dir(root) + "/" + version;
  if (path_exists(dest)) remove_tree(dest);
  if (rename(tree.c_str(), dest.c_str()) != 0) throw_sys("rename into place", dest);
  write_file_atomic(kernel_record(root), version + "\n" + package + "\n");
  return kernel_in(dest, version, package);
}

GuestKernel user_kernel(const std::string& file, const std::string& modules) {
  if (!path_exists(file)) throw sys_error("--kernel", file, ENOENT);
  if (!path_exists(modules + "/modules.dep"))
    throw Error(fmt::format("--modules {}: no modules.dep in it", quote(modules)), ENOENT)
        .with_hint("give the kernel's lib/modules/VERSION directory; make modules.dep with depmod -b ROOT VERSION");
  GuestKernel k;
  k.image = file;
  k.modules = modules;
  k.version = basename_of(clean_path(modules));
  return k;
}

}  // namespace bale::vm
