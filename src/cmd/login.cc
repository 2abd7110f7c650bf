// `bale login REGISTRY [-u USER] [--password-stdin]`: the credentials are checked with the
// registry first, then kept where docker keeps them (registry/credentials.h).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "cmd/commands.h"
#include "registry/client.h"
#include "registry/credentials.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

// "https://host:5000/" -> "host:5000"; docker's own name for Docker Hub -> docker.io.
std::string registry_host(std::string r) {
  for (const char* scheme : {"https://", "http://"})
    if (r.rfind(scheme, 0) == 0) r = r.substr(std::string(scheme).size());
  r = r.substr(0, r.find('/'));
  if (r == "index.docker.io" || r == "registry-1.docker.io") r = registry::kDockerHub;
  registry::parse_reference(r + "/x");  // checks host[:port]
  return r;
}

std::string read_line(const char* prompt, bool echo) {
  if (!isatty(STDIN_FILENO))
    throw Error("no terminal to ask on: give -u USER and --password-stdin", 0, kExitUsage);
  std::fprintf(stderr, "%s", prompt);
  termios old{};
  bool hide = !echo && tcgetattr(STDIN_FILENO, &old) == 0;
  if (hide) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fprintf(stderr, "\n");
  }
  return line;
}

}  // namespace

int login(const LoginOptions& o) {
  std::string host = registry_host(o.registry);
  registry::Credentials c{o.user, o.password};
  if (c.user.empty()) c.user = read_line("Username: ", true);
  if (o.password_stdin) {
    std::getline(std::cin, c.password);
    if (!c.password.empty() && c.password.back() == '\r') c.password.pop_back();
  } else if (c.password.empty()) {
    c.password = read_line("Password: ", false);
  }
  if (c.user.empty() || c.password.empty()) throw Error("a user and a password are needed", 0, kExitUsage);
  if (!o.tls_verify)
    std::fprintf(stderr, "bale: warning: not verifying the TLS certificate of %s (--tls-verify=false)\n",
                 quote(host).c_str());
  registry::Reference ref{host, "", "", ""};
  registry::Client client(ref, {o.tls_verify, false, c, trust::TrustPaths::defaults().config_dir});
  client.check_access();
  std::string file = registry::store_credentials(host, c);
  std::fprintf(stderr, "logged in to %s as %s (credentials in %s)\n", quote(host).c_str(),
               quote(c.user).c_str(), quote(file).c_str());
  return 0;
}

}  // namespace bale::cmd
