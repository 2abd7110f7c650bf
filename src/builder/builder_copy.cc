// COPY and ADD (see builder.h): sources from the context, another stage, an image, a heredoc or
// a URL; the cache key over their content; the copy on a writable view of the stage.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "builder/builder.h"
#include "builder/builder_context.h"
#include "builder/copy.h"
#include "builder/copy_step.h"
#include "builder/progress.h"
#include "dockerfile/heredoc.h"
#include "image/digest.h"
#include "runtime/mounts.h"
#include "runtime/user.h"
#include "store/acquire.h"
#include "trust/keystore.h"

namespace bale::builder {

using nlohmann::json;

namespace {

mode_t parse_chmod(const std::string& v) {
  if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
    throw Error(fmt::format("--chmod={}: expected an octal mode such as 755 or 0644", v));
  return static_cast<mode_t>(std::stoul(v, nullptr, 8));
}

// --chown=user[:group] against the stage's own /etc/passwd and /etc/group. Without a group, a
// user named takes its primary group from /etc/passwd and a numeric uid takes itself as the gid,
// as BuildKit does.
std::pair<uid_t, gid_t> resolve_chown(const std::string& root, const std::string& spec) {
  UniqueFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_sys("open", root);
  auto read = [&](const char* f) {
    UniqueFd fd(open_in_root(root_fd.get(), f, O_RDONLY));
    return fd ? read_file(runtime::fd_path(fd)) : std::string();
  };
  runtime::ResolvedUser u = runtime::resolve_owner(spec, read("/etc/passwd"), read("/etc/group"));
  return {u.uid, u.gid};
}

// The heredoc a source word such as `<<EOF` or `<<-"EOF"` opens, or null. The word is read as
// an opener and its name compared whole: `<<EOF2` is not the heredoc `EOF`.
const Heredoc* heredoc_named(const Instruction& in, const std::string& word) {
  if (word.rfind("<<", 0) != 0) return nullptr;
  std::vector<Heredoc> opener = find_heredocs(word);
  if (opener.size() != 1) return nullptr;
  for (const auto& h : in.heredocs)
    if (h.name == opener[0].name) return &h;
  return nullptr;
}

}  // namespace

Builder::Tree Builder::from_tree(const Instruction& in, const std::string& ref, StepDir& mounts,
                                 std::vector<LayerView>& views) {
  if (auto j = find_stage(plan_, ref, plan_.stages.size())) {
    const StageState& other = stage(*j);
    std::string at = fmt::format("{}/from-{}", mounts.path(), views.size());
    mkdir_p(at);
    views.push_back(LayerView::mount(other.lowers, cache_.cache_dir(), cache_.empty_dir(), at));
    UniqueFd fd(open(at.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw_sys("open", at);
    std::string name = plan_.stages[*j].name.empty() ? std::to_string(*j) : plan_.stages[*j].name;
    return {std::move(fd), "stage " + other.key, "stage " + quote(name)};
  }
  store::ReadyImage img;
  try {
    std::string path = ref.find('/') != std::string::npos && ref[0] != '/' ? req_.context + "/" + ref : ref;
    img = acquire_base(path, ref);
  } catch (const Error& e) {
    fail(in, fmt::format("--from={}: not a stage of this Dockerfile, and {}", ref, e.what()));
  }
  held_images_.push_back(std::move(img.in_use));
  UniqueFd fd(open(img.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_sys("open", img.rootfs);
  return {std::move(fd), "image " + img.digest, "image " + quote(ref)};
}

// The flags and the destination, expanded, with the checks that need no source.
CopyStep Builder::read_copy(const StageState& s, const Instruction& in) {
  CopyStep c;
  c.add = in.keyword == "add";
  c.what = c.add ? "ADD" : "COPY";
  auto value = [&](const Flag& f) {
    try {
      return expand(s, *f.value);
    } catch (const Error& e) {
      fail(in, e.what());
    }
  };
  for (const Flag& f : in.flags) {
    bool link = f.name == "link" && (!f.value || *f.value == "true" || *f.value == "false");
    if (f.name == "from" && f.value && !c.add) c.from = value(f);
    else if (f.name == "chown" && f.value) c.chown = value(f);
    else if (f.name == "chmod" && f.value) c.chmod = value(f);
    else if (f.name == "checksum" && f.value && c.add) c.checksum = value(f);
    else if (link) continue;  // layers are always independent here
    else fail(in, fmt::format("{}: unknown flag {}", c.what, quote("--" + f.name)));
  }
  if (in.args.size() < 2) fail(in, fmt::format("{} needs at least one source and a destination", c.what));
  try {
    c.dest = expand(s, in.args.back());
  } catch (const Error& e) {
    fail(in, e.what());
  }
  if (c.dest.empty()) fail(in, fmt::format("{}: empty destination", c.what));
  c.dir_dest = c.dest.ends_with('/') || c.dest.ends_with("/.") || c.dest == ".";
  c.dest = clean_path(c.dest[0] == '/' ? c.dest : s.workdir() + "/" + c.dest);
  if (c.dir_dest && c.dest != "/") c.dest += '/';
  if (c.chmod) {
    try {
      c.opts.chmod = parse_chmod(*c.chmod);
    } catch (const Error& e) {
      fail(in, e.what());
    }
  }
  c.opts.extract_archives = c.add;
  return c;
}

// Each source as what the copy needs later (in c.pending) and what the cache key takes now
// (returned).
json Builder::copy_sources(const StageState& s, const Instruction& in, CopyStep& c,
                           const Tree& tree, StepDir& downloads) {
  json keys = json::array();
  try {
    for (size_t i = 0; i + 1 < in.args.size(); i++) {
      if (const Heredoc* doc = heredoc_named(in, in.args[i])) {
        keys.push_back(add_heredoc_source(c, *doc, s.vars()));
        continue;
      }
      std::string src = expand(s, in.args[i]);
      if (c.add && is_http_url(src)) {
        if (c.from) throw Error("ADD of a URL takes no --from");
        keys.push_back(add_url_source(c, src, downloads.path()));
        continue;
      }
      if (c.add && (src.rfind("git@", 0) == 0 || src.ends_with(".git")))
        throw Error(fmt::format("ADD {}: git sources are not supported yet; clone it into the "
                                "context, or RUN git clone", quote(src)));
      if (c.from) {
        c.pending.push_back({PendingSource::Kind::kTree, src, ""});
        // "owners": these copies keep the source's owners, which earlier entries did not.
        keys.push_back({{"from", tree.key}, {"path", src}, {"owners", "kept"}});
        continue;
      }
      for (const auto& p : expand_copy_source(src, context().entries(), c.what)) {
        c.pending.push_back({PendingSource::Kind::kContext, p, ""});
        keys.push_back({{"path", p}, {"content", hash_source(context().source(p), c.what)}});
      }
    }
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(plan_.file + ":", 0) == 0) throw;
    fail(in, e.what());
  }
  return keys;
}

void Builder::copy(StageState& s, const Instruction& in) {
  progress_->begin(in.original, true);
  CopyStep c = read_copy(s, in);
  StepDir from_mounts = cache_.begin_step();
  std::vector<LayerView> views;
  Tree tree;
  if (c.from) tree = from_tree(in, *c.from, from_mounts, views);
  json key_sources = copy_sources(s, in, c, tree, from_mounts);
  if (c.pending.size() > 1 && !c.dir_dest)
    fail(in, fmt::format("{} with more than one source needs a directory destination ending in "
                         "'/' (got {})", c.what, quote(in.args.back())));
  json key{{"op", c.what}, {"dest", c.dest}, {"sources", key_sources},
           {"chown", c.chown.value_or("")}, {"chmod", c.chmod.value_or("")},
           {"checksum", c.checksum.value_or("")}};
  s.key = image::sha256_hex(s.key + "\n" + key.dump());

  fs_step(s, s.key, [&](const std::string& root, StepDir& step) {
    CopyOptions opts = c.opts;
    if (c.chown) std::tie(opts.uid, opts.gid) = resolve_chown(root, *c.chown);
    ScratchDir scratch(step.path() + "/src");
    PlacedSources placed = place_sources(c, context(), tree.at("."), scratch);
    copy_into(root, step.diff(), placed.sources, c.dest, opts, c.what);
    CopyOptions plain = opts;
    plain.extract_archives = false;
    if (!placed.downloads.empty()) copy_into(root, step.diff(), placed.downloads, c.dest, plain, c.what);
  }, false);
}

}  // namespace bale::builder
