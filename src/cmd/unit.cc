// `bale unit IMAGE [run options]`: a systemd service that runs the image with bale. No daemon:
// with Type=exec systemd starts bale, and bale becomes the service's main process.
#include <unistd.h>

#include <cctype>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "fetch/fetch.h"
#include "image/config.h"
#include "image/image_file.h"
#include "store/names.h"

namespace bale::cmd {

namespace {

// systemd's own quoting for ExecStart= words: double quotes, \ and " escaped, % doubled,
// $ doubled so that systemd does not expand it (Environment= expands no $: `exec_word` false).
std::string systemd_quote(const std::string& s, bool exec_word = true) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '%') out += '%';
    if (c == '$' && exec_word) out += '$';
    out += c;
  }
  return out + "\"";
}

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : "/usr/local/bin/bale";
}

}  // namespace

namespace {

// systemd starts services in "/" with an empty environment: a relative path is made absolute
// against the caller's working directory.
std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) throw_sys("getcwd", ".");
  return clean_path(std::string(cwd) + "/" + path);
}

// One run option's value as the service must see it. -v HOST:... and --env-file paths become
// absolute; -e K (the caller's value) is taken now, since the service's environment is empty.
std::optional<std::string> value_for_unit(const std::string& flag, const std::string& v) {
  if (flag == "-v" || flag == "--volume") {
    size_t colon = v.find(':');
    return absolute(v.substr(0, colon)) + (colon == std::string::npos ? "" : v.substr(colon));
  }
  if (flag == "--env-file") return absolute(v);
  if ((flag == "-e" || flag == "--env") && v.find('=') == std::string::npos) {
    const char* now = std::getenv(v.c_str());
    if (!now) {
      std::fprintf(stderr, "bale: warning: -e %s: not set here, left out of the unit\n", v.c_str());
      return std::nullopt;
    }
    return v + "=" + now;
  }
  return v;
}

std::vector<std::string> options_for_unit(const std::vector<std::string>& given) {
  static const char* kRewritten[] = {"-v", "--volume", "--env-file", "-e", "--env"};
  auto rewritten = [](const std::string& f) {
    for (const char* k : kRewritten)
      if (f == k) return true;
    return false;
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < given.size(); i++) {
    const std::string& a = given[i];
    size_t eq = a.find('=');
    std::string flag = a.rfind("--", 0) == 0 && eq != std::string::npos ? a.substr(0, eq) : a;
    if (!rewritten(flag)) {
      out.push_back(a);
      continue;
    }
    bool joined = flag != a;
    if (!joined && i + 1 >= given.size()) {
      out.push_back(a);  // no value: `run` reports it
      continue;
    }
    std::string value = joined ? a.substr(eq + 1) : given[++i];
    if (auto v = value_for_unit(flag, value)) {
      out.push_back(flag);
      out.push_back(*v);
    }
  }
  return out;
}

// The image's StopSignal as systemd's KillSignal= takes it (SIGTERM, SIGRTMIN+3, or a number).
std::string kill_signal(const std::string& image_path) {
  auto info = image::read_image_info(image_path);
  if (!info.trailer) return "";
  auto c = image::parse_config(info.trailer->config, quote(image_path));
  if (!c.contains("config") || !c["config"].is_object()) return "";
  const auto& sig = c["config"].value("StopSignal", std::string());
  if (sig.empty() || !image::is_signal(sig)) return "";
  if (std::isdigit(static_cast<unsigned char>(sig[0])) || sig.rfind("SIG", 0) == 0) return sig;
  return "SIG" + sig;
}

// An Environment= line for a variable of bale's that the caller has set.
std::string environment_line(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return "";
  std::string kv = std::string(name) + "=" + absolute(v);
  return "Environment=" + systemd_quote(kv, false) + "\n";
}

}  // namespace

int unit(const RunOptions& o, const std::vector<std::string>& run_options) {
  // The image must exist now (a unit that can only fail would be refused by its own restart
  // rule); a file is named by its absolute path, a store name stays a name.
  std::string image = o.image, path;
  if (!fetch::is_url(o.image)) {
    path = store::resolve_image_ref(o.image);
    if (store::is_image_file(o.image)) image = absolute(o.image);
  }
  std::string exec = systemd_quote(self_path()) + " run";
  for (const auto& a : options_for_unit(run_options)) exec += " " + systemd_quote(a);
  exec += " " + systemd_quote(image);
  for (const auto& a : o.command) exec += " " + systemd_quote(a);
  std::string name = basename_of(o.image);
  // As docker stop sends the image's STOPSIGNAL, so does systemctl stop.
  std::string sig = path.empty() ? "" : kill_signal(path);
  std::string kill_line = sig.empty() ? "" : "KillSignal=" + sig + "\n";
  std::printf(
      "# Generated by `bale unit`: runs %s with bale; no daemon involved.\n"
      "# Install: save as /etc/systemd/system/NAME.service, then systemctl daemon-reload &&\n"
      "# systemctl enable --now NAME. Resource limits: prefer MemoryMax=, CPUQuota=, TasksMax=.\n"
      "[Unit]\n"
      "Description=bale container %s\n"
      "After=network-online.target\n"
      "Wants=network-online.target\n"
      "\n"
      "[Service]\n"
      "Type=exec\n"
      "%s%s"
      "ExecStart=%s\n"
      "%s"
      "Restart=on-failure\n"
      "# bale exits 125 when it cannot start the target (e.g. the image fails verification).\n"
      "RestartPreventExitStatus=125\n"
      "KillMode=mixed\n"
      "\n"
      "[Install]\n"
      "WantedBy=multi-user.target\n",
      name.c_str(), name.c_str(), environment_line("BALE_STORE").c_str(),
      environment_line("BALE_CONFIG_DIR").c_str(), exec.c_str(),
      kill_line.c_str());
  return 0;
}

}  // namespace bale::cmd
