// Helpers shared by the trust tests: running ssh-keygen (the independent oracle), hashing, files.
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/fs.h"
#include "trust_test_support.h"

namespace bale::trust::testing {

bool have_ssh_keygen() { return ::access("/usr/bin/ssh-keygen", X_OK) == 0; }

// Single-quoted for /bin/sh.
std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Exit status of a shell command; its output goes to stderr so failures show in the test log.
int run(const std::string& cmd) {
  int rc = std::system((cmd + " 1>&2").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
}

std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw_sys("popen", cmd);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

// An unencrypted key made by ssh-keygen itself; returns its path (the .pub is beside it).
std::string ssh_keygen_key(const std::string& dir, const std::string& name,
                           const std::string& comment, const std::string& type) {
  std::string path = dir + "/" + name;
  std::string cmd = "ssh-keygen -q -t " + type + " -N '' -C " + sh_quote(comment) + " -f " +
                    sh_quote(path) + " </dev/null";
  if (run(cmd) != 0) throw Error("ssh-keygen failed: " + cmd);
  return path;
}

std::array<uint8_t, 64> sha512_of(std::string_view data) {
  std::array<uint8_t, 64> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha512(), nullptr);
  return md;
}

void write_text(const std::string& path, std::string_view text) {
  write_file_atomic(path, text, 0644);
}

}  // namespace bale::trust::testing
