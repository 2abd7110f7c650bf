// Reading and writing the app files (see app_config.h).
#include "apps/app_config.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "apps/yaml_subset.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/identity.h"
#include "trust/keystore.h"

namespace bale::apps {

namespace {

constexpr size_t kMaxAppFile = 1 << 20;
constexpr const char* kSystemAppsDir = "/etc/bale/apps";

// The file names in `dir` ending in `suffix`, sorted; none when it does not exist.
std::vector<std::string> names_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR) return out;
    throw_sys("open directory", dir);
  }
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > suffix.size() && n[0] != '.' && n.ends_with(suffix)) out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

const std::string& scalar_of(const YamlValue& v, const std::string& key, const std::string& where) {
  if (v.is_list) throw Error(fmt::format("{}: '{}' takes one value, not a list", where, key));
  return v.scalar;
}

std::vector<std::string> list_of(const YamlValue& v) {
  if (v.is_list) return v.items;
  if (v.scalar.empty()) return {};
  return {v.scalar};
}

bool boolean(const YamlValue& v, const std::string& key, const std::string& where) {
  const std::string& b = scalar_of(v, key, where);
  if (b != "true" && b != "false" && !b.empty())
    throw Error(fmt::format("{}: '{}' is true or false, not {}", where, key, quote(b)));
  return b == "true";
}

// Sets the field `key` names from `v`; `where` is the file for messages.
void apply(AppConfig& c, const std::string& key, const YamlValue& v, const std::string& where) {
  auto one = [&]() -> const std::string& { return scalar_of(v, key, where); };
  if (key == "app") c.app = one();
  else if (key == "engine") c.engine = one();
  else if (key == "image") c.image = one();
  else if (key == "target") c.target = one();
  else if (key == "base") c.base = one();
  else if (key == "workdir") c.workdir = one();
  else if (key == "user") c.user = one();
  else if (key == "layers") c.layers = list_of(v);
  else if (key == "include_paths") c.include_paths = list_of(v);
  else if (key == "include_tars") c.include_tars = list_of(v);
  else if (key == "env") c.env = list_of(v);
  else if (key == "binds") c.binds = list_of(v);
  else if (key == "resume") c.resume = boolean(v, key, where);
  else if (key == "bind_cwd") c.bind_cwd = boolean(v, key, where);
  else {
    throw Error(fmt::format("{}: unknown key '{}'", where, key))
        .with_hint("the keys are app, engine, image, target, base, layers, include_tars, include_paths, env, "
                   "binds, workdir, user, bind_cwd, resume (docs/apps.md)");
  }
}

void merge_file(AppConfig& c, const std::string& path) {
  std::optional<std::string> text = read_config_file(path, kMaxAppFile);
  if (!text) return;
  std::string where = quote(path);
  for (const auto& [key, v] : parse_yaml_subset(*text, where)) apply(c, key, v, where);
}

void check(const AppConfig& c) {
  std::string where = quote(c.source);
  if (c.image.empty()) throw Error(fmt::format("{}: no 'image'", where));
  if (c.app.empty() || c.app[0] != '/')
    throw Error(fmt::format("{}: 'app' must be the absolute host path of the app", where));
  if (basename_of(c.app) != c.name)
    throw Error(fmt::format("{}: 'app' {} does not end in the file's name '{}'", where,
                            quote(c.app), c.name));
  if (!c.target.empty() && c.target[0] != '/')
    throw Error(fmt::format("{}: 'target' {} must be an absolute path (or / for the image's "
                            "entrypoint)", where, quote(c.target)));
}

}  // namespace

std::string apps_dir() { return trust::TrustPaths::defaults().config_dir + "/apps"; }

std::vector<std::string> app_search_dirs() {
  std::vector<std::string> dirs{apps_dir()};
  const char* cfg = std::getenv("BALE_CONFIG_DIR");
  if (!invoked_as_root() && !(cfg && *cfg)) dirs.push_back(kSystemAppsDir);
  return dirs;
}

bool valid_app_name(const std::string& name) {
  if (name.empty() || name[0] == '.' || name == "bale" || name.size() > 255) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '+' &&
        c != '-')
      return false;
  return true;
}

std::optional<AppConfig> load_app(const std::string& dir, const std::string& name) {
  if (!valid_app_name(name)) return std::nullopt;
  std::string main = dir + "/" + name + ".yaml";
  if (!read_config_file(main, kMaxAppFile)) return std::nullopt;
  AppConfig c;
  c.name = name;
  c.source = main;
  merge_file(c, main);
  std::string dropins = dir + "/" + name + ".d";
  for (const std::string& f : names_ending(dropins, ".yaml")) merge_file(c, dropins + "/" + f);
  check(c);
  return c;
}

std::optional<AppConfig> find_app(const std::string& name) {
  for (const std::string& dir : app_search_dirs())
    if (auto c = load_app(dir, name)) return c;
  return std::nullopt;
}

std::vector<AppConfig> list_apps(const std::string& dir) {
  std::vector<AppConfig> out;
  for (const std::string& f : names_ending(dir, ".yaml"))
    if (auto c = load_app(dir, f.substr(0, f.size() - 5))) out.push_back(std::move(*c));
  return out;
}

std::string render_app(const AppConfig& c) {
  std::string out = "# bale app (docs/apps.md); NAME.d/*.yaml drop-ins override keys of this file\n";
  auto one = [&](const char* key, const std::string& v) {
    out += fmt::format("{}: {}\n", key, yaml_quote(v));
  };
  auto many = [&](const char* key, const std::vector<std::string>& v) {
    if (v.empty()) return void(out += fmt::format("{}: []\n", key));
    out += fmt::format("{}:\n", key);
    for (const auto& s : v) out += fmt::format("  - {}\n", yaml_quote(s));
  };
  one("app", c.app);
  one("engine", c.engine);
  one("image", c.image);
  one("target", c.target);
  one("base", c.base);
  many("layers", c.layers);
  many("include_tars", c.include_tars);
  many("include_paths", c.include_paths);
  many("env", c.env);
  many("binds", c.binds);
  one("workdir", c.workdir);
  one("user", c.user);
  out += fmt::format("bind_cwd: {}\n", c.bind_cwd ? "true" : "false");
  out += fmt::format("resume: {}\n", c.resume ? "true" : "false");
  return out;
}

void write_app(const std::string& dir, const AppConfig& c) {
  mkdir_p(dir, 0755);
  write_file_atomic(dir + "/" + c.name + ".yaml", render_app(c), 0644);
}

}  // namespace bale::apps
