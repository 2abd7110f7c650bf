// The subcommands: each takes its parsed options and returns an exit code. Parsing lives in
// src/cli/; the mechanism lives in the modules below (image, trust).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image/config.h"

namespace bale::cmd {

struct KeyOptions {
  std::string key;  // --key FILE; empty: the machine key
};
int key(const KeyOptions& o);

struct PackOptions {
  std::string dir, output, key, config_file;
  std::vector<std::string> tags;  // -t NAME: also keep the image under these names
  image::ConfigEdits edits;
  std::vector<std::string> labels;  // K=V as given
  std::optional<std::string> entrypoint, cmd;
};
int pack(PackOptions o);

struct VerifyOptions {
  std::string image;
  std::optional<std::string> signer;
};
int verify(const VerifyOptions& o);

struct InspectOptions {
  std::string image;
  bool json = false;
};
int inspect(const InspectOptions& o);

struct SignOptions {
  std::string image, output, key;
};
int sign(const SignOptions& o);

struct TrustOptions {
  std::string action;  // add, list, remove
  std::string key;
  std::string name;
};
int trust(const TrustOptions& o);

struct ImportOptions {
  std::string file, output, key;
  std::vector<std::string> tags;
};

// Keeps the image at `path` in the local store under each name.
void tag_in_store(const std::string& path, const std::vector<std::string>& tags,
                  bool quiet = false);

// `bale doctor`: what this machine and user have of what bale needs, with the fixes.
struct DoctorOptions {};
int doctor(const DoctorOptions& o);

struct ImagesOptions {
  std::string action;  // ls, rm, tag
  std::string source;  // tag: the image
  std::string format = "table";  // ls: table or json
  bool quiet = false;            // ls: ids only
  std::vector<std::string> names;
};
int images(const ImagesOptions& o);
int import(const ImportOptions& o);

struct ExportOptions {
  std::string image, output;
  std::optional<std::string> tag, signer;
  bool insecure = false;
};
int export_image(const ExportOptions& o);

// "--entrypoint"/"--cmd" value: a JSON array is the exec form; anything else is the shell form,
// ["/bin/sh", "-c", value], as in a Dockerfile.
std::vector<std::string> parse_command_form(const std::string& value, const std::string& flag);

}  // namespace bale::cmd

namespace bale::cmd {

struct RunOptions {
  std::string image;
  std::vector<std::string> command;  // everything after IMAGE
  std::optional<std::string> signer, entrypoint, workdir, user, store;
  std::string name;  // --name: `bale ps/exec/stop` find the container by it
  bool insecure = false, read_only = false;
  bool detach = false;  // -d: refused, there is no daemon to detach to
  std::vector<std::string> volumes, tmpfs, env, env_files;
  std::optional<std::string> memory, pids;
  std::optional<double> cpus;
  // --vm: a microVM instead of a container (vm/), with its own options
  bool vm = false;
  std::optional<std::string> accel, kernel, modules, network;
  std::optional<std::string> scratch_size;  // an ext4 disk for the guest's writes
  std::optional<double> boot_timeout;       // seconds to the guest's ready message
};
int run(const RunOptions& o);
// `bale unit IMAGE [run options] [-- COMMAND...]`: a systemd service unit that runs the image;
// `run_options` are the options as given, written before IMAGE in ExecStart.
int unit(const RunOptions& o, const std::vector<std::string>& run_args);

// `bale ps`: the running containers, from their records and their processes.
struct PsOptions {
  std::string format = "table";  // or json
  bool quiet = false;            // -q: PIDs only
};
int ps(const PsOptions& o);

// `bale exec NAME|PID COMMAND...`: a command inside a running container; its exit status.
struct ExecOptions {
  std::string target;
  std::vector<std::string> command;
  std::vector<std::string> env, env_files;
  std::optional<std::string> workdir, user;
};
int exec(const ExecOptions& o);

// `bale stop NAME|PID...`: the image's StopSignal, then SIGKILL after `timeout` seconds.
struct StopOptions {
  std::vector<std::string> targets;
  double timeout = 10;
};
int stop(const StopOptions& o);

struct BuildOptions {
  std::string context, file, output, key, target_flag;
  std::optional<std::string> target;
  std::vector<std::string> tags, build_args, labels;
  bool no_cache = false, quiet = false;
  std::string progress = "auto", network = "host";
};
int build(const BuildOptions& o);

// `bale bootstrap debian:SUITE`: a Debian base made by debootstrap, signed and named.
struct BootstrapOptions {
  std::string name, mirror = "http://deb.debian.org/debian", variant = "minbase", output, key;
  bool verbose = false;  // debootstrap's own output instead of the status line
};
int bootstrap(const BootstrapOptions& o);

// `bale vm kernel [--refresh]`: the guest kernel in the store, fetched first if there is none.
struct VmKernelOptions {
  bool refresh = false;
  std::optional<std::string> store;
};
int vm_kernel(const VmKernelOptions& o);

struct StoreOptions {
  std::string action;  // ls, gc
  std::optional<std::string> store;
  bool all = false;  // gc: the whole build cache too
};
int store(const StoreOptions& o);

// `bale pull REF`: a registry image into the store, under its name (see registry/pull.h).
struct PullOptions {
  std::string ref, output, key;
  std::vector<std::string> tags;
  std::optional<std::string> platform, signer;
  bool insecure = false, tls_verify = true, quiet = false;
};
int pull(const PullOptions& o);

// `bale push IMAGE REF`: the image file as the one layer of a registry image.
struct PushOptions {
  std::string image, ref;
  std::optional<std::string> signer;
  bool insecure = false, tls_verify = true;
};
int push(const PushOptions& o);

// `bale login REGISTRY`: checks the credentials with the registry, then keeps them in
// docker's config.json.
struct LoginOptions {
  std::string registry, user, password;
  bool password_stdin = false, tls_verify = true;
};
int login(const LoginOptions& o);

// `bale trust registry add|remove|list`: the registry trust policy (registries.yaml).
struct TrustRegistryOptions {
  std::string action, entry;
};
int trust_registry(const TrustRegistryOptions& o);

// `bale app ...`: host commands that run inside an image (docs/apps.md).
struct AppOptions {
  std::string action;  // register, list, show, remove, ps, stop
  std::string app, image, target, base, workdir, user, name;
  std::string instance;  // stop: the instance name ($BALE_APP_INSTANCE of its calls)
  std::vector<std::string> layers, include_tars, include_paths, env, binds;
  std::string format = "table";  // list: table or json
  bool force = false;
  bool resume = false;  // register: one long-lived instance that the calls join
  bool bind_cwd = false;  // register: the caller's working directory, bound and entered
  bool vm = false;        // register: engine "vm", the app runs in a microVM (bale run --vm)
  double timeout = 10;  // stop: seconds before SIGKILL
};
int app(const AppOptions& o);
// bale started through an app link: argv[0] named `name`; `args` reach the app verbatim. A
// container app is exec'd into (no return); a VM app's exit status is returned.
int app_launch(const std::string& name, const std::vector<std::string>& args);
// Whether `name` (argv[0]'s last component) is an app's rather than bale's own.
bool is_app_name(const std::string& name);

struct DebugParseOptions {
  std::string file;  // the Dockerfile
};
// Hidden: prints the Dockerfile parse in BuildKit's test format (src/build/dump.h).
int debug_parse(const DebugParseOptions& o);

}  // namespace bale::cmd

namespace bale::cmd {

// `bale NAME [ARGS...]` / `bale do [-e K=V] [--only C] [--exclude C] [NAME [ARGS...]]`: a command
// of the nearest bale.yaml; without NAME, the list of them.
struct ProjectOptions {
  std::string name;
  std::vector<std::string> args;
  std::vector<std::string> env, only, exclude;
  // `bale NAME ARGS...`: for a supervise command ARGS may be --only/--exclude.
  bool options_in_args = false;
};
int project(const ProjectOptions& o);
// The root of the project the working directory is in, if any.
std::optional<std::string> project_root_here();

}  // namespace bale::cmd
