// `bale build [-f Dockerfile] [-o IMAGE] [-t NAME] ... CONTEXT`: a Dockerfile carried out by bale
// itself, the target stage squashed into one signed image.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "builder/builder.h"
#include "builder/cache.h"
#include "builder/run_step.h"
#include "builder/squash.h"
#include "cmd/commands.h"
#include "cmd/remote_image.h"
#include "cmd/rootless.h"
#include "image/config.h"
#include "image/image_file.h"
#include "runtime/recipe.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

builder::BuildRequest request(const BuildOptions& o) {
  builder::BuildRequest r;
  char* ctx = realpath(o.context.c_str(), nullptr);
  if (!ctx) throw sys_error("build context", o.context, errno);
  r.context = ctx;
  free(ctx);
  r.dockerfile = o.file.empty() ? r.context + "/Dockerfile" : o.file;
  if (!path_exists(r.dockerfile))
    throw Error(fmt::format("no Dockerfile at {}", quote(r.dockerfile)), ENOENT, kExitUsage)
        .with_hint("give one with -f FILE");
  for (const auto& a : o.build_args) {
    auto eq = a.find('=');
    if (a.empty() || eq == 0) throw Error(fmt::format("--build-arg {}: expected KEY=VALUE", quote(a)), 0, kExitUsage);
    if (eq != std::string::npos) {
      r.build_args[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (const char* v = std::getenv(a.c_str())) {
      r.build_args[a] = v;  // `--build-arg KEY` takes the value from the environment, as docker
    }
  }
  for (const auto& kv : o.labels) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(fmt::format("--label {}: expected KEY=VALUE", quote(kv)), 0, kExitUsage);
    r.labels.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (o.network != "host" && o.network != "none" && o.network != "default")
    throw Error(fmt::format("--network {}: bale builds with host or none", quote(o.network)), 0, kExitUsage);
  r.network = o.network == "none" ? "none" : "host";
  if (o.progress != "auto" && o.progress != "plain" && o.progress != "tty" && o.progress != "quiet")
    throw Error(fmt::format("--progress {}: auto, plain, tty or quiet", quote(o.progress)), 0, kExitUsage);
  r.quiet = o.quiet || o.progress == "quiet";
  r.no_cache = o.no_cache;
  r.target = o.target;
  return r;
}

}  // namespace

int build(const BuildOptions& o) {
  if (o.output.empty() && o.tags.empty())
    throw Error("bale build: give -o IMAGE, -t NAME, or both", 0, kExitUsage);
  for (const auto& t : o.tags) store::normalize_name(t);
  builder::BuildRequest req = request(o);
  // Where the image goes is checked before the build, not found out after it.
  if (!o.output.empty()) {
    std::string dir = dirname_of(o.output);
    struct stat st;
    if (::stat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
      throw Error(fmt::format("-o {}: the directory {} does not exist", quote(o.output), quote(dir)),
                  ENOENT, kExitUsage);
  }
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  store::Store st(store::Store::default_root());
  enter_user_namespace_if_rootless(
      "so RUN steps run as root only: one that switches to another user or gives files to "
      "another id (apt-get drops to _apt, useradd, chown) fails");
  // Every mount of the build lives in this private namespace and dies with bale.
  runtime::enter_private_mount_namespace();
  builder::install_interrupt_handlers();
  builder::BuildCache cache(st.root());
  // A base that names its registry is pulled, with pull's trust rules (there is no --insecure).
  req.pull_remote = [&st](const std::string& ref, int err) -> std::optional<std::string> {
    if (!is_remote_ref(ref, err)) return std::nullopt;
    return pull_for_use(ref, st, trust::TrustPaths::defaults(), false, std::nullopt);
  };
  builder::Builder builder(req, st, cache);
  const builder::StageState& result = builder.build();

  std::string output = o.output;
  std::optional<store::Scratch> tmp;
  if (output.empty()) {
    tmp.emplace(st, "build.");
    output = tmp->path() + "/image.bale";
  }
  builder::SquashOutcome squashed = builder::write_stage_image(cache, result, key, output, o.no_cache);
  tag_in_store(output, o.tags, req.quiet);
  for (const auto& w : builder.warnings()) std::fprintf(stderr, "bale: warning: %s\n", w.c_str());
  image::ImageInfo info = image::read_image_info(output);
  std::string digest = info.digest();
  cache.record_use(digest);  // while a name points at the image, gc keeps what made it
  if (!req.quiet) {
    std::string how = squashed.reused_image ? " (the image of an identical earlier build)"
                      : squashed.reused_bytes
                          ? fmt::format(" ({} of them from an earlier build's unchanged layers)",
                                        squashed.reused_bytes)
                      : squashed.base_members
                          ? fmt::format(" ({} compressed chunks taken from the base image as they were)",
                                        squashed.base_members)
                          : "";
    std::fprintf(stderr, "wrote %s: %llu entries, %llu bytes%s\n",
                 quote(o.output.empty() ? o.tags.front() : o.output).c_str(),
                 static_cast<unsigned long long>(squashed.entries),
                 static_cast<unsigned long long>(info.file_size), how.c_str());
  }
  std::printf("%s\n", digest.c_str());
  return 0;
}

}  // namespace bale::cmd
