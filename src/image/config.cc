// OCI image config handling (see config.h).
#include "image/config.h"

#include <sys/utsname.h>

#include <cctype>
#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace bale::image {

using nlohmann::json;

std::string goarch() {
  struct utsname u;
  uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  if (m.rfind("armv7", 0) == 0) return "arm";
  return m;  // ppc64le, s390x, riscv64 are spelled alike
}

json new_config() {
  return json{{"architecture", goarch()}, {"os", "linux"}, {"config", json::object()}};
}

json parse_config(std::string_view text, std::string_view where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw Error(fmt::format("{}: not valid JSON", where));
  if (!j.is_object()) throw Error(fmt::format("{}: an image config must be a JSON object", where));
  if (j.contains("config") && !j["config"].is_null() && !j["config"].is_object())
    throw Error(fmt::format("{}: \"config\" must be an object", where));
  return j;
}

namespace {

bool strings_array(const json& v) {
  if (!v.is_array()) return false;
  for (const auto& e : v)
    if (!e.is_string()) return false;
  return true;
}

bool object_of(const json& v, bool (*ok)(const json&)) {
  if (!v.is_object()) return false;
  for (const auto& [k, e] : v.items())
    if (!ok(e)) return false;
  return true;
}

// What each kept field of config.config must be (image-spec config.md).
void check_field(const std::string& k, const json& v, std::string_view where) {
  auto is_string = [](const json& e) { return e.is_string(); };
  auto any = [](const json&) { return true; };
  const char* want = nullptr;
  if (k == "Env" || k == "Entrypoint" || k == "Cmd" || k == "OnBuild" || k == "Shell") {
    if (!strings_array(v)) want = "an array of strings";
  } else if (k == "Labels") {
    if (!object_of(v, +is_string)) want = "an object of strings";
  } else if (k == "ExposedPorts" || k == "Volumes") {
    if (!object_of(v, +any)) want = "an object";
  } else if (k == "User" || k == "WorkingDir" || k == "StopSignal") {
    if (!v.is_string()) want = "a string";
  } else if (k == "Healthcheck") {
    if (!v.is_object()) want = "an object";
  } else if (k == "ArgsEscaped") {
    if (!v.is_boolean()) want = "true or false";
  }
  if (want) throw Error(fmt::format("{}: config.{} must be {}", where, k, want));
}

}  // namespace

void check_config_fields(const json& config, std::string_view where) {
  if (!config.contains("config") || !config["config"].is_object()) return;
  for (const auto& [k, v] : config["config"].items())
    if (!v.is_null()) check_field(k, v, where);
}

std::optional<int> signal_number(std::string_view s) {
  auto number = [](std::string_view digits) -> std::optional<int> {
    int n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return n;
  };
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
    auto n = number(s);
    return n && *n >= 1 && *n <= 64 ? n : std::nullopt;
  }
  std::string name;
  for (char c : s) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  if (name == "IOT") return SIGABRT;
  if (name == "POLL") return SIGIO;
  for (auto [base, sign] : {std::pair{"RTMIN", 1}, {"RTMAX", -1}}) {
    if (name.rfind(base, 0) != 0) continue;
    int first = sign > 0 ? SIGRTMIN : SIGRTMAX;
    if (name.size() == 5) return first;
    auto n = number(std::string_view(name).substr(6));
    if (name[5] != (sign > 0 ? '+' : '-') || !n) return std::nullopt;
    int sig = first + sign * *n;
    return sig >= SIGRTMIN && sig <= SIGRTMAX ? std::optional(sig) : std::nullopt;
  }
  for (int i = 1; i < SIGRTMIN; i++)
    if (const char* abbrev = sigabbrev_np(i); abbrev && name == abbrev) return i;
  return std::nullopt;
}

std::string single_diff_id(const json& config, std::string_view where) {
  const json* ids = nullptr;
  if (config.contains("rootfs") && config["rootfs"].is_object() &&
      config["rootfs"].contains("diff_ids"))
    ids = &config["rootfs"]["diff_ids"];
  if (!ids || !ids->is_array() || ids->size() != 1 || !(*ids)[0].is_string())
    throw Error(fmt::format("{}: the config must list exactly one rootfs.diff_ids entry", where));
  std::string id = (*ids)[0];
  if (id.size() != 71 || id.rfind("sha256:", 0) != 0 ||
      id.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
    throw Error(fmt::format("{}: rootfs.diff_ids entry {} is not a sha256 digest", where, quote(id)));
  return id;
}

namespace {

bool is_sha256(const std::string& id) {
  return id.size() == 71 && id.rfind("sha256:", 0) == 0 &&
         id.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
}

}  // namespace

std::vector<std::string> layer_diff_ids(const json& config, size_t layers, std::string_view where) {
  const json* ids = nullptr;
  if (config.contains("rootfs") && config["rootfs"].is_object() && config["rootfs"].contains("diff_ids"))
    ids = &config["rootfs"]["diff_ids"];
  if (!ids || !ids->is_array())
    throw Error(fmt::format("{}: the config has no rootfs.diff_ids list", where));
  if (ids->size() != layers)
    throw Error(fmt::format("{}: the config's rootfs.diff_ids lists {} layers, the manifest {}", where,
                            ids->size(), layers));
  std::vector<std::string> out;
  for (const auto& id : *ids) {
    if (!id.is_string() || !is_sha256(id.get<std::string>()))
      throw Error(fmt::format("{}: rootfs.diff_ids entry {} is not a sha256 digest", where,
                              quote(id.is_string() ? id.get<std::string>() : id.dump())));
    out.push_back(id.get<std::string>());
  }
  return out;
}

json run_config(std::string_view config_text, std::string_view where) {
  if (config_text.empty()) return json::object();
  json config = parse_config(config_text, where);
  check_config_fields(config, where);  // a signed config is still input
  json c = config.value("config", json::object());
  return c.is_null() ? json::object() : c;
}

std::vector<std::string> string_list(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e);
  return out;
}

void set_env(std::vector<std::string>& env, const std::string& kv) {
  std::string_view key = std::string_view(kv).substr(0, kv.find('='));
  for (auto& e : env)
    if (std::string_view(e).substr(0, e.find('=')) == key) return void(e = kv);
  env.push_back(kv);
}

json sanitize_config(const json& in, std::string_view where) {
  static const char* top[] = {"architecture", "os", "os.version", "os.features", "variant",
                              "author", "created", "config"};
  static const char* inner[] = {"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
                                "WorkingDir", "Labels", "StopSignal", "Healthcheck", "OnBuild",
                                "Shell", "ArgsEscaped"};
  json out = json::object();
  for (const char* k : top)
    if (in.contains(k) && !in[k].is_null()) out[k] = in[k];
  if (out.contains("config")) {
    json c = json::object();
    for (const char* k : inner)
      if (out["config"].contains(k) && !out["config"][k].is_null()) {
        check_field(k, out["config"][k], where);
        c[k] = out["config"][k];
      }
    out["config"] = c;
  } else {
    out["config"] = json::object();
  }
  for (const char* k : {"architecture", "os", "variant", "author", "created", "os.version"})
    if (out.contains(k) && !out[k].is_string())
      throw Error(fmt::format("{}: {} must be a string", where, k));
  if (!out.contains("architecture")) out["architecture"] = goarch();
  if (!out.contains("os")) out["os"] = "linux";
  return out;
}

static void set_env(json& env, const std::string& kv) {
  auto key = kv.substr(0, kv.find('='));
  for (auto& e : env) {
    std::string s = e.get<std::string>();
    if (s.substr(0, s.find('=')) == key) {
      e = kv;
      return;
    }
  }
  env.push_back(kv);
}

void apply_edits(json& config, const ConfigEdits& ed) {
  json& c = config["config"];
  if (!c.is_object()) c = json::object();
  if (ed.entrypoint) {
    c["Entrypoint"] = *ed.entrypoint;
    // As docker does: a new entrypoint drops the inherited command unless one is given too.
    if (!ed.cmd) c.erase("Cmd");
  }
  if (ed.cmd) c["Cmd"] = *ed.cmd;
  if (!ed.env.empty()) {
    if (!c.contains("Env") || !c["Env"].is_array()) c["Env"] = json::array();
    for (const auto& kv : ed.env) {
      if (kv.find('=') == std::string::npos || kv.front() == '=')
        throw Error(fmt::format("--env {}: expected KEY=VALUE", quote(kv)), 0, 2);
      set_env(c["Env"], kv);
    }
  }
  if (ed.workdir) c["WorkingDir"] = *ed.workdir;
  if (ed.user) c["User"] = *ed.user;
  if (ed.stop_signal) {
    if (!is_signal(*ed.stop_signal))
      throw Error(fmt::format("--stop-signal {}: not a signal (a name such as SIGTERM, or 1-64)",
                              quote(*ed.stop_signal)), 0, kExitUsage);
    c["StopSignal"] = *ed.stop_signal;
  }
  for (const auto& [k, v] : ed.labels) c["Labels"][k] = v;
  for (const auto& p : ed.expose)
    c["ExposedPorts"][p.find('/') == std::string::npos ? p + "/tcp" : p] = json::object();
  for (const auto& v : ed.volumes) c["Volumes"][v] = json::object();
}

std::optional<int64_t> source_date_epoch() {
  const char* s = std::getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s, s + std::strlen(s), v);
  if (ec != std::errc() || *p != '\0' || v < 0)
    throw Error(fmt::format("SOURCE_DATE_EPOCH={}: expected a whole number of seconds", quote(s)),
                0, 2);
  return v;
}

std::string rfc3339_utc(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void finalize_config(json& config, const std::string& tar_sha256_hex,
                     const std::string& created_by) {
  int64_t now = source_date_epoch().value_or(static_cast<int64_t>(time(nullptr)));
  config["created"] = rfc3339_utc(now);
  config["rootfs"] = json{{"type", "layers"}, {"diff_ids", {"sha256:" + tar_sha256_hex}}};
  config["history"] = json::array({json{{"created", rfc3339_utc(now)}, {"created_by", created_by}}});
}

std::string serialize_config(const json& config) { return config.dump(); }

}  // namespace bale::image
