// `bale bootstrap debian:SUITE [--mirror URL] [--variant minbase]`: runs debootstrap into a
// private directory and stores the tree as a signed image under that name, so `FROM
// debian:bookworm` works without a registry.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/recipe.h"
#include "cmd/commands.h"
#include "image/config.h"
#include "image/image_file.h"
#include "image/tree_tar.h"
#include "store/names.h"
#include "store/store.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

std::string find_program(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    std::string p = std::string(dir) + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

void run_debootstrap(const std::string& prog, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(prog.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw_sys("fork", prog);
  if (pid == 0) {
    dup2(2, 1);  // its chatter is progress, and stdout is for results
    execv(prog.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw_sys("wait for", prog);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(fmt::format("debootstrap failed ({}); its log is above",
                            WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                              : fmt::format("signal {}", WTERMSIG(status))));
}

// Files that make a Debian tree behave in a container as Docker's Debian images do (the same
// settings, so a Dockerfile gives the same image over either): no service starts during
// package installation, no package caches, downloaded packages or translations kept, dpkg
// without fsync (a build is redone, not repaired).
const std::vector<std::pair<const char*, const char*>> kContainerConfig = {
    {"/usr/sbin/policy-rc.d", "#!/bin/sh\n# bale bootstrap: no service starts inside a container build.\nexit 101\n"},
    {"/etc/apt/apt.conf.d/docker-clean",
     "// bale bootstrap: keep no downloaded packages or package caches in the image.\n"
     "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb "
     "/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };\n"
     "APT::Update::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb "
     "/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };\n"
     "Dir::Cache::pkgcache \"\";\nDir::Cache::srcpkgcache \"\";\n"},
    {"/etc/apt/apt.conf.d/docker-no-languages", "Acquire::Languages \"none\";\n"},
    {"/etc/apt/apt.conf.d/docker-gzip-indexes", "Acquire::GzipIndexes \"true\";\n"},
    {"/etc/apt/apt.conf.d/docker-autoremove-suggests", "Apt::AutoRemove::SuggestsImportant \"false\";\n"},
    {"/etc/dpkg/dpkg.cfg.d/docker-apt-speedup", "force-unsafe-io\n"},
};

void configure_for_containers(const std::string& tree) {
  for (const auto& [path, text] : kContainerConfig) {
    std::string file = tree + path;
    mkdir_p(dirname_of(file), 0755);
    AtomicFile out(file, path == std::string_view("/usr/sbin/policy-rc.d") ? 0755 : 0644);
    write_all(out.fd(), text, file);
    out.commit();
  }
}

}  // namespace

int bootstrap(const BootstrapOptions& o) {
  std::string name = store::normalize_name(o.name);
  auto colon = name.find(':');
  std::string distro = name.substr(0, colon), suite = name.substr(colon + 1);
  if (distro != "debian" || suite == "latest")
    throw Error(fmt::format("bale bootstrap {}: give debian:SUITE, e.g. debian:bookworm", quote(o.name)),
                0, kExitUsage);
  if (o.variant != "minbase" && o.variant != "buildd" && o.variant != "fakechroot" && o.variant != "-")
    throw Error(fmt::format("--variant {}: minbase, buildd, fakechroot or -", quote(o.variant)), 0, kExitUsage);
  if (geteuid() != 0) throw Error("bale bootstrap needs root (debootstrap does)", EPERM);
  std::string prog = find_program("debootstrap");
  if (prog.empty())
    throw Error("debootstrap is not installed").with_hint("apt-get install debootstrap");
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  // debootstrap mounts /proc and /sys in the tree: in a namespace of our own they can never
  // outlive us, even if it fails half-way.
  runtime::enter_private_mount_namespace();
  store::Store st(store::Store::default_root());
  TempDir work(st.root() + "/tmp", "bootstrap.");
  std::string tree = work.path() + "/rootfs";
  std::vector<std::string> args{"--variant=" + o.variant, suite, tree, o.mirror};
  if (o.variant == "-") args.erase(args.begin());
  run_debootstrap(prog, args);
  // What Debian's own container images leave out: downloaded packages, apt's lists, and the
  // host's name service files debootstrap copied in (a run and a build provide their own).
  for (const char* d : {"/var/cache/apt/archives", "/var/lib/apt/lists"})
    for (const auto& f : list_dir(tree + d))
      if (f != "partial" && f != "lock") remove_tree(tree + d + "/" + f);
  for (const char* f : {"/etc/resolv.conf", "/etc/hostname"}) ::unlink((tree + f).c_str());
  configure_for_containers(tree);

  nlohmann::json config = image::new_config();
  config["config"]["Env"] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  config["config"]["Cmd"] = {"bash"};
  std::string output = o.output.empty() ? work.path() + "/image.bale" : o.output;
  auto clamp = image::source_date_epoch();
  image::write_image(
      output, key,
      [&](image::GzipBodyWriter& body) {
        return image::write_tree_tar(tree, {clamp, image::file_id(body.output_fd())},
                                     [&](std::string_view d) { body.write(d); })
            .entries;
      },
      [&](const std::string& sha) {
        image::finalize_config(config, sha, fmt::format("bale bootstrap {} ({})", name, o.mirror));
        return image::serialize_config(config);
      });
  tag_in_store(output, {name});
  std::printf("%s\n", image::read_image_info(output).digest().c_str());
  return 0;
}

}  // namespace bale::cmd
