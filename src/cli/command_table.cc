// Each subcommand's options and help, registered into CLI11 (see command_table.h).
#include "cli/command_table.h"

#include <string>

#include "base/error.h"
#include "cli/run_options.h"
#include "cmd/commands.h"

namespace bale::cli {

namespace {

// Options that live until the command has run: CLI11 writes into them while it parses.
template <class Options>
Options* hold(Parsed& p) {
  auto o = std::make_shared<Options>();
  p.keep.push_back(o);
  return o.get();
}

void add_config_options(CLI::App* c, cmd::PackOptions& o) {
  c->add_option("--config", o.config_file, "start from this OCI image config JSON");
  c->add_option("--entrypoint", o.entrypoint, "JSON array (exec form) or a shell command");
  c->add_option("--cmd", o.cmd, "JSON array (exec form) or a shell command");
  c->add_option("--env,-e", o.edits.env, "KEY=VALUE (repeatable)");
  c->add_option("--workdir,-w", o.edits.workdir, "working directory");
  c->add_option("--user,-u", o.edits.user, "USER[:GROUP]");
  c->add_option("--label,-l", o.labels, "KEY=VALUE (repeatable)");
  c->add_option("--expose", o.edits.expose, "PORT[/PROTO] (repeatable)");
  c->add_option("--volume", o.edits.volumes, "PATH (repeatable)");
  c->add_option("--stop-signal", o.edits.stop_signal, "signal name, e.g. SIGTERM");
}

void add_run_options(CLI::App* c, cmd::RunOptions& o) {
  for (const RunFlag* f = kRunFlags; f->names; f++) {
    if (!f->takes_value) {
      c->add_flag_callback(f->names, [&o, f] { f->set(o, ""); }, f->help);
      continue;
    }
    c->add_option_function<std::vector<std::string>>(
         f->names,
         [&o, f](const std::vector<std::string>& values) {
           for (const auto& v : values)
             if (!f->set(o, v)) throw CLI::ValidationError(f->names, "bad value " + quote(v));
         },
         f->help)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }
}

void add_key(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::KeyOptions>(p);
  auto* k = app.add_subcommand("key", "print this machine's signing identity (creating it)");
  k->add_option("--key", o->key, "an OpenSSH ed25519 private key file instead");
  k->callback([&p, o] { p.action = [o] { return cmd::key(*o); }; });
}

void add_pack(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::PackOptions>(p);
  auto* c = app.add_subcommand("pack", "pack a directory into a signed image");
  c->add_option("DIR", o->dir, "root filesystem directory")->required();
  c->add_option("-o,--output", o->output, "image file to write")->required();
  c->add_option("--key", o->key, "sign with this key instead of the machine key");
  add_config_options(c, *o);
  c->add_option("-t,--tag", o->tags, "also keep it in the local store under NAME[:TAG]");
  c->callback([&p, o] { p.action = [o] { return cmd::pack(*o); }; });
}

void add_verify(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::VerifyOptions>(p);
  auto* v = app.add_subcommand("verify", "check an image's signature and its signer");
  v->add_option("IMAGE", o->image)->required();
  v->add_option("--signer", o->signer, "accept only this key (file, line or SHA256:...)");
  v->callback([&p, o] { p.action = [o] { return cmd::verify(*o); }; });
}

void add_inspect(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::InspectOptions>(p);
  auto* i = app.add_subcommand("inspect", "show an image's signer, digest, sizes and config");
  i->add_option("IMAGE", o->image)->required();
  i->add_flag("--json", o->json, "machine-readable output");
  i->callback([&p, o] { p.action = [o] { return cmd::inspect(*o); }; });
}

void add_sign(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::SignOptions>(p);
  auto* s = app.add_subcommand("sign", "sign (or re-sign) an image or a plain tar.gz");
  s->add_option("IMAGE", o->image)->required();
  s->add_option("-o,--output", o->output, "write here instead of replacing IMAGE");
  s->add_option("--key", o->key, "sign with this key instead of the machine key");
  s->callback([&p, o] { p.action = [o] { return cmd::sign(*o); }; });
}

void add_trust(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::TrustOptions>(p);
  auto* t = app.add_subcommand("trust", "manage trusted signers (allowed_signers)");
  t->require_subcommand(1);
  auto* ta = t->add_subcommand("add", "trust a key to sign images");
  ta->add_option("KEY", o->key, "a .pub file or an 'ssh-ed25519 AAAA...' line")->required();
  ta->add_option("--name", o->name, "principal name (default: the key's comment)");
  ta->callback([o] { o->action = "add"; });
  auto* tl = t->add_subcommand("list", "list trusted signers");
  tl->callback([o] { o->action = "list"; });
  auto* tr = t->add_subcommand("remove", "stop trusting a key");
  tr->add_option("KEY", o->key, "a key or its SHA256:... fingerprint")->required();
  tr->callback([o] { o->action = "remove"; });
  auto* r = hold<cmd::TrustRegistryOptions>(p);
  auto* treg = t->add_subcommand("registry", "repositories whose tags bale pull trusts (registries.yaml)");
  treg->require_subcommand(1);
  auto* rga = treg->add_subcommand("add", "trust the tags of a repository, namespace or registry");
  rga->add_option("REPOSITORY", r->entry, "e.g. docker.io/library, quay.io/org, 127.0.0.1:5000")->required();
  rga->callback([r] { r->action = "add"; });
  auto* rgr = treg->add_subcommand("remove", "stop trusting its tags");
  rgr->add_option("REPOSITORY", r->entry, "an entry as `bale trust registry list` shows it")->required();
  rgr->callback([r] { r->action = "remove"; });
  auto* rgl = treg->add_subcommand("list", "list the trusted repositories");
  rgl->callback([r] { r->action = "list"; });
  // CLI11 runs this after the subcommands' callbacks: the registry ones have set r->action.
  t->callback([&p, o, r] {
    if (!r->action.empty())
      p.action = [r] { return cmd::trust_registry(*r); };
    else
      p.action = [o] { return cmd::trust(*o); };
  });
}

void add_tls_verify(CLI::App* c, bool& tls_verify) {
  c->add_option("--tls-verify", tls_verify,
                "false: do not check the registry's TLS certificate (test setups; warns)")
      ->default_str("true");
}

void add_pull(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::PullOptions>(p);
  auto* c = app.add_subcommand("pull", "fetch an image from a registry into the store (OCI distribution)");
  c->add_option("REF", o->ref, "[REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST]")->required();
  c->add_option("-o,--output", o->output, "also write the image file here");
  c->add_option("-t,--tag", o->tags, "also keep it under NAME[:TAG]");
  c->add_option("--platform", o->platform, "OS/ARCH[/VARIANT] to pick from an index (default: this machine's)");
  c->add_option("--signer", o->signer, "a pushed bale image must be signed by this key");
  c->add_flag("--insecure", o->insecure, "accept a tag that no trust policy names, or an untrusted bale signer");
  add_tls_verify(c, o->tls_verify);
  c->add_option("--key", o->key, "sign with this key instead of the machine key");
  c->add_flag("-q,--quiet", o->quiet, "do not print the image id");
  c->callback([&p, o] { p.action = [o] { return cmd::pull(*o); }; });
}

void add_push(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::PushOptions>(p);
  auto* c = app.add_subcommand("push", "push an image to a registry, byte for byte as its one layer");
  c->add_option("IMAGE", o->image, "image file, store name or image id")->required();
  c->add_option("REF", o->ref, "[REGISTRY[:PORT]/]REPOSITORY:TAG")->required();
  c->add_option("--signer", o->signer, "accept only this signer");
  c->add_flag("--insecure", o->insecure, "push even if the signer is not trusted");
  add_tls_verify(c, o->tls_verify);
  c->callback([&p, o] { p.action = [o] { return cmd::push(*o); }; });
}

void add_login(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::LoginOptions>(p);
  auto* c = app.add_subcommand("login", "check and keep registry credentials (docker's config.json)");
  c->add_option("REGISTRY", o->registry, "host[:port], e.g. quay.io or docker.io")->required();
  c->add_option("-u,--username", o->user, "user name (asked when not given)");
  c->add_option("-p,--password", o->password, "password (visible to other users: prefer --password-stdin)");
  c->add_flag("--password-stdin", o->password_stdin, "read the password from stdin");
  add_tls_verify(c, o->tls_verify);
  c->callback([&p, o] { p.action = [o] { return cmd::login(*o); }; });
}

void add_import(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ImportOptions>(p);
  auto* im = app.add_subcommand("import", "import a docker/podman save archive or OCI layout");
  im->add_option("FILE", o->file)->required();
  im->add_option("-o,--output", o->output, "image file to write")->required();
  im->add_option("--key", o->key, "sign with this key instead of the machine key");
  im->add_option("-t,--tag", o->tags, "also keep it in the local store under NAME[:TAG]");
  im->callback([&p, o] { p.action = [o] { return cmd::import(*o); }; });
}

void add_export(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ExportOptions>(p);
  auto* ex = app.add_subcommand("export", "write an image as a docker-archive (podman load)");
  ex->add_option("IMAGE", o->image)->required();
  ex->add_option("-o,--output", o->output, "archive file to write")->required();
  ex->add_option("--tag", o->tag, "name:tag recorded in the archive");
  ex->add_option("--signer", o->signer, "accept only this signer");
  ex->add_flag("--insecure", o->insecure, "export even if unsigned or untrusted");
  ex->callback([&p, o] { p.action = [o] { return cmd::export_image(*o); }; });
}

void add_run(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::RunOptions>(p);
  o->command = p.command;
  auto* r = app.add_subcommand("run", "run a command in an image (bale becomes the process)");
  r->add_option("IMAGE", o->image, "image file, file/http(s)/sftp/scp URL, store name or image id; COMMAND [ARG...] may follow")->required();
  add_run_options(r, *o);
  r->callback([&p, o] { p.action = [o] { return cmd::run(*o); }; });
}

void add_unit(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::RunOptions>(p);
  o->command = p.command;
  auto* u = app.add_subcommand("unit", "print a systemd service unit that runs the image");
  u->add_option("IMAGE", o->image, "image file, URL, store name or image id; -- COMMAND [ARG...] may follow")->required();
  add_run_options(u, *o);
  u->callback([&p, o] { p.action = [o, &p] { return cmd::unit(*o, p.run_args); }; });
}

void add_ps(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::PsOptions>(p);
  auto* c = app.add_subcommand("ps", "list the running containers (name, image, PID, command, uptime)");
  c->add_option("--format", o->format, "table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  c->add_flag("-q,--quiet", o->quiet, "PIDs only, one each");
  c->callback([&p, o] { p.action = [o] { return cmd::ps(*o); }; });
}

void add_exec(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ExecOptions>(p);
  o->command = p.command;
  auto* c = app.add_subcommand("exec", "run a command inside a running container");
  c->footer("The command and its arguments follow CONTAINER: bale exec web sh -c 'ls /run'");
  c->add_option("CONTAINER", o->target, "its --name or its PID (see bale ps)")->required();
  c->add_option("-e,--env", o->env, "K=V, or K to pass the caller's value (repeatable)");
  c->add_option("--env-file", o->env_files, "file of K=V lines");
  c->add_option("-w,--workdir", o->workdir, "working directory (default: the container's)");
  c->add_option("-u,--user", o->user, "USER[:GROUP] (default: the container's)");
  c->add_flag("-i,--interactive")->description("accepted for docker's sake: stdin is always the caller's");
  c->add_flag("-t,--tty")->description("accepted for docker's sake: the terminal is always the caller's");
  c->callback([&p, o] { p.action = [o] { return cmd::exec(*o); }; });
}

void add_stop(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::StopOptions>(p);
  auto* c = app.add_subcommand("stop", "stop running containers: their StopSignal, then SIGKILL");
  c->add_option("CONTAINER", o->targets, "a --name or a PID (see bale ps)")->required();
  c->add_option("-t,--time", o->timeout, "seconds to wait before SIGKILL (default 10)");
  c->callback([&p, o] { p.action = [o] { return cmd::stop(*o); }; });
}

void add_store(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::StoreOptions>(p);
  auto* so = app.add_subcommand("store", "the store of unpacked images");
  so->require_subcommand(1);
  so->add_option("--store", o->store, "store directory (default /var/lib/bale, ~/.local/share/bale for others)");
  auto* ls = so->add_subcommand("ls", "list unpacked images");
  ls->add_option("--store", o->store, "store directory (default /var/lib/bale, ~/.local/share/bale for others)");
  ls->callback([o] { o->action = "ls"; });
  auto* gc = so->add_subcommand("gc", "remove what no running container uses");
  gc->add_option("--store", o->store, "store directory (default /var/lib/bale, ~/.local/share/bale for others)");
  gc->add_flag("--all", o->all, "also the build cache entries used in the last 7 days");
  gc->callback([o] { o->action = "gc"; });
  so->callback([&p, o] { p.action = [o] { return cmd::store(*o); }; });
}

void add_vm(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::VmKernelOptions>(p);
  auto* v = app.add_subcommand("vm", "the microVM mode's guest kernel (bale run --vm)");
  v->require_subcommand(1);
  auto* k = v->add_subcommand("kernel", "show the guest kernel in the store, fetching Debian's cloud kernel first if there is none");
  k->add_flag("--refresh", o->refresh, "fetch the current Debian cloud kernel if the store's is older");
  k->add_option("--store", o->store, "store directory (default /var/lib/bale, ~/.local/share/bale for others)");
  v->callback([&p, o] { p.action = [o] { return cmd::vm_kernel(*o); }; });
}

void add_images(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ImagesOptions>(p);
  auto* im = app.add_subcommand("images", "list the names in the local store");
  im->add_option("--format", o->format, "table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  im->add_flag("-q,--quiet", o->quiet, "image ids only, one each");
  im->callback([&p, o] { p.action = [o] { return cmd::images(*o); }; });
}

void add_rmi(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ImagesOptions>(p);
  auto* rm = app.add_subcommand("rmi", "remove names from the local store");
  rm->add_option("NAME", o->names, "NAME[:TAG]")->required();
  rm->callback([&p, o] {
    o->action = "rm";
    p.action = [o] { return cmd::images(*o); };
  });
}

void add_tag(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ImagesOptions>(p);
  auto* tg = app.add_subcommand("tag", "give an image (a path, name or id) another name");
  tg->add_option("SOURCE", o->source, "image file, NAME[:TAG] or image id")->required();
  tg->add_option("NAME", o->names, "NAME[:TAG]")->required();
  tg->callback([&p, o] {
    o->action = "tag";
    p.action = [o] { return cmd::images(*o); };
  });
}

void add_build(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::BuildOptions>(p);
  auto* b = app.add_subcommand("build", "build an image from a Dockerfile");
  b->add_option("CONTEXT", o->context, "the build context directory")->required();
  b->add_option("-f,--file", o->file, "the Dockerfile (default CONTEXT/Dockerfile)");
  b->add_option("-o,--output", o->output, "image file to write");
  b->add_option("-t,--tag", o->tags, "keep the image in the local store under NAME[:TAG]");
  b->add_option("--build-arg", o->build_args, "KEY=VALUE for an ARG (KEY alone: from the environment)");
  b->add_option("--target", o->target, "build this stage (default: the last)");
  b->add_option("--label", o->labels, "KEY=VALUE label on the image");
  b->add_flag("--no-cache", o->no_cache, "run every step again (the results replace the cache)");
  b->add_flag("-q,--quiet", o->quiet, "no step lines or RUN output unless a step fails");
  b->add_option("--progress", o->progress, "auto, plain, tty or quiet");
  b->add_option("--network", o->network, "network of RUN steps: host (default) or none");
  b->add_option("--key", o->key, "sign with this key instead of the machine key");
  b->callback([&p, o] { p.action = [o] { return cmd::build(*o); }; });
}

void add_bootstrap(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::BootstrapOptions>(p);
  auto* b = app.add_subcommand("bootstrap", "make a Debian base image with debootstrap");
  b->add_option("NAME", o->name, "debian:SUITE, e.g. debian:bookworm")->required();
  b->add_option("--mirror", o->mirror, "Debian mirror URL (default http://deb.debian.org/debian)");
  b->add_option("--variant", o->variant, "debootstrap variant (default minbase)");
  b->add_option("-o,--output", o->output, "also write the image file here");
  b->add_option("--key", o->key, "sign with this key instead of the machine key");
  b->add_flag("-v,--verbose", o->verbose, "show debootstrap's output instead of a progress line");
  b->callback([&p, o] { p.action = [o] { return cmd::bootstrap(*o); }; });
}

void add_doctor(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::DoctorOptions>(p);
  auto* c = app.add_subcommand("doctor", "check what bale needs here (user namespaces, subordinate ids, store, key)");
  c->callback([&p, o] { p.action = [o] { return cmd::doctor(*o); }; });
}

void add_do(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::ProjectOptions>(p);
  o->args = p.command;
  auto* c = app.add_subcommand("do", "run a command of the project's bale.yaml (list them without NAME)");
  c->footer("The command's arguments follow NAME. `bale NAME` does the same when NAME is not one "
            "of bale's own commands. See docs/projects.md.");
  c->add_option("NAME", o->name, "a command of the nearest bale.yaml");
  // One value per occurrence: a vector option would otherwise swallow NAME too.
  c->add_option("-e,--env", o->env, "K=V, or K to pass the caller's value (repeatable)")->allow_extra_args(false);
  c->add_option("--only", o->only, "supervise commands: run only this child (repeatable)")->allow_extra_args(false);
  c->add_option("--exclude", o->exclude, "supervise commands: leave this child out (repeatable)")->allow_extra_args(false);
  c->callback([&p, o] { p.action = [o] { return cmd::project(*o); }; });
}

void add_app(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::AppOptions>(p);
  auto* a = app.add_subcommand("app", "host commands that run inside an image (docs/apps.md)");
  a->require_subcommand(1);
  auto* r = a->add_subcommand("register", "make PATH a command that runs inside an image");
  r->add_option("--app", o->app, "the host path to create (a symlink to bale)")->required();
  r->add_option("--image", o->image, "the image it runs in: path, store name or image id")->required();
  r->add_option("--target", o->target, "the program inside (default: the --app path; / for the image's entrypoint)");
  r->add_option("--base", o->base, "an image under the layers");
  r->add_option("--layer", o->layers, "an image between base and image, bottom first (repeatable)");
  r->add_option("--include-tar", o->include_tars, "a host tarball unpacked once into the store and stacked over the image (repeatable)");
  r->add_option("--include-path", o->include_paths, "a host path bound read-only at the same path (repeatable)");
  r->add_option("--env", o->env, "K=V; %VAR in V is the caller's VAR at launch (repeatable)");
  r->add_option("--bind", o->binds, "HOST:CONTAINER[:ro] (repeatable)");
  r->add_option("--workdir", o->workdir, "working directory (default: the image's)");
  r->add_option("--user", o->user, "USER[:GROUP] (default: the image's)");
  r->add_flag("--bind-cwd", o->bind_cwd, "bind the caller's working directory at the same path and start there");
  r->add_flag("--resume", o->resume, "one long-lived instance that every call joins (writes persist until app stop)");
  r->add_flag("--force", o->force, "register an existing app of bale's again");
  r->add_flag("--vm", o->vm, "run it in a microVM, as bale run --vm does (docs/apps.md)");
  r->callback([o] { o->action = "register"; });
  auto* l = a->add_subcommand("list", "list the registered apps");
  l->add_option("--format", o->format, "table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  l->callback([o] { o->action = "list"; });
  auto* s = a->add_subcommand("show", "print an app's settings, drop-ins merged");
  s->add_option("NAME", o->name, "the app's name (its path's last component)")->required();
  s->callback([o] { o->action = "show"; });
  auto* rm = a->add_subcommand("remove", "remove an app's link and file (only bale's own)");
  rm->add_option("--app", o->app, "the app's host path");
  rm->add_option("--image", o->image, "remove every app of this image instead");
  rm->callback([o] { o->action = "remove"; });
  auto* ps = a->add_subcommand("ps", "list the running instances of resumed apps");
  ps->add_option("--format", o->format, "table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  ps->callback([o] { o->action = "ps"; });
  auto* st = a->add_subcommand("stop", "stop a resumed app's instance: SIGTERM, then SIGKILL");
  st->add_option("NAME", o->name, "the app's name")->required();
  st->add_option("--instance", o->instance, "the instance name its calls gave in BALE_APP_INSTANCE");
  st->add_option("-t,--time", o->timeout, "seconds to wait before SIGKILL (default 10)");
  st->callback([o] { o->action = "stop"; });
  a->callback([&p, o] { p.action = [o] { return cmd::app(*o); }; });
}

void add_debug_parse(CLI::App& app, Parsed& p) {
  auto* o = hold<cmd::DebugParseOptions>(p);
  auto* dp = app.add_subcommand("debug-parse", "print a Dockerfile's parse (for tests)");
  dp->group("");  // hidden from --help: a developer's tool, not a user's
  dp->add_option("DOCKERFILE", o->file)->required();
  dp->callback([&p, o] { p.action = [o] { return cmd::debug_parse(*o); }; });
}

}  // namespace

const CommandEntry kCommandTable[] = {
    {"key", add_key},
    {"pack", add_pack},
    {"verify", add_verify},
    {"inspect", add_inspect},
    {"sign", add_sign},
    {"trust", add_trust},
    {"import", add_import},
    {"export", add_export},
    {"pull", add_pull},
    {"push", add_push},
    {"login", add_login},
    {"run", add_run},
    {"unit", add_unit},
    {"ps", add_ps},
    {"exec", add_exec},
    {"stop", add_stop},
    {"store", add_store},
    {"vm", add_vm},
    {"images", add_images},
    {"rmi", add_rmi},
    {"tag", add_tag},
    {"build", add_build},
    {"bootstrap", add_bootstrap},
    {"doctor", add_doctor},
    {"do", add_do},
    {"app", add_app},
    {"debug-parse", add_debug_parse},
    {nullptr, nullptr},
};

const CommandEntry* find_command(std::string_view name) {
  for (const CommandEntry* c = kCommandTable; c->name; c++)
    if (name == c->name) return c;
  return nullptr;
}

}  // namespace bale::cli
