// The command table: each subcommand's options, then dispatch into src/cmd/.
#include "cli/cli.h"

#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli/run_options.h"
#include "cmd/commands.h"

namespace bale::cli {

int run_split(int argc, char** argv, const std::vector<std::string>& command,
              const std::vector<std::string>& run_args);

namespace {

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

}  // namespace

int run(int argc, char** argv) {
  int sub = 1;
  while (sub < argc && argv[sub][0] == '-') sub++;
  std::string name = sub < argc ? argv[sub] : "";
  // `run` stops option parsing at IMAGE, so the command's own options stay its own. The usual
  // case is parsed without CLI11; anything unusual goes through CLI11 for its messages.
  if (name == "run") {
    if (auto fast = parse_run_fast(argc, argv, sub)) return cmd::run(*fast);
    int img = image_index(argc, argv, sub);
    if (img > 0) return run_split(img + 1, argv, {argv + img + 1, argv + argc}, {});
  }
  // `unit [options] IMAGE [options] [--] [COMMAND...]`: run options may also follow IMAGE; the
  // command starts at the first word after IMAGE that is not an option (or after "--"). The
  // options (without IMAGE) are handed on, to be written before IMAGE in ExecStart.
  if (name == "unit") {
    int img = image_index(argc, argv, sub);
    if (img > 0) {
      int end = image_index(argc, argv, img);  // the first non-option after IMAGE
      int opts_end = end > 0 ? end : argc;
      if (opts_end > img + 1 && std::string(argv[opts_end - 1]) == "--") opts_end--;
      std::vector<char*> args(argv, argv + img + 1);
      std::vector<std::string> options(argv + sub + 1, argv + img);
      for (int i = img + 1; i < opts_end; i++) {
        args.push_back(argv[i]);
        options.push_back(argv[i]);
      }
      std::vector<std::string> command(argv + (end > 0 ? end : argc), argv + argc);
      return run_split(static_cast<int>(args.size()), args.data(), command, options);
    }
  }
  return run_split(argc, argv, {}, {});
}

int run_split(int argc, char** argv, const std::vector<std::string>& command,
              const std::vector<std::string>& run_args) {
  CLI::App app{"bale: daemonless containers; images are one signed file", "bale"};
  app.require_subcommand(1);
  app.set_version_flag("--version", BALE_VERSION_TEXT);
  std::function<int()> action;
  // Only the subcommand being run is registered (all of them for help or a typo): building
  // the whole table costs a warm `bale run` a measurable part of its start.
  static const std::set<std::string> kCommands = {"key", "pack", "verify", "inspect", "sign",
                                                  "trust", "import", "export", "run", "unit",
                                                  "store", "images", "rmi", "tag", "debug-parse",
                                                  "build", "bootstrap"};
  std::string chosen;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    if (!kCommands.count(argv[i])) {
      std::fprintf(stderr, "bale: unknown command %s\n  see 'bale --help'\n", quote(argv[i]).c_str());
      return kExitUsage;
    }
    chosen = argv[i];
    break;
  }
  auto wanted = [&](const char* name) { return chosen.empty() || chosen == name; };

  cmd::KeyOptions key;
  if (wanted("key")) {
    auto* k = app.add_subcommand("key", "print this machine's signing identity (creating it)");
    k->add_option("--key", key.key, "an OpenSSH ed25519 private key file instead");
    k->callback([&] { action = [&] { return cmd::key(key); }; });
  }

  cmd::PackOptions pack;
  if (wanted("pack")) {
    auto* p = app.add_subcommand("pack", "pack a directory into a signed image");
    p->add_option("DIR", pack.dir, "root filesystem directory")->required();
    p->add_option("-o,--output", pack.output, "image file to write")->required();
    p->add_option("--key", pack.key, "sign with this key instead of the machine key");
    add_config_options(p, pack);
    p->add_option("-t,--tag", pack.tags, "also keep it in the local store under NAME[:TAG]");
    p->callback([&] { action = [&] { return cmd::pack(pack); }; });
  }

  cmd::VerifyOptions verify;
  if (wanted("verify")) {
    auto* v = app.add_subcommand("verify", "check an image's signature and its signer");
    v->add_option("IMAGE", verify.image)->required();
    v->add_option("--signer", verify.signer, "accept only this key (file, line or SHA256:...)");
    v->callback([&] { action = [&] { return cmd::verify(verify); }; });
  }

  cmd::InspectOptions inspect;
  if (wanted("inspect")) {
    auto* i = app.add_subcommand("inspect", "show an image's signer, digest, sizes and config");
    i->add_option("IMAGE", inspect.image)->required();
    i->add_flag("--json", inspect.json, "machine-readable output");
    i->callback([&] { action = [&] { return cmd::inspect(inspect); }; });
  }

  cmd::SignOptions sign;
  if (wanted("sign")) {
    auto* s = app.add_subcommand("sign", "sign (or re-sign) an image or a plain tar.gz");
    s->add_option("IMAGE", sign.image)->required();
    s->add_option("-o,--output", sign.output, "write here instead of replacing IMAGE");
    s->add_option("--key", sign.key, "sign with this key instead of the machine key");
    s->callback([&] { action = [&] { return cmd::sign(sign); }; });
  }

  cmd::TrustOptions trust;
  if (wanted("trust")) {
    auto* t = app.add_subcommand("trust", "manage trusted signers (allowed_signers)");
    t->require_subcommand(1);
    auto* ta = t->add_subcommand("add", "trust a key to sign images");
    ta->add_option("KEY", trust.key, "a .pub file or an 'ssh-ed25519 AAAA...' line")->required();
    ta->add_option("--name", trust.name, "principal name (default: the key's comment)");
    ta->callback([&] { trust.action = "add"; });
    auto* tl = t->add_subcommand("list", "list trusted signers");
    tl->callback([&] { trust.action = "list"; });
    auto* tr = t->add_subcommand("remove", "stop trusting a key");
    tr->add_option("KEY", trust.key, "a key or its SHA256:... fingerprint")->required();
    tr->callback([&] { trust.action = "remove"; });
    t->callback([&] { action = [&] { return cmd::trust(trust); }; });
  }

  cmd::ImportOptions imp;
  if (wanted("import")) {
    auto* im = app.add_subcommand("import", "import a docker/podman save archive or OCI layout");
    im->add_option("FILE", imp.file)->required();
    im->add_option("-o,--output", imp.output, "image file to write")->required();
    im->add_option("--key", imp.key, "sign with this key instead of the machine key");
    im->add_option("-t,--tag", imp.tags, "also keep it in the local store under NAME[:TAG]");
    im->callback([&] { action = [&] { return cmd::import(imp); }; });
  }

  cmd::ExportOptions exp;
  if (wanted("export")) {
    auto* ex = app.add_subcommand("export", "write an image as a docker-archive (podman load)");
    ex->add_option("IMAGE", exp.image)->required();
    ex->add_option("-o,--output", exp.output, "archive file to write")->required();
    ex->add_option("--tag", exp.tag, "name:tag recorded in the archive");
    ex->add_option("--signer", exp.signer, "accept only this signer");
    ex->add_flag("--insecure", exp.insecure, "export even if unsigned or untrusted");
    ex->callback([&] { action = [&] { return cmd::export_image(exp); }; });
  }

  cmd::RunOptions runo;
  runo.command = command;
  if (wanted("run")) {
    auto* r = app.add_subcommand("run", "run a command in an image (bale becomes the process)");
    r->add_option("IMAGE", runo.image, "image file or file/http(s)/sftp/scp URL")->required();
    add_run_options(r, runo);
    r->callback([&] { action = [&] { return cmd::run(runo); }; });
  }
  if (wanted("unit")) {
    auto* u = app.add_subcommand("unit", "print a systemd service unit that runs the image");
    u->add_option("IMAGE", runo.image, "image file or URL")->required();
    add_run_options(u, runo);
    u->callback([&] { action = [&] { return cmd::unit(runo, run_args); }; });
  }

  cmd::StoreOptions sto;
  if (wanted("store")) {
    auto* so = app.add_subcommand("store", "the store of unpacked images");
    so->require_subcommand(1);
    so->add_option("--store", sto.store, "store directory (default /var/lib/bale)");
    auto* ls = so->add_subcommand("ls", "list unpacked images");
    ls->add_option("--store", sto.store, "store directory (default /var/lib/bale)");
    ls->callback([&] { sto.action = "ls"; });
    auto* gc = so->add_subcommand("gc", "remove what no running container uses");
    gc->add_option("--store", sto.store, "store directory (default /var/lib/bale)");
    gc->add_flag("--all", sto.all, "also the build cache entries used in the last 7 days");
    gc->callback([&] { sto.action = "gc"; });
    so->callback([&] { action = [&] { return cmd::store(sto); }; });
  }

  cmd::ImagesOptions imgs;
  if (wanted("images")) {
    auto* im = app.add_subcommand("images", "list the names in the local store");
    im->add_option("--format", imgs.format, "table (default) or json")
        ->check(CLI::IsMember({"table", "json"}));
    im->add_flag("-q,--quiet", imgs.quiet, "image ids only, one each");
    im->callback([&] {
      action = [&] { return cmd::images(imgs); };
    });
  }
  if (wanted("rmi")) {
    auto* rm = app.add_subcommand("rmi", "remove names from the local store");
    rm->add_option("NAME", imgs.names, "NAME[:TAG]")->required();
    rm->callback([&] {
      imgs.action = "rm";
      action = [&] { return cmd::images(imgs); };
    });
  }
  if (wanted("tag")) {
    auto* tg = app.add_subcommand("tag", "give an image (a path, name or id) another name");
    tg->add_option("SOURCE", imgs.source, "image file, NAME[:TAG] or image id")->required();
    tg->add_option("NAME", imgs.names, "NAME[:TAG]")->required();
    tg->callback([&] {
      imgs.action = "tag";
      action = [&] { return cmd::images(imgs); };
    });
  }

  cmd::BuildOptions bo;
  if (wanted("build")) {
    auto* b = app.add_subcommand("build", "build an image from a Dockerfile");
    b->add_option("CONTEXT", bo.context, "the build context directory")->required();
    b->add_option("-f,--file", bo.file, "the Dockerfile (default CONTEXT/Dockerfile)");
    b->add_option("-o,--output", bo.output, "image file to write");
    b->add_option("-t,--tag", bo.tags, "keep the image in the local store under NAME[:TAG]");
    b->add_option("--build-arg", bo.build_args, "KEY=VALUE for an ARG (KEY alone: from the environment)");
    b->add_option("--target", bo.target, "build this stage (default: the last)");
    b->add_option("--label", bo.labels, "KEY=VALUE label on the image");
    b->add_flag("--no-cache", bo.no_cache, "run every step again (the results replace the cache)");
    b->add_flag("-q,--quiet", bo.quiet, "no step lines or RUN output unless a step fails");
    b->add_option("--progress", bo.progress, "auto, plain, tty or quiet");
    b->add_option("--network", bo.network, "network of RUN steps: host (default) or none");
    b->add_option("--key", bo.key, "sign with this key instead of the machine key");
    b->callback([&] { action = [&] { return cmd::build(bo); }; });
  }

  cmd::BootstrapOptions boot;
  if (wanted("bootstrap")) {
    auto* b = app.add_subcommand("bootstrap", "make a Debian base image with debootstrap");
    b->add_option("NAME", boot.name, "debian:SUITE, e.g. debian:bookworm")->required();
    b->add_option("--mirror", boot.mirror, "Debian mirror URL (default http://deb.debian.org/debian)");
    b->add_option("--variant", boot.variant, "debootstrap variant (default minbase)");
    b->add_option("-o,--output", boot.output, "also write the image file here");
    b->add_option("--key", boot.key, "sign with this key instead of the machine key");
    b->add_flag("-v,--verbose", boot.verbose, "show debootstrap's output instead of a progress line");
    b->callback([&] { action = [&] { return cmd::bootstrap(boot); }; });
  }

  cmd::DebugParseOptions debug_parse;
  if (wanted("debug-parse")) {
    auto* dp = app.add_subcommand("debug-parse", "print a Dockerfile's parse (for tests)");
    dp->group("");  // hidden from --help: a developer's tool, not a user's
    dp->add_option("DOCKERFILE", debug_parse.file)->required();
    dp->callback([&] { action = [&] { return cmd::debug_parse(debug_parse); }; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where;
    for (const CLI::App* sub = &app; sub;) {
      auto subs = sub->get_subcommands();
      if (subs.empty()) break;
      sub = subs.front();
      where += " " + sub->get_name();
    }
    std::fprintf(stderr, "bale%s: %s\n  see 'bale%s --help'\n", where.c_str(), e.what(),
                 where.c_str());
    return kExitUsage;
  }
  return action();
}

}  // namespace bale::cli
