// COPY and ADD sources that are more than a path (see copy_step.h): heredocs, URLs and their
// checksums, globs in a stage or image tree, and their placing for copy_into.
#include "builder/copy_step.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "builder/builder_context.h"
#include "fetch/fetch.h"
#include "image/digest.h"

namespace bale::builder {

using nlohmann::json;

namespace {

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

std::string file_digest(const std::string& path, const std::string& algo) {
  auto d = algo == "sha512" ? image::Digest::sha512() : image::Digest::sha256();
  d.update_from(open_file(path, O_RDONLY).get(), path);
  return algo + ":" + d.hex();
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

void place_tree_paths(const CopyStep& c, const CopySource& tree, const std::string& source,
                      std::vector<CopySource>& out) {
  for (const auto& path : expand_in_tree(tree, source, c.what)) {
    CopySource cs = tree;
    cs.path = path;
    UniqueFd probe(open_source(cs, c.what));
    struct stat st;
    if (fstat(probe.get(), &st) == 0 && S_ISDIR(st.st_mode)) cs.below = list_tree(cs, c.what);
    out.push_back(std::move(cs));
  }
}

// `index` gives each source a directory of bale's naming, so two heredocs or downloads never meet.
CopySource place_heredoc(const PendingSource& p, size_t index, ScratchDir& scratch) {
  std::string dir = fmt::format("heredoc-{}", index);
  scratch.mkdir(dir, 0700);
  scratch.write(dir + "/" + p.path, p.content, 0644);
  return {scratch.fd(), dir + "/" + p.path, {}, {}};
}

void check_download(const std::string& url, const std::string& file, const std::string& checksum) {
  std::string algo = checksum.substr(0, checksum.find(':'));
  if (algo != "sha256" && algo != "sha512")
    throw Error(fmt::format("--checksum={}: expected sha256:HEX or sha512:HEX", checksum));
  std::string got = file_digest(file, algo);
  if (got != checksum)
    throw Error(fmt::format("ADD {}: checksum mismatch: expected {}, got {}", fetch::redact(url),
                            checksum, got));
}

// Downloads `url` to `file` (of bale's naming), dated by the response's Last-Modified when it
// has one, as Docker's ADD does; the download's own time otherwise.
void download_dated(const std::string& url, const std::string& file) {
  fetch::Fetched got = fetch::download(url, file);
  if (!got.last_modified) return;
  timespec ts[2] = {{*got.last_modified, 0}, {*got.last_modified, 0}};
  if (utimensat(AT_FDCWD, file.c_str(), ts, 0) < 0) throw_sys("set times of", file);
}

CopySource place_download(const CopyStep& c, const PendingSource& p, size_t index,
                          ScratchDir& scratch) {
  std::string name = url_file_name(p.path);
  if (c.dir_dest && !is_plain_name(name))
    throw Error(fmt::format("ADD {}: the URL names no file; give a file destination", p.path));
  if (!is_plain_name(name)) name = "download";
  std::string dir = fmt::format("download-{}", index);
  std::string rel = dir + "/" + name;
  std::string file = scratch.mkdir(dir, 0700) + "/" + name;
  if (p.content.empty()) {
    download_dated(p.path, file);
  } else if (renameat(AT_FDCWD, p.content.c_str(), scratch.fd(), rel.c_str()) < 0) {
    throw_sys("rename", p.content);
  }
  if (c.checksum) check_download(p.path, file, *c.checksum);
  if (chmod(file.c_str(), 0600) < 0) throw_sys("chmod", file);
  return {scratch.fd(), rel, {}, {}};
}

}  // namespace

bool is_http_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

json add_heredoc_source(CopyStep& c, const Heredoc& doc, const Vars& vars) {
  std::string body = doc.expand ? expand_heredoc(doc.content, vars) : doc.content;
  // The body is a file named after the heredoc only inside the image, as BuildKit names it: the
  // last part of the cleaned name. Never a host path.
  std::string name = basename_of(clean_path("/" + doc.name));
  if (!is_plain_name(name)) {
    if (c.dir_dest)
      throw Error(fmt::format("heredoc {} names no file; give a file destination", quote(doc.name)));
    name = "heredoc";
  }
  c.pending.push_back({PendingSource::Kind::kHeredoc, name, body});
  return {{"heredoc", doc.name}, {"sha256", image::sha256_hex(body)}};
}

json add_url_source(CopyStep& c, const std::string& url, const std::string& download_dir) {
  // With --checksum the content is known before any download, and a cached step needs none;
  // without, the file is fetched now and its digest keys the step (as BuildKit re-checks the
  // URL on every build).
  std::string fetched;
  json key{{"url", url}};
  if (!c.checksum) {
    fetched = fmt::format("{}/download-{}", download_dir, c.pending.size());
    download_dated(url, fetched);
    key["content"] = file_digest(fetched, "sha256");
  }
  c.pending.push_back({PendingSource::Kind::kUrl, url, fetched});
  return key;
}

PlacedSources place_sources(const CopyStep& c, BuildContext& context, const CopySource& tree,
                            ScratchDir& scratch) {
  PlacedSources out;
  for (size_t i = 0; i < c.pending.size(); i++) {
    const PendingSource& p = c.pending[i];
    switch (p.kind) {
      case PendingSource::Kind::kContext:
        out.sources.push_back(context.source(p.path));
        break;
      case PendingSource::Kind::kTree:
        place_tree_paths(c, tree, p.path, out.sources);
        break;
      case PendingSource::Kind::kHeredoc:
        out.sources.push_back(place_heredoc(p, i, scratch));
        break;
      case PendingSource::Kind::kUrl:
        out.downloads.push_back(place_download(c, p, i, scratch));
        break;
    }
  }
  return out;
}

}  // namespace bale::builder
