// A registered app: what `bale app register` wrote for the host path that starts it, read back
// from NAME.yaml and its NAME.d/*.yaml drop-ins (docs/apps.md gives the format).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bale::apps {

struct AppConfig {
  std::string name;    // the app path's last component: what argv[0] names at launch
  std::string app;     // the host path, a symlink to bale
  std::string engine = "bale";  // "bale": a container; reserved for the microVM ("vm")
  std::string image;   // the target image: path, store name or image id, as given
  std::string target;  // the program inside; "/" runs the image's entrypoint and cmd
  std::string base;    // the image under the layers ("" for none)
  std::vector<std::string> layers;         // between base and image, bottom first
  std::vector<std::string> include_paths;  // host paths bound read-only at the same path
  std::vector<std::string> include_tars;   // host tarballs, each a tree over the image, bottom first
  std::vector<std::string> env;            // K=V; %VAR is the caller's VAR at launch
  std::vector<std::string> binds;          // HOST:CONTAINER[:ro|rw]
  std::string workdir;                     // "" for the image's
  std::string user;                        // "" for the image's
  bool resume = false;                     // one long-lived instance (apps/instance.h)
  bool bind_cwd = false;                   // the caller's working directory, bound and entered
  std::string source;  // the file it was read from (and its drop-ins), for messages
};

// The directory this caller registers apps in: $BALE_CONFIG_DIR/apps, else /etc/bale/apps for
// root and ~/.config/bale/apps ($XDG_CONFIG_HOME) for others.
std::string apps_dir();
// Where launch looks for NAME.yaml, first match wins: apps_dir(), then for an ordinary user
// (without $BALE_CONFIG_DIR) the system's /etc/bale/apps.
std::vector<std::string> app_search_dirs();

// Whether `name` may name an app: one plain path component of letters, digits and ._+-, not
// starting with '.' and not "bale".
bool valid_app_name(const std::string& name);

// NAME.yaml in `dir` with NAME.d/*.yaml merged over it in name order (a key in a drop-in
// replaces the whole value); nullopt when there is no NAME.yaml. Unknown keys, bad values and
// a wrong `app:` name are errors naming the file and line.
std::optional<AppConfig> load_app(const std::string& dir, const std::string& name);
// The first of app_search_dirs() that has NAME.yaml.
std::optional<AppConfig> find_app(const std::string& name);
// Every app in `dir`, by name.
std::vector<AppConfig> list_apps(const std::string& dir);

// The YAML text of `c` (every key, values double-quoted).
std::string render_app(const AppConfig& c);
// Writes dir/NAME.yaml atomically (dir made as needed).
void write_app(const std::string& dir, const AppConfig& c);

}  // namespace bale::apps
