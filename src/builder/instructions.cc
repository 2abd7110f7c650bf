// Config-only instructions (see instructions.h).
#include "builder/instructions.h"

#include <cctype>
#include <charconv>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "image/config.h"
#include "dockerfile/dockerignore.h"

namespace bale::builder {

using nlohmann::json;

namespace {

void set_env(json& c, const std::string& key, const std::string& value) {
  if (!c.contains("Env") || !c["Env"].is_array()) c["Env"] = json::array();
  std::string kv = key + "=" + value;
  for (auto& e : c["Env"])
    if (e.get<std::string>().substr(0, e.get<std::string>().find('=')) == key) {
      e = kv;
      return;
    }
  c["Env"].push_back(kv);
}

// ENV and LABEL pairs, all expanded against the state before the instruction (as Docker does:
// `ENV a=1 b=$a` gives b the earlier a).
std::vector<std::pair<std::string, std::string>> pairs(const StageState& s, const Instruction& in,
                                                       char escape) {
  if (in.args.empty() || in.args.size() % 3 != 0)
    throw Error(fmt::format("{} needs at least one KEY=VALUE", in.keyword == "env" ? "ENV" : "LABEL"));
  std::vector<std::pair<std::string, std::string>> out;
  Vars v = s.vars();
  for (size_t i = 0; i + 2 < in.args.size(); i += 3) {
    std::string key = expand_word(in.args[i], v, escape);
    if (key.empty()) throw Error("empty variable or label name");
    out.emplace_back(key, expand_word(in.args[i + 1], v, escape));
  }
  return out;
}

std::string describe(const std::string& keyword, const json& value) {
  std::string up;
  for (char ch : keyword) up += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return up + " " + value.dump();
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  return ec == std::errc() && end == p.data() + p.size() && v >= 1 && v <= 65535;
}

// "80", "80/udp", "8000-8002/tcp" -> "80/tcp" ... (ranges expanded, as Docker does)
std::vector<std::string> port_specs(const std::string& word) {
  std::string port = word, proto = "tcp";
  if (auto slash = word.find('/'); slash != std::string::npos) {
    port = word.substr(0, slash);
    proto = word.substr(slash + 1);
    for (auto& ch : proto) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    throw Error(fmt::format("EXPOSE {}: unknown protocol {} (tcp, udp or sctp)", quote(word), quote(proto)));
  std::string lo = port, hi = port;
  if (auto dash = port.find('-'); dash != std::string::npos) {
    lo = port.substr(0, dash);
    hi = port.substr(dash + 1);
  }
  if (!valid_port(lo) || !valid_port(hi) || std::stoi(lo) > std::stoi(hi))
    throw Error(fmt::format("EXPOSE {}: not a port or port range", quote(word)));
  std::vector<std::string> out;
  for (int p = std::stoi(lo); p <= std::stoi(hi); p++) out.push_back(fmt::format("{}/{}", p, proto));
  return out;
}

json healthcheck(const StageState& s, const Instruction& in) {
  if (in.args.empty()) throw Error("HEALTHCHECK needs CMD ... or NONE");
  std::string type = in.args[0];
  for (auto& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (type == "NONE") {
    if (in.args.size() > 1 || !in.flags.empty()) throw Error("HEALTHCHECK NONE takes no arguments or flags");
    return json{{"Test", json::array({"NONE"})}};
  }
  if (type != "CMD") throw Error(fmt::format("HEALTHCHECK: unknown type {} (CMD or NONE)", quote(in.args[0])));
  json hc;
  json test = json::array();
  if (in.json_form) {
    test.push_back("CMD");
    for (size_t i = 1; i < in.args.size(); i++) test.push_back(in.args[i]);
  } else {
    test = json::array({"CMD-SHELL", in.args.size() > 1 ? in.args[1] : ""});
  }
  if (test.size() < 2 || (test.size() == 2 && test[1].get<std::string>().empty()))
    throw Error("HEALTHCHECK CMD needs a command");
  hc["Test"] = test;
  for (const Flag& f : in.flags) {
    std::string value = f.value.value_or("");
    if (f.name == "retries") {
      int n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 0)
        throw Error(fmt::format("HEALTHCHECK {}: not a count", f.text()));
      hc["Retries"] = n;
      continue;
    }
    static const std::pair<const char*, const char*> durations[] = {
        {"interval", "Interval"}, {"timeout", "Timeout"}, {"start-period", "StartPeriod"},
        {"start-interval", "StartInterval"}};
    bool known = false;
    for (auto [flag, field] : durations)
      if (f.name == flag) {
        hc[field] = parse_duration(value);
        known = true;
      }
    if (!known) throw Error(fmt::format("HEALTHCHECK: unknown flag {}", quote("--" + f.name)));
  }
  (void)s;
  return hc;
}

std::string expand_path(const StageState& s, const std::string& word, char escape) {
  return expand_word(word, s.vars(), escape);
}

}  // namespace

long long parse_duration(const std::string& text) {
  static const std::pair<const char*, long long> units[] = {
      {"ns", 1}, {"us", 1000}, {"µs", 1000}, {"ms", 1000000}, {"s", 1000000000LL},
      {"m", 60000000000LL}, {"h", 3600000000000LL}};
  if (text == "0") return 0;
  if (text.empty()) throw Error("empty duration");
  long double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) i++;
    if (start == i) throw Error(fmt::format("bad duration {}: expected a number", quote(text)));
    std::string num = text.substr(start, i - start);
    size_t ustart = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') i++;
    std::string unit = text.substr(ustart, i - ustart);
    long long mult = 0;
    for (auto [u, m] : units)
      if (unit == u) mult = m;
    if (!mult) throw Error(fmt::format("bad duration {}: unknown unit {}", quote(text), quote(unit)));
    // Whole and fractional parts apart, so no floating-point library is needed.
    auto dot = num.find('.');
    long long whole = dot == 0 ? 0 : std::stoll(num.substr(0, dot));
    total += static_cast<long double>(whole) * mult;
    if (dot != std::string::npos && dot + 1 < num.size()) {
      long long scale = mult;
      for (size_t k = dot + 1; k < num.size() && scale > 0; k++) {
        scale /= 10;
        total += static_cast<long double>(num[k] - '0') * scale;
      }
    }
  }
  return static_cast<long long>(total);
}

std::vector<std::string> command_of(const StageState& state, const Instruction& in, size_t first) {
  if (in.json_form) return {in.args.begin() + static_cast<long>(first), in.args.end()};
  std::vector<std::string> argv = state.shell;
  argv.push_back(in.args.size() > first ? in.args[first] : "");
  return argv;
}

bool is_config_instruction(const std::string& k) {
  static const char* kinds[] = {"env", "label", "user", "entrypoint", "cmd", "expose", "volume",
                                "stopsignal", "healthcheck", "shell", "maintainer", "onbuild"};
  for (const char* x : kinds)
    if (k == x) return true;
  return false;
}

namespace {

// One function per config instruction: it changes the stage's config and returns the
// instruction as the build's progress shows it.
using ConfigStep = std::string (*)(StageState& s, const Instruction& in, char escape);

std::string apply_env(StageState& s, const Instruction& in, char escape) {
  auto kv = pairs(s, in, escape);
  for (const auto& [key, value] : kv) set_env(s.c(), key, value);
  return describe(in.keyword, kv);
}

std::string apply_label(StageState& s, const Instruction& in, char escape) {
  auto kv = pairs(s, in, escape);
  for (const auto& [key, value] : kv) s.c()["Labels"][key] = value;
  return describe(in.keyword, kv);
}

std::string apply_user(StageState& s, const Instruction& in, char escape) {
  if (in.args.size() != 1) throw Error("USER takes one argument: USER user[:group]");
  std::string u = expand_path(s, in.args[0], escape);
  if (u.empty()) throw Error("USER: empty user");
  s.c()["User"] = u;
  return describe(in.keyword, u);
}

std::string apply_cmd(StageState& s, const Instruction& in, char) {
  json cmd = command_of(s, in);
  s.c()["Cmd"] = cmd;
  s.cmd_set = true;
  return describe(in.keyword, cmd);
}

std::string apply_entrypoint(StageState& s, const Instruction& in, char) {
  json cmd = command_of(s, in);
  s.c()["Entrypoint"] = cmd;
  if (!s.cmd_set) s.c().erase("Cmd");  // an inherited CMD is reset by a new ENTRYPOINT
  return describe(in.keyword, cmd);
}

std::string apply_expose(StageState& s, const Instruction& in, char escape) {
  json ports = json::array();
  for (const auto& a : in.args)
    for (const auto& w : expand_words(a, s.vars(), escape))
      for (const auto& p : port_specs(w)) {
        s.c()["ExposedPorts"][p] = json::object();
        ports.push_back(p);
      }
  return describe(in.keyword, ports);
}

std::string apply_volume(StageState& s, const Instruction& in, char escape) {
  json vols = json::array();
  for (const auto& a : in.args)
    for (const auto& w : in.json_form ? std::vector<std::string>{expand_path(s, a, escape)}
                                      : expand_words(a, s.vars(), escape)) {
      if (w.empty()) throw Error("VOLUME: empty path");
      s.c()["Volumes"][w] = json::object();
      vols.push_back(w);
    }
  if (vols.empty()) throw Error("VOLUME needs at least one path");
  return describe(in.keyword, vols);
}

std::string apply_stopsignal(StageState& s, const Instruction& in, char escape) {
  if (in.args.size() != 1) throw Error("STOPSIGNAL takes one signal");
  std::string sig = expand_path(s, in.args[0], escape);
  if (!image::is_signal(sig)) throw Error(fmt::format("STOPSIGNAL: unknown signal {}", quote(sig)));
  s.c()["StopSignal"] = sig;
  return describe(in.keyword, sig);
}

std::string apply_healthcheck(StageState& s, const Instruction& in, char) {
  s.c()["Healthcheck"] = healthcheck(s, in);
  return describe(in.keyword, s.c()["Healthcheck"]);
}

std::string apply_shell(StageState& s, const Instruction& in, char) {
  if (!in.json_form) throw Error("SHELL requires the arguments in JSON form: SHELL [\"executable\", \"parameters\"]");
  if (in.args.empty()) throw Error("SHELL needs at least the shell executable");
  s.shell = in.args;
  s.c()["Shell"] = s.shell;  // part of the image: images built on it use it too
  return describe(in.keyword, s.shell);
}

std::string apply_maintainer(StageState& s, const Instruction& in, char) {
  std::string who;
  for (const auto& a : in.args) who += (who.empty() ? "" : " ") + a;
  s.config["author"] = who;
  return describe(in.keyword, who);
}

std::string apply_onbuild(StageState& s, const Instruction& in, char) {
  if (!in.onbuild) throw Error("ONBUILD needs an instruction");
  std::string trigger = in.original.substr(in.original.find_first_not_of(" \t", 7));
  json& c = s.c();
  if (!c.contains("OnBuild") || !c["OnBuild"].is_array()) c["OnBuild"] = json::array();
  c["OnBuild"].push_back(trigger);
  return describe(in.keyword, trigger);
}

constexpr std::pair<std::string_view, ConfigStep> kConfigSteps[] = {
    {"env", apply_env},           {"label", apply_label},         {"user", apply_user},
    {"cmd", apply_cmd},           {"entrypoint", apply_entrypoint}, {"expose", apply_expose},
    {"volume", apply_volume},     {"stopsignal", apply_stopsignal}, {"healthcheck", apply_healthcheck},
    {"shell", apply_shell},       {"maintainer", apply_maintainer}, {"onbuild", apply_onbuild},
};

}  // namespace

std::string apply_config_instruction(StageState& s, const Instruction& in, char escape) {
  for (const auto& [keyword, step] : kConfigSteps)
    if (keyword == in.keyword) return step(s, in, escape);
  throw Error(fmt::format("not a config instruction: {}", in.keyword));
}

std::optional<std::string> config_instruction_error(const Instruction& in, char escape) {
  if (in.keyword != "healthcheck" && in.keyword != "shell") return std::nullopt;
  StageState scratch;
  scratch.config = image::new_config();
  try {
    apply_config_instruction(scratch, in, escape);
  } catch (const Error& e) {
    return e.what();
  }
  return std::nullopt;
}

}  // namespace bale::builder
