// The command table: each subcommand's options, then dispatch into src/cmd/.
#include "cli/cli.h"

#include <cstdio>
#include <functional>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cmd/commands.h"

namespace bale::cli {

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

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"bale: daemonless containers; images are one signed file", "bale"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bale 0.1.0");
  std::function<int()> action;

  cmd::KeyOptions key;
  auto* k = app.add_subcommand("key", "print this machine's signing identity (creating it)");
  k->add_option("--key", key.key, "an OpenSSH ed25519 private key file instead");
  k->callback([&] { action = [&] { return cmd::key(key); }; });

  cmd::PackOptions pack;
  auto* p = app.add_subcommand("pack", "pack a directory into a signed image");
  p->add_option("DIR", pack.dir, "root filesystem directory")->required();
  p->add_option("-o,--output", pack.output, "image file to write")->required();
  p->add_option("--key", pack.key, "sign with this key instead of the machine key");
  add_config_options(p, pack);
  p->callback([&] { action = [&] { return cmd::pack(pack); }; });

  cmd::VerifyOptions verify;
  auto* v = app.add_subcommand("verify", "check an image's signature and its signer");
  v->add_option("IMAGE", verify.image)->required();
  v->add_option("--signer", verify.signer, "accept only this key (file, line or SHA256:...)");
  v->callback([&] { action = [&] { return cmd::verify(verify); }; });

  cmd::InspectOptions inspect;
  auto* i = app.add_subcommand("inspect", "show an image's signer, digest, sizes and config");
  i->add_option("IMAGE", inspect.image)->required();
  i->add_flag("--json", inspect.json, "machine-readable output");
  i->callback([&] { action = [&] { return cmd::inspect(inspect); }; });

  cmd::SignOptions sign;
  auto* s = app.add_subcommand("sign", "sign (or re-sign) an image or a plain tar.gz");
  s->add_option("IMAGE", sign.image)->required();
  s->add_option("-o,--output", sign.output, "write here instead of replacing IMAGE");
  s->add_option("--key", sign.key, "sign with this key instead of the machine key");
  s->callback([&] { action = [&] { return cmd::sign(sign); }; });

  cmd::TrustOptions trust;
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

  cmd::ImportOptions imp;
  auto* im = app.add_subcommand("import", "import a docker/podman save archive or OCI layout");
  im->add_option("FILE", imp.file)->required();
  im->add_option("-o,--output", imp.output, "image file to write")->required();
  im->add_option("--key", imp.key, "sign with this key instead of the machine key");
  im->callback([&] { action = [&] { return cmd::import(imp); }; });

  cmd::ExportOptions exp;
  auto* ex = app.add_subcommand("export", "write an image as a docker-archive (podman load)");
  ex->add_option("IMAGE", exp.image)->required();
  ex->add_option("-o,--output", exp.output, "archive file to write")->required();
  ex->add_option("--tag", exp.tag, "name:tag recorded in the archive");
  ex->add_option("--signer", exp.signer, "accept only this signer");
  ex->add_flag("--insecure", exp.insecure, "export even if unsigned or untrusted");
  ex->callback([&] { action = [&] { return cmd::export_image(exp); }; });

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
