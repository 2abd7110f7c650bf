// registries.yaml: read, match, edit (see policy.h). The file is a small YAML subset that bale
// writes itself and reads back line by line; what it cannot read it names, never guesses.
#include "registry/policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::registry {

namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

void write_policy(const std::string& config_dir, const Policy& p) {
  std::string text =
      "# Repositories whose tags `bale pull` trusts without a pinned digest (a prefix ending at a\n"
      "# '/' covers what is below it). Edited by `bale trust registry add|remove`.\n"
      "trusted:\n";
  for (const auto& e : p.trusted) text += "  - " + e + "\n";
  if (!p.mirrors.empty()) text += "# Hosts tried, in order, before a registry itself.\nmirrors:\n";
  for (const auto& [reg, hosts] : p.mirrors) {
    text += "  " + reg + ":\n";
    for (const auto& h : hosts) text += "    - " + h + "\n";
  }
  mkdir_p(config_dir, 0755);
  write_file_atomic(policy_path(config_dir), text, 0644);
}

}  // namespace

std::string policy_path(const std::string& config_dir) { return config_dir + "/registries.yaml"; }

namespace {

// A mirror is a host[:port] (no path: it serves the same repository names).
std::string check_mirror(const std::string& m, const std::string& path, size_t line_no) {
  if (m.find('/') != std::string::npos || m.empty())
    throw Error(fmt::format("{} line {}: mirror {} is not a host[:port]", quote(path), line_no, quote(m)));
  parse_reference(m + "/x");  // checks host[:port]
  return m;
}

}  // namespace

Policy read_policy_file(const std::string& config_dir) {
  std::string path = policy_path(config_dir);
  auto text = read_config_file(path, 1u << 20);
  Policy p;
  if (!text) return p;
  size_t line_no = 0;
  std::string section, registry;  // "trusted" or "mirrors"; the registry being mirrored
  for (size_t at = 0; at < text->size();) {
    size_t end = std::min(text->find('\n', at), text->size());
    std::string line = text->substr(at, end - at);
    at = end + 1;
    line_no++;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::string t = trim(line);
    if (t.empty()) continue;
    if ((t == "trusted:" || t == "mirrors:") && line.front() != ' ') {
      section = t.substr(0, t.size() - 1);
      continue;
    }
    if (section == "trusted" && t.starts_with("- ")) {
      p.trusted.push_back(normalize_policy_entry(unquote(trim(t.substr(2)))));
      continue;
    }
    if (section == "mirrors" && t.starts_with("- ") && !registry.empty()) {
      p.mirrors[registry].push_back(check_mirror(unquote(trim(t.substr(2))), path, line_no));
      continue;
    }
    if (section == "mirrors" && t.back() == ':' && line.front() == ' ') {
      registry = unquote(t.substr(0, t.size() - 1));
      if (registry == "index.docker.io") registry = kDockerHub;
      continue;
    }
    throw Error(fmt::format("{} line {}: expected \"trusted:\" with \"- REPOSITORY\" lines, or "
                            "\"mirrors:\" with \"REGISTRY:\" and \"- HOST[:PORT]\" lines; not {}",
                            quote(path), line_no, quote(t)));
  }
  return p;
}

std::vector<std::string> read_policy(const std::string& config_dir) {
  return read_policy_file(config_dir).trusted;
}

std::vector<std::string> mirrors_for(const std::string& config_dir, const std::string& registry) {
  Policy p = read_policy_file(config_dir);
  auto it = p.mirrors.find(registry);
  return it == p.mirrors.end() ? std::vector<std::string>{} : it->second;
}

std::string normalize_policy_entry(const std::string& text) {
  auto slash = text.find('/');
  std::string first = text.substr(0, slash);
  bool registry_first = first == "localhost" || first.find_first_of(".:") != std::string::npos;
  if (text.find('@') != std::string::npos ||
      (slash != std::string::npos && text.find(':', slash) != std::string::npos))
    throw Error(fmt::format("trust policy entry {}: name a repository or registry, without a tag "
                            "or digest", quote(text)), 0, kExitUsage);
  if (slash == std::string::npos) {
    if (registry_first) {
      parse_reference(text + "/x");  // checks host[:port]
      return text;
    }
    return parse_reference(text).name();  // "debian": docker.io/library/debian
  }
  std::string reg = registry_first ? first : kDockerHub;
  std::string path = registry_first ? text.substr(slash + 1) : text;
  if (reg == "index.docker.io") reg = kDockerHub;
  parse_reference(reg + "/" + path);  // checks every component
  // On docker.io "debian" is library/debian, but "library" is the namespace itself.
  if (reg == kDockerHub && path.find('/') == std::string::npos && path != "library")
    path = "library/" + path;
  return reg + "/" + path;
}

std::optional<std::string> policy_covers(const std::vector<std::string>& entries, const Reference& ref) {
  std::string name = ref.name();
  for (const auto& e : entries)
    if (name == e || name.rfind(e + "/", 0) == 0) return e;
  return std::nullopt;
}

bool policy_add(const std::string& config_dir, const std::string& entry) {
  Policy p = read_policy_file(config_dir);
  std::string e = normalize_policy_entry(entry);
  if (std::find(p.trusted.begin(), p.trusted.end(), e) != p.trusted.end()) return false;
  p.trusted.push_back(e);
  write_policy(config_dir, p);
  return true;
}

bool policy_remove(const std::string& config_dir, const std::string& entry) {
  Policy p = read_policy_file(config_dir);
  std::string e = normalize_policy_entry(entry);
  auto it = std::find(p.trusted.begin(), p.trusted.end(), e);
  if (it == p.trusted.end()) return false;
  p.trusted.erase(it);
  write_policy(config_dir, p);
  return true;
}

}  // namespace bale::registry
