// RUN --mount (see run_mounts.h): parsing the flag, and preparing each type's source.
#include "builder/run_mounts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "builder/builder_context.h"
#include "builder/cache.h"
#include "dockerfile/flags.h"
#include "image/digest.h"
#include "runtime/mounts.h"

namespace bale::builder {

namespace {

// The value of a number field of --mount (uid=, gid= decimal; mode= octal, at most 07777).
unsigned long number_field(const std::string& text, const std::string& key, const std::string& v,
                           int base) {
  const char* digits = base == 8 ? "01234567" : "0123456789";
  unsigned long max = base == 8 ? 07777 : 4294967294ul;  // (uid_t)-1 is no id
  bool ok = !v.empty() && v.size() <= 10 && v.find_first_not_of(digits) == std::string::npos;
  if (!ok || std::stoul(v, nullptr, base) > max)
    throw Error(fmt::format("--mount={}: {} must be {}, got {}", text, key,
                            base == 8 ? "an octal mode such as 755" : "a number", quote(v)));
  return std::stoul(v, nullptr, base);
}

}  // namespace

MountFlag parse_mount(const std::string& text) {
  MountFlag m;
  m.text = text;
  for (const auto& [k, value] : split_flag_fields(text)) {
    std::string v = value.value_or("");
    bool flag_true = !value || v == "true";
    if (k == "type") m.type = v;
    else if (k == "source" || k == "src") m.source = v;
    else if (k == "target" || k == "dst" || k == "destination") m.target = v;
    else if (k == "from") m.from = v;
    else if (k == "id") m.id = v;
    else if (k == "sharing") m.sharing = v;
    else if (k == "size") m.size = v;
    else if (k == "mode") m.mode = static_cast<mode_t>(number_field(text, k, v, 8));
    else if (k == "uid") m.uid = static_cast<uid_t>(number_field(text, k, v, 10));
    else if (k == "gid") m.gid = static_cast<gid_t>(number_field(text, k, v, 10));
    else if (k == "readonly" || k == "ro") m.read_only = flag_true, m.read_only_given = true;
    else if (k == "rw" || k == "readwrite") m.read_only = !flag_true, m.read_only_given = true;
    else throw Error(fmt::format("--mount={}: unknown field {}", text, quote(k)));
  }
  if (m.type == "secret" || m.type == "ssh")
    throw Error(fmt::format("--mount=type={} is not supported yet", m.type));
  if (m.type != "bind" && m.type != "cache" && m.type != "tmpfs")
    throw Error(fmt::format("--mount={}: unknown type {} (bind, cache or tmpfs)", text, quote(m.type)));
  if (m.target.empty()) throw Error(fmt::format("--mount={}: a target is required", text));
  if (m.type == "cache" && !m.read_only_given) m.read_only = false;
  if (!m.sharing.empty() && m.sharing != "shared" && m.sharing != "private" && m.sharing != "locked")
    throw Error(fmt::format("--mount={}: sharing must be shared, private or locked", text));
  return m;
}

RunMount tmpfs_mount(const MountFlag& m, const std::string& target) {
  return {RunMount::Type::kTmpfs, "", target, false,
          m.size.empty() ? "mode=1777" : "mode=1777,size=" + m.size};
}

RunMount cache_mount(const MountFlag& m, const std::string& target, const BuildCache& cache) {
  std::string dir = cache.cache_mount(image::sha256_hex(m.id.empty() ? target : m.id).substr(0, 24));
  if (list_dir(dir).empty()) {
    if (chown(dir.c_str(), m.uid.value_or(0), m.gid.value_or(0)) < 0 ||
        chmod(dir.c_str(), m.mode.value_or(0755)) < 0)
      throw_sys("prepare cache mount", dir);
  }
  return {RunMount::Type::kCache, dir, target, m.read_only, ""};
}

RunMount bind_mount(const MountFlag& m, const std::string& target, BuildContext& context,
                    const std::optional<CopySource>& tree, ScratchDir& scratch, size_t index,
                    std::vector<UniqueFd>& bound) {
  // A bind of the context (or of another stage) sees only what the build may see, and writes
  // (rw) go to a copy that is thrown away with the step.
  std::string src = clean_path("/" + (m.source.empty() ? std::string(".") : m.source));
  std::string rel = src == "/" ? "." : src.substr(1);
  if (!tree && context.rules().empty() && m.read_only) {
    // Bound through the fd the check opened: a name swapped for a symlink after the check
    // cannot bring a host path in. The step's namespace attaches a detached copy of it.
    UniqueFd fd(open_source(context.source(rel), "RUN --mount"));
    bound.push_back(runtime::detached_bind(fd, "RUN --mount source " + quote(rel), true));
    RunMount direct{RunMount::Type::kBind, rel, target, true, ""};
    direct.tree_fd = bound.back().get();
    return direct;
  }
  std::string copy_root = scratch.mkdir(fmt::format("bind-{}", index), 0755);
  CopySource cs;
  if (tree) {
    cs = *tree;
    cs.path = rel;
  } else {
    cs = context.source(rel);
  }
  struct stat st;
  UniqueFd probe(open_source(cs, "RUN --mount"));
  bool is_dir = fstat(probe.get(), &st) == 0 && S_ISDIR(st.st_mode);
  if (tree && is_dir) cs.below = list_tree(cs, "RUN --mount");
  copy_into(copy_root, copy_root, {cs}, is_dir ? "/" : "/" + basename_of(rel), {}, "RUN --mount");
  return {RunMount::Type::kBind, is_dir ? copy_root : copy_root + "/" + basename_of(rel), target,
          m.read_only, ""};
}

}  // namespace bale::builder
