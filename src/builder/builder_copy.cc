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
#include "builder/progress.h"
#include "fetch/fetch.h"
#include "image/digest.h"
#include "runtime/mounts.h"
#include "runtime/user.h"
#include "store/acquire.h"
#include "trust/keystore.h"

namespace bale::builder {

using nlohmann::json;

namespace {

struct CopyFlags {
  std::optional<std::string> from, chown, chmod, checksum;
};

bool is_http_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

bool has_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// The file name a URL gives a download: its path's last component.
std::string url_file_name(const std::string& url) {
  std::string path = url.substr(url.find("://") + 3);
  path = path.substr(0, path.find_first_of("?#"));
  auto slash = path.find('/');
  if (slash == std::string::npos) return "";
  path = path.substr(slash);
  return basename_of(path) == "/" ? "" : basename_of(path);
}

mode_t parse_chmod(const std::string& v) {
  if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
    throw Error(fmt::format("--chmod={}: expected an octal mode such as 755 or 0644", v));
  return static_cast<mode_t>(std::stoul(v, nullptr, 8));
}

std::string file_digest(const std::string& path, const std::string& algo) {
  auto d = algo == "sha512" ? image::Digest::sha512() : image::Digest::sha256();
  d.update_from(open_file(path, O_RDONLY).get(), path);
  return algo + ":" + d.hex();
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
  std::string user_part = spec.substr(0, spec.find(':'));
  runtime::ResolvedUser u = runtime::resolve_user(spec, read("/etc/passwd"), read("/etc/group"));
  if (spec.find(':') == std::string::npos) {
    runtime::ResolvedUser only = runtime::resolve_user(user_part, read("/etc/passwd"), "");
    bool numeric = !user_part.empty() && user_part.find_first_not_of("0123456789") == std::string::npos;
    return {only.uid, numeric ? static_cast<gid_t>(only.uid) : only.gid};
  }
  return {u.uid, u.gid};
}

// Paths below `root_fd` that a --from source names: itself, or the top-level matches of a glob.
std::vector<std::string> expand_in_tree(const CopySource& tree, const std::string& source,
                                        const std::string& what) {
  std::string clean = clean_path("/" + source);
  std::string rel = clean == "/" ? "." : clean.substr(1);
  if (!has_glob(rel)) return {rel};
  size_t glob_at = rel.find_first_of("*?[");
  size_t dir_end = rel.rfind('/', glob_at);
  std::string dir = dir_end == std::string::npos ? "." : rel.substr(0, dir_end);
  std::vector<std::string> out;
  std::string skip_below;
  CopySource top = tree;
  top.path = dir;
  for (const auto& e : list_tree(top, what)) {
    std::string path = dir == "." ? e.path : dir + "/" + e.path;
    if (!skip_below.empty() && path.rfind(skip_below, 0) == 0) continue;
    if (path_match(rel, path)) {
      out.push_back(path);
      skip_below = path + "/";
    }
  }
  if (out.empty())
    throw Error(fmt::format("{} source {}: no such file or directory in {}", what, quote(source),
                            tree.tree));
  return out;
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
    img = store::acquire(path, store_, trust::TrustPaths::defaults(), store::AcquireOptions::for_build());
  } catch (const Error& e) {
    fail(in, fmt::format("--from={}: not a stage of this Dockerfile, and {}", ref, e.what()));
  }
  held_images_.push_back(std::move(img.in_use));
  UniqueFd fd(open(img.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_sys("open", img.rootfs);
  return {std::move(fd), "image " + img.digest, "image " + quote(ref)};
}

void Builder::copy(StageState& s, const Instruction& in) {
  const bool add = in.keyword == "add";
  const std::string what = add ? "ADD" : "COPY";
  progress_->begin(in.original, true);
  CopyFlags flags;
  auto value = [&](const std::string& f, size_t at) {
    try {
      return expand(s, f.substr(at));
    } catch (const Error& e) {
      fail(in, e.what());
    }
  };
  for (const auto& f : in.flags) {
    if (f.rfind("--from=", 0) == 0 && !add) flags.from = value(f, 7);
    else if (f.rfind("--chown=", 0) == 0) flags.chown = value(f, 8);
    else if (f.rfind("--chmod=", 0) == 0) flags.chmod = value(f, 8);
    else if (f.rfind("--checksum=", 0) == 0 && add) flags.checksum = value(f, 11);
    else if (f == "--link" || f == "--link=true" || f == "--link=false") continue;  // layers are always independent here
    else fail(in, fmt::format("{}: unknown flag {}", what, quote(f.substr(0, f.find('=')))));
  }
  if (in.args.size() < 2) fail(in, fmt::format("{} needs at least one source and a destination", what));
  std::string dest;
  try {
    dest = expand(s, in.args.back());
  } catch (const Error& e) {
    fail(in, e.what());
  }
  if (dest.empty()) fail(in, fmt::format("{}: empty destination", what));
  bool dir_dest = dest.ends_with('/') || dest.ends_with("/.") || dest == ".";
  dest = clean_path(dest[0] == '/' ? dest : s.workdir() + "/" + dest);
  if (dir_dest && dest != "/") dest += '/';

  CopyOptions opts;
  if (flags.chmod) {
    try {
      opts.chmod = parse_chmod(*flags.chmod);
    } catch (const Error& e) {
      fail(in, e.what());
    }
  }
  opts.extract_archives = add;

  // Each source as what the copy needs later and what the cache key takes now.
  struct Pending {
    enum class Kind { kContext, kTree, kHeredoc, kUrl } kind;
    std::string path;  // context/tree path, heredoc name, or URL
    std::string content;
  };
  std::vector<Pending> pending;
  json key_sources = json::array();
  StepDir from_mounts = cache_.begin_step();
  std::vector<LayerView> views;
  Tree tree;
  if (flags.from) tree = from_tree(in, *flags.from, from_mounts, views);
  try {
    for (size_t i = 0; i + 1 < in.args.size(); i++) {
      const std::string& word = in.args[i];
      const Heredoc* doc = nullptr;
      if (word.rfind("<<", 0) == 0)
        for (const auto& h : in.heredocs)
          if (word.find(h.name) != std::string::npos) doc = &h;
      if (doc) {
        std::string body = doc->expand ? expand_heredoc(doc->content, s.vars()) : doc->content;
        // The body is a file named after the heredoc only inside the image, as BuildKit
        // names it: the last part of the cleaned name. Never a host path.
        std::string name = basename_of(clean_path("/" + doc->name));
        if (!is_plain_name(name)) {
          if (dir_dest)
            fail(in, fmt::format("heredoc {} names no file; give a file destination", quote(doc->name)));
          name = "heredoc";
        }
        pending.push_back({Pending::Kind::kHeredoc, name, body});
        key_sources.push_back({{"heredoc", doc->name}, {"sha256", image::sha256_hex(body)}});
        continue;
      }
      std::string src = expand(s, word);
      if (add && is_http_url(src)) {
        if (flags.from) fail(in, "ADD of a URL takes no --from");
        // With --checksum the content is known before any download, and a cached step needs
        // none; without, the file is fetched now and its digest keys the step (as BuildKit
        // re-checks the URL on every build).
        std::string fetched;
        json k{{"url", src}};
        if (!flags.checksum) {
          fetched = fmt::format("{}/download-{}", from_mounts.path(), pending.size());
          fetch::download(src, fetched);
          k["content"] = file_digest(fetched, "sha256");
        }
        pending.push_back({Pending::Kind::kUrl, src, fetched});
        key_sources.push_back(k);
        continue;
      }
      if (add && (src.rfind("git@", 0) == 0 || src.ends_with(".git")))
        fail(in, fmt::format("ADD {}: git sources are not supported yet; clone it into the "
                             "context, or RUN git clone", quote(src)));
      if (flags.from) {
        pending.push_back({Pending::Kind::kTree, src, ""});
        key_sources.push_back({{"from", tree.key}, {"path", src}});
        continue;
      }
      for (const auto& p : expand_copy_source(src, context().entries(), what)) {
        pending.push_back({Pending::Kind::kContext, p, ""});
        key_sources.push_back({{"path", p}, {"content", hash_source(context().source(p), what)}});
      }
    }
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(plan_.file + ":", 0) == 0) throw;
    fail(in, e.what());
  }
  if (pending.size() > 1 && !dir_dest)
    fail(in, fmt::format("{} with more than one source needs a directory destination ending in "
                         "'/' (got {})", what, quote(in.args.back())));
  json key{{"op", what}, {"dest", dest}, {"sources", key_sources}, {"chown", flags.chown.value_or("")},
           {"chmod", flags.chmod.value_or("")}, {"checksum", flags.checksum.value_or("")}};
  s.key = image::sha256_hex(s.key + "\n" + key.dump());

  fs_step(s, s.key, [&](const std::string& root, StepDir& step) {
    if (flags.chown) {
      auto [uid, gid] = resolve_chown(root, *flags.chown);
      opts.uid = uid;
      opts.gid = gid;
    }
    ScratchDir scratch(step.path() + "/src");
    std::vector<CopySource> sources;
    std::vector<CopySource> downloads;  // copied without archive extraction, as Docker does
    for (const auto& p : pending) {
      switch (p.kind) {
        case Pending::Kind::kContext:
          sources.push_back(context().source(p.path));
          break;
        case Pending::Kind::kTree:
          for (const auto& path : expand_in_tree(tree.at("."), p.path, what)) {
            CopySource cs = tree.at(path);
            UniqueFd probe(open_source(cs, what));
            struct stat st;
            if (fstat(probe.get(), &st) == 0 && S_ISDIR(st.st_mode)) cs.below = list_tree(cs, what);
            sources.push_back(std::move(cs));
          }
          break;
        case Pending::Kind::kHeredoc: {
          // A directory of bale's naming for each, so two heredocs never meet.
          std::string dir = fmt::format("heredoc-{}", &p - pending.data());
          scratch.mkdir(dir, 0700);
          scratch.write(dir + "/" + p.path, p.content, 0644);
          sources.push_back({scratch.fd(), dir + "/" + p.path, {}, {}});
          break;
        }
        case Pending::Kind::kUrl: {
          std::string name = url_file_name(p.path);
          if (dir_dest && !is_plain_name(name))
            throw Error(fmt::format("ADD {}: the URL names no file; give a file destination", p.path));
          if (!is_plain_name(name)) name = "download";
          std::string dir = fmt::format("download-{}", &p - pending.data());
          std::string rel = dir + "/" + name;
          std::string file = scratch.mkdir(dir, 0700) + "/" + name;
          if (p.content.empty()) {
            fetch::download(p.path, file);
          } else if (renameat(AT_FDCWD, p.content.c_str(), scratch.fd(), rel.c_str()) < 0) {
            throw_sys("rename", p.content);
          }
          if (flags.checksum) {
            std::string algo = flags.checksum->substr(0, flags.checksum->find(':'));
            if (algo != "sha256" && algo != "sha512")
              throw Error(fmt::format("--checksum={}: expected sha256:HEX or sha512:HEX", *flags.checksum));
            std::string got = file_digest(file, algo);
            if (got != *flags.checksum)
              throw Error(fmt::format("ADD {}: checksum mismatch: expected {}, got {}",
                                      fetch::redact(p.path), *flags.checksum, got));
          }
          if (chmod(file.c_str(), 0600) < 0) throw_sys("chmod", file);
          downloads.push_back({scratch.fd(), rel, {}, {}});
          break;
        }
      }
    }
    std::string target = dest;
    copy_into(root, step.diff(), sources, target, opts, what);
    CopyOptions plain = opts;
    plain.extract_archives = false;
    if (!downloads.empty()) copy_into(root, step.diff(), downloads, target, plain, what);
  }, false);
}

}  // namespace bale::builder
