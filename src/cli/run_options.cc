// The table of run options and its fast parser (see run_options.h).
#include "cli/run_options.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bale::cli {

namespace {

bool set_string(std::optional<std::string>& field, const std::string& v) {
  field = v;
  return true;
}

bool add_string(std::vector<std::string>& field, const std::string& v) {
  field.push_back(v);
  return true;
}

// strtod, not std::from_chars: libstdc++'s floating-point from_chars pulls in libm (fesetround),
// and loading libm costs every `bale run` about 0.1 ms.
bool set_double(std::optional<double>& field, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || errno != 0 || end != v.c_str() + v.size()) return false;
  field = d;
  return true;
}

// Does `names` ("-e,--env") contain exactly `name`?
bool spelled(const char* names, std::string_view name) {
  std::string_view all = names;
  while (!all.empty()) {
    size_t comma = all.find(',');
    if (all.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    all.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

using O = cmd::RunOptions;
using S = const std::string&;

const RunFlag kRunFlags[] = {
    {"--signer", "accept only this signer (key or SHA256:...)", true,
     [](O& o, S v) { return set_string(o.signer, v); }},
    {"--insecure", "run unsigned or untrusted images (with a warning)", false,
     [](O& o, S) { return o.insecure = true; }},
    {"--store", "store directory (default /var/lib/bale, ~/.local/share/bale for others)", true,
     [](O& o, S v) { return set_string(o.store, v); }},
    {"--read-only", "mount the root filesystem read-only", false,
     [](O& o, S) { return o.read_only = true; }},
    {"-v,--volume", "HOST:CONTAINER[:ro] bind mount", true,
     [](O& o, S v) { return add_string(o.volumes, v); }},
    {"--tmpfs", "PATH[:size=N] tmpfs mount", true, [](O& o, S v) { return add_string(o.tmpfs, v); }},
    {"-e,--env", "K=V, or K to pass the caller's value", true,
     [](O& o, S v) { return add_string(o.env, v); }},
    {"--env-file", "file of K=V lines", true, [](O& o, S v) { return add_string(o.env_files, v); }},
    {"-w,--workdir", "working directory", true, [](O& o, S v) { return set_string(o.workdir, v); }},
    {"-u,--user", "USER[:GROUP] from the image's /etc/passwd and /etc/group", true,
     [](O& o, S v) { return set_string(o.user, v); }},
    {"--name", "name the container for bale ps, exec and stop", true,
     [](O& o, S v) { return !v.empty() && (o.name = v, true); }},
    {"--entrypoint", "replace the image's entrypoint (drops its Cmd)", true,
     [](O& o, S v) { return set_string(o.entrypoint, v); }},
    {"--memory", "memory limit, e.g. 512m", true, [](O& o, S v) { return set_string(o.memory, v); }},
    {"--cpus", "CPU limit, e.g. 1.5", true, [](O& o, S v) { return set_double(o.cpus, v); }},
    {"--pids", "limit on the number of processes", true,
     [](O& o, S v) { return set_string(o.pids, v); }},
    {"--vm", "run it in a microVM of its own, with its own kernel (docs/vm.md)", false,
     [](O& o, S) { return o.vm = true; }},
    {"--accel", "with --vm: auto (KVM, else TCG), kvm or tcg", true,
     [](O& o, S v) { return set_string(o.accel, v); }},
    {"--kernel", "with --vm: the guest kernel file (with --modules)", true,
     [](O& o, S v) { return set_string(o.kernel, v); }},
    {"--modules", "with --vm: the guest kernel's lib/modules/VERSION directory", true,
     [](O& o, S v) { return set_string(o.modules, v); }},
    {"--network", "with --vm: none (default) or user (QEMU user networking)", true,
     [](O& o, S v) { return set_string(o.network, v); }},
    {"--scratch-size", "with --vm: the guest's writes on an ext4 disk of this size, e.g. 2g", true,
     [](O& o, S v) { return set_string(o.scratch_size, v); }},
    {"--boot-timeout", "with --vm: seconds the guest has to come up (default 60, KVM 15)", true,
     [](O& o, S v) { return set_double(o.boot_timeout, v); }},
    // docker habits: a bale container is always removed, always has the caller's stdin and
    // terminal. Accepted as the no-ops they are; -d is refused by `run` with what to use.
    {"--rm", "accepted for docker's sake: a container is always removed", false,
     [](O&, S) { return true; }},
    {"-i,--interactive", "accepted for docker's sake: stdin is always the caller's", false,
     [](O&, S) { return true; }},
    {"-t,--tty", "accepted for docker's sake: the terminal is always the caller's", false,
     [](O&, S) { return true; }},
    {"-d,--detach", "refused: there is no daemon to detach to (see bale unit)", false,
     [](O& o, S) { return o.detach = true; }},
    {nullptr, nullptr, false, nullptr},
};

const RunFlag* find_run_flag(std::string_view name) {
  for (const RunFlag* f = kRunFlags; f->names; f++)
    if (spelled(f->names, name)) return f;
  return nullptr;
}

int first_operand(int argc, char** argv, int sub, bool (*takes_value)(std::string_view flag)) {
  for (int i = sub + 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "--") return i + 1 < argc ? i + 1 : -1;
    if (a.size() > 1 && a[0] == '-') {
      if (a.find('=') == std::string_view::npos && takes_value(a)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

int image_index(int argc, char** argv, int sub) {
  return first_operand(argc, argv, sub, [](std::string_view a) {
    const RunFlag* f = find_run_flag(a);
    return f && f->takes_value;
  });
}

std::optional<cmd::RunOptions> parse_run_fast(int argc, char** argv, int sub) {
  cmd::RunOptions o;
  int i = sub + 1;
  for (; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "--") {
      i++;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;  // IMAGE
    if (a == "-it" || a == "-ti") continue;  // docker's -i -t in one word: both no-ops
    std::string value;
    size_t eq = a.find('=');
    const RunFlag* f = find_run_flag(a.substr(0, eq));
    if (!f) return std::nullopt;
    if (eq != std::string_view::npos) {
      if (!f->takes_value || a[1] != '-') return std::nullopt;
      value = a.substr(eq + 1);
    } else if (f->takes_value) {
      if (++i >= argc) return std::nullopt;
      value = argv[i];
    }
    if (!f->set(o, value)) return std::nullopt;
  }
  if (i >= argc) return std::nullopt;  // no IMAGE: CLI11 says so
  o.image = argv[i];
  o.command.assign(argv + i + 1, argv + argc);
  return o;
}

}  // namespace bale::cli
