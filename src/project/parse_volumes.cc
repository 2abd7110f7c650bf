// The `volumes:` mapping of a container or command: container path -> one of tmpfs, a bind of a
// project path, a named persistent volume, a cache volume (see docs/projects.md#volumes).
#include <fmt/format.h>

#include "base/error.h"
#include "project/check.h"
#include "project/errors.h"
#include "project/parse_volumes.h"

namespace bale::project {

namespace {

// A path lexically inside the project: relative, without ".." that climbs out. Symlinks are
// checked again when the bind is made (launch.cc), against the real tree.
std::string project_path(const std::string& p, const Node& n, const std::string& path) {
  if (p.empty() || p[0] == '/')
    throw config_error(line_of(n), path,
                       fmt::format("{} is outside the project: a bind takes a path relative to "
                                   "the project root", quote(p)));
  int depth = 0;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string part = p.substr(i, j - i);
    if (part == "..") depth--;
    else if (!part.empty() && part != ".") depth++;
    if (depth < 0)
      throw config_error(line_of(n), path, fmt::format("{} is outside the project", quote(p)));
    i = j + 1;
  }
  return p;
}

Volume one_volume(const std::string& target, const Node& v, const std::string& path) {
  check_mapping(v, path, {"tmpfs", "size", "mode", "bind", "read-only", "persistent", "cache"});
  Volume vol;
  vol.target = target;
  vol.where = line_of(v);
  int kinds = 0;
  if (const Node* t = v.find("tmpfs")) {
    kinds++;
    if (!bool_of(*t, path + ".tmpfs"))
      throw config_error(line_of(*t), path + ".tmpfs", "only 'tmpfs: true' makes sense");
    vol.kind = Volume::Kind::kTmpfs;
  }
  if (const Node* b = v.find("bind")) {
    kinds++;
    vol.kind = Volume::Kind::kBind;
    vol.source = project_path(string_of(*b, path + ".bind"), *b, path + ".bind");
  }
  for (const char* k : {"persistent", "cache"})
    if (const Node* b = v.find(k)) {
      kinds++;
      vol.kind = std::string(k) == "cache" ? Volume::Kind::kCache : Volume::Kind::kPersistent;
      vol.source = string_of(*b, path + "." + k);
      check_name(vol.source, *b, path + "." + k);
    }
  if (kinds != 1)
    throw config_error(line_of(v), path, "give exactly one of tmpfs, bind, persistent, cache");
  auto only_for = [&](const char* key, Volume::Kind kind, const char* what) {
    const Node* n = v.find(key);
    if (n && vol.kind != kind)
      throw config_error(line_of(*n), path + "." + key, fmt::format("only for {}", what));
    return n;
  };
  if (const Node* s = only_for("size", Volume::Kind::kTmpfs, "tmpfs")) vol.size = string_of(*s, path + ".size");
  if (const Node* m = only_for("mode", Volume::Kind::kTmpfs, "tmpfs")) vol.mode = string_of(*m, path + ".mode");
  if (const Node* r = only_for("read-only", Volume::Kind::kBind, "bind"))
    vol.read_only = bool_of(*r, path + ".read-only");
  for (const std::string* opt : {&vol.size, &vol.mode})
    if (opt->find_first_of(",=") != std::string::npos)
      throw config_error(vol.where, path, fmt::format("{} is not a size or mode", quote(*opt)));
  return vol;
}

}  // namespace

std::vector<Volume> parse_volumes(const Node& n, const std::string& path) {
  if (n.kind != Node::Kind::kMapping)
    throw config_error(line_of(n), path, fmt::format("expected a mapping of container paths, found {}", n.kind_name()));
  std::vector<Volume> out;
  for (const auto& [target, v] : n.entries) {
    std::string p = path + "." + target;
    if (target.empty() || target[0] != '/' || target.find("/../") != std::string::npos ||
        target.ends_with("/..") || target == "/")
      throw config_error(line_of(v), p, "the container path must be absolute, not '/', and without '..'");
    if (target == "/work" || target.starts_with("/work/"))
      throw config_error(line_of(v), p, "/work is the project itself; mount elsewhere");
    out.push_back(one_volume(target, v, p));
  }
  return out;
}

}  // namespace bale::project
