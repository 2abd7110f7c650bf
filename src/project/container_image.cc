// Building a project's container with builder::Builder (see container_image.h).
#include "project/container_image.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "builder/builder.h"
#include "builder/cache.h"
#include "builder/run_step.h"
#include "builder/squash.h"
#include "image/image_file.h"
#include "project/errors.h"
#include "project/freshness.h"
#include "project/state.h"
#include "runtime/recipe.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::project {

namespace {

// `rel` below the project root, resolved (symlinks too) and required to stay inside it.
std::string inside_root(const Project& p, const std::string& rel, const Container& c, const char* field) {
  std::string path = rel.starts_with("/") ? rel : p.root + "/" + rel;
  char* real = realpath(path.c_str(), nullptr);
  if (!real)
    throw Error(fmt::format("{}: containers.{}.{}: {}: {}", c.where.str(), c.name, field, quote(rel),
                            std::strerror(errno)),
                errno, kExitBadConfig);
  std::string out = real;
  free(real);
  if (out != p.root && !out.starts_with(p.root + "/"))
    throw Error(fmt::format("{}: containers.{}.{}: {} is outside the project", c.where.str(),
                            c.name, field, quote(rel)),
                0, kExitBadConfig);
  return out;
}

builder::BuildRequest request(const Project& p, const Container& c, const std::string& dir) {
  builder::BuildRequest r;
  r.context = inside_root(p, c.context, c, "context");
  if (!c.build.empty()) {
    r.dockerfile = dir + "/" + c.name + ".Dockerfile";
    auto old = read_file_if_exists(r.dockerfile);
    if (!old || *old != c.build) write_file_atomic(r.dockerfile, c.build);
  } else {
    r.dockerfile = inside_root(p, c.dockerfile, c, "dockerfile");
  }
  r.build_args = c.build_args;
  r.quiet_if_cached = true;
  return r;
}

// The last successful build of each container: the final step's key, the image's digest, the
// stat fingerprint of its inputs and of the store's names file. With the same inputs the named
// image is used as it is, without the builder; with the same key, squashing is skipped.
struct BuildRecord {
  std::string key, digest, inputs, names;
};

std::optional<BuildRecord> read_record(const std::string& path) {
  auto text = read_file_if_exists(path, 4096);
  if (!text) return std::nullopt;
  BuildRecord r;
  std::vector<std::string*> fields{&r.key, &r.digest, &r.inputs, &r.names};
  size_t pos = 0;
  for (std::string* f : fields) {
    size_t end = text->find(' ', pos);
    *f = text->substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return r;
}

std::string names_file(const store::Store& st) { return stat_fingerprint(st.root() + "/names.json"); }

std::string build(const Project& p, const Container& c, store::Store& st) {
  std::string dir = project_dir(st, p.root);
  builder::BuildRequest req = request(p, c, dir);
  std::string name = image_name(p.root, c.name);
  std::string record_path = dir + "/" + c.name + ".built";
  auto rec = read_record(record_path);
  std::optional<std::string> inputs = input_fingerprint(req);
  if (rec && inputs && rec->inputs == *inputs && rec->names == names_file(st) &&
      store::resolve_name(st, name))
    return name;  // nothing the build reads changed: not even the step cache is asked
  static bool in_private_namespace = false;  // every build mount dies with bale
  if (!in_private_namespace) runtime::enter_private_mount_namespace();
  in_private_namespace = true;
  builder::install_interrupt_handlers();
  builder::BuildCache cache(st.root());
  builder::Builder b(req, st, cache);
  const builder::StageState& result = b.build();
  std::string digest;
  if (rec && rec->key == result.key && store::resolve_name(st, name)) {
    digest = rec->digest;
  } else {
    auto key = trust::load_signing_key(trust::TrustPaths::defaults());
    store::Scratch tmp(st, "project.");
    std::string out = tmp.path() + "/image.bale";
    builder::write_stage_image(cache, result, key, out, false);
    digest = image::read_image_info(out).digest();
    store::tag_image(st, out, digest, name);
    cache.record_use(digest);
  }
  write_file_atomic(record_path, fmt::format("{} {} {} {}", result.key, digest, inputs.value_or("-"),
                                             names_file(st)));
  for (const auto& w : b.warnings()) std::fprintf(stderr, "bale: warning: %s\n", w.c_str());
  return name;
}

}  // namespace

std::string container_image(const Project& p, const Container& c, store::Store& st) {
  if (!c.image.empty()) {
    // A relative path names a file in the project; anything else is a name, a path or a URL.
    if (c.image.starts_with("./") || c.image.starts_with("../")) return p.root + "/" + c.image;
    return c.image;
  }
  try {
    std::string name = build(p, c, st);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return name;
  } catch (const Error& e) {
    if (e.exit_code() == kExitBadConfig || e.exit_code() > 128) throw;
    throw Error(fmt::format("container {}: the build failed: {}", quote(c.name), e.what()), e.err(),
                kExitBuildFailed)
        .with_hint(e.hint());
  }
}

}  // namespace bale::project
