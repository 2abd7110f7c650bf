// `bale bootstrap debian:SUITE [--mirror URL] [--variant minbase] [-v]`: runs debootstrap into
// a private directory and stores the tree as a signed image under that name, so `FROM
// debian:bookworm` works without a registry. debootstrap's output becomes a status line.
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "base/identity.h"
#include "base/line_printer.h"
#include "cmd/bootstrap_progress.h"
#include "cmd/commands.h"
#include "cmd/rootless.h"
#include "image/config.h"
#include "image/image_file.h"
#include "runtime/recipe.h"
#include "image/tree_tar.h"
#include "store/names.h"
#include "store/store.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

// The last lines debootstrap printed, kept to show when it fails.
class Tail {
 public:
  void add(std::string line) {
    lines_.push_back(std::move(line));
    if (lines_.size() > kLines) lines_.pop_front();
  }
  void print() const {
    for (const auto& l : lines_) std::fprintf(stderr, "%s\n", l.c_str());
  }
  static constexpr size_t kLines = 20;

 private:
  std::deque<std::string> lines_;
};

// Shows one line of debootstrap's output: a stage line in a log, the status line on a
// terminal; its warnings always.
void show(const std::string& line, DebootstrapProgress& progress, LinePrinter& printer) {
  if (line.starts_with("W: ")) printer.line(line);
  bool began = progress.feed(line);
  if (began && !printer.smart()) printer.line("bootstrap: " + progress.stage());
  if (printer.smart() && !progress.stage().empty())
    printer.status("bootstrap: " + progress.status(), began);
}

// Copies what `fd` carries until it closes: unchanged with `verbose`, as progress otherwise.
Tail relay_output(int fd, bool verbose) {
  DebootstrapProgress progress;
  LinePrinter printer;
  Tail tail;
  std::string pending;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (verbose) write_all(STDERR_FILENO, std::string_view(buf, n), "stderr");
    pending.append(buf, n);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      std::string line = pending.substr(0, nl);
      if (!verbose) show(line, progress, printer);
      tail.add(std::move(line));
    }
  }
  if (!pending.empty()) tail.add(pending);
  printer.finish();
  return tail;
}

// Prints the end of debootstrap's own log, which its last line points at and which goes with
// the tree.
void print_log_tail(const std::string& tree) {
  std::optional<std::string> text_or;
  try {
    text_or = read_file_if_exists(tree + "/debootstrap/debootstrap.log");
  } catch (const Error&) {
    return;  // the failure being reported matters more than its log
  }
  if (!text_or) return;
  const std::string& text = *text_or;
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    lines.emplace_back(text.data() + at, nl - at);
    at = nl + 1;
  }
  if (lines.empty()) return;
  std::fprintf(stderr, "bootstrap: the end of debootstrap.log:\n");
  for (size_t i = lines.size() > Tail::kLines ? lines.size() - Tail::kLines : 0; i < lines.size(); i++)
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(lines[i].size()), lines[i].data());
}

// Runs debootstrap with its stdout and stderr into a pipe (stdout is for bale's results).
// Rootless, in a user namespace, it is PID 1 of a PID namespace of its own (so that it may
// mount a proc in the tree) and told it is in a container (`container=lxc`), so that it binds
// the host's device nodes for the packages' scripts instead of making them: the tree's /dev
// stays empty, as in Docker's images.
void run_debootstrap(const std::string& prog, const std::vector<std::string>& args,
                     const std::string& tree, bool verbose) {
  const bool rootless = !invoked_as_root();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(prog.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_sys("pipe for", prog);
  UniqueFd out(fds[0]), in(fds[1]);
  // A fork, into a new PID namespace when rootless (bale has no threads yet).
  long forked = syscall(SYS_clone, (rootless ? CLONE_NEWPID : 0) | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (forked < 0) throw_sys("fork", prog);
  pid_t pid = static_cast<pid_t>(forked);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(in.get(), 1);
    dup2(in.get(), 2);
    if (rootless) setenv("container", "lxc", 1);
    execv(prog.c_str(), argv.data());
    _exit(127);
  }
  in.reset();
  Tail tail = relay_output(out.get(), verbose);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw_sys("wait for", prog);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (!verbose) {  // with -v its whole output is already above
    std::fprintf(stderr, "bootstrap: debootstrap's last lines:\n");
    tail.print();
  }
  print_log_tail(tree);
  throw Error(fmt::format("debootstrap failed ({}); its output is above",
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
  std::string prog = find_host_program("debootstrap");
  if (prog.empty())
    throw Error("debootstrap is not installed").with_hint("apt-get install debootstrap");
  if (!enter_user_namespace_if_rootless())
    throw Error("bale bootstrap as an ordinary user needs subordinate ids: Debian's packages own "
                "files as other users, which the one-id map cannot give", EPERM)
        .with_hint("add the line the warning above gives, or run it as root");
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  store::Store st(store::Store::default_root());
  // debootstrap mounts /proc and /sys in the tree: in a namespace of our own they can never
  // outlive us, even if it fails half-way.
  runtime::enter_private_mount_namespace();
  store::Scratch work(st, "bootstrap.");
  std::string tree = work.path() + "/rootfs";
  std::vector<std::string> args{"--variant=" + o.variant, suite, tree, o.mirror};
  if (o.variant == "-") args.erase(args.begin());
  run_debootstrap(prog, args, tree, o.verbose);
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
