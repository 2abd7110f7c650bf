// StageState's views of its config (see stage_state.h).
#include "builder/stage_state.h"

namespace bale::builder {

Vars StageState::vars(std::set<std::string>* used) const {
  Vars v;
  v.used = used;
  v.lookup = [this](std::string_view name) -> std::optional<std::string> {
    const auto& cfg = config["config"];
    if (cfg.contains("Env") && cfg["Env"].is_array())
      for (const auto& e : cfg["Env"]) {
        const auto& s = e.get_ref<const std::string&>();
        if (s.size() > name.size() && s.compare(0, name.size(), name) == 0 && s[name.size()] == '=')
          return s.substr(name.size() + 1);
      }
    if (auto it = args.find(std::string(name)); it != args.end()) return it->second;
    return std::nullopt;
  };
  return v;
}

std::vector<std::string> StageState::env() const {
  std::vector<std::string> out;
  const auto& cfg = config["config"];
  if (cfg.contains("Env") && cfg["Env"].is_array())
    for (const auto& e : cfg["Env"]) out.push_back(e.get<std::string>());
  return out;
}

std::string StageState::workdir() const {
  const auto& cfg = config["config"];
  std::string w = cfg.contains("WorkingDir") && cfg["WorkingDir"].is_string()
                      ? cfg["WorkingDir"].get<std::string>() : "";
  return w.empty() ? "/" : w;
}

std::string StageState::user() const {
  const auto& cfg = config["config"];
  return cfg.contains("User") && cfg["User"].is_string() ? cfg["User"].get<std::string>() : "";
}

}  // namespace bale::builder
