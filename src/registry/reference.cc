// Reference parsing and docker's normalisation (see reference.h). The grammar is the one of
// docker's distribution/reference: path components [a-z0-9]+ joined by '.', '_', '__' or
// dashes; a tag [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a name at most 255 characters.
#include "registry/reference.h"

#include <cctype>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::registry {

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_path_component(const std::string& s) {
  size_t i = 0, n = s.size();
  while (true) {
    size_t start = i;
    while (i < n && lower_alnum(s[i])) i++;
    if (i == start) return false;
    if (i == n) return true;
    if (s[i] == '.') {
      i++;
    } else if (s[i] == '_') {
      i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
    } else if (s[i] == '-') {
      while (i < n && s[i] == '-') i++;
    } else {
      return false;
    }
  }
}

// host components [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])? joined by '.', then an optional :port
bool valid_domain(const std::string& d) {
  std::string host = d;
  if (auto colon = d.rfind(':'); colon != std::string::npos) {
    std::string port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
      return false;
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string part = host.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.front() == '-' || part.back() == '-') return false;
    for (char c : part)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128 || !word_char(t[0])) return false;
  for (char c : t)
    if (!word_char(c) && c != '.' && c != '-') return false;
  return true;
}

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw Error(fmt::format("image reference {}: {}", quote(text), why), 0, kExitUsage)
      .with_hint("a reference is [REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST], e.g. "
                 "debian:bookworm or quay.io/org/app@sha256:...");
}

// docker: the first component names a registry when it has a '.' or ':', is "localhost", or
// has an upper-case letter (repositories are lower case).
bool names_registry(const std::string& first) {
  if (first == "localhost") return true;
  for (char c : first)
    if (c == '.' || c == ':' || (c >= 'A' && c <= 'Z')) return true;
  return false;
}

}  // namespace

bool is_sha256_digest(const std::string& text) {
  return text.size() == 71 && text.rfind("sha256:", 0) == 0 &&
         text.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
}

Reference parse_reference(const std::string& text) {
  Reference r;
  std::string rest = text;
  if (auto at = rest.find('@'); at != std::string::npos) {
    r.digest = rest.substr(at + 1);
    rest.resize(at);
    if (!is_sha256_digest(r.digest))
      bad(text, fmt::format("digest {} is not sha256: and 64 lower-case hex digits", quote(r.digest)));
  }
  auto slash = rest.rfind('/');
  if (auto colon = rest.rfind(':'); colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    r.tag = rest.substr(colon + 1);
    rest.resize(colon);
    if (!valid_tag(r.tag))
      bad(text, fmt::format("tag {} may hold only letters, digits, '_', '.' and '-' (at most 128, "
                            "not starting with '.' or '-')", quote(r.tag)));
  }
  if (rest.empty()) bad(text, "no repository");
  auto first = rest.find('/');
  if (first != std::string::npos && names_registry(rest.substr(0, first))) {
    r.registry = rest.substr(0, first);
    r.repository = rest.substr(first + 1);
    if (!valid_domain(r.registry)) bad(text, fmt::format("registry {} is not a host[:port]", quote(r.registry)));
  } else {
    r.registry = kDockerHub;
    r.repository = rest;
  }
  if (r.registry == "index.docker.io") r.registry = kDockerHub;
  if (r.registry == kDockerHub && r.repository.find('/') == std::string::npos)
    r.repository = "library/" + r.repository;
  size_t start = 0;
  while (true) {
    size_t next = r.repository.find('/', start);
    std::string part = r.repository.substr(start, next == std::string::npos ? std::string::npos : next - start);
    if (!valid_path_component(part)) {
      bool upper = part.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos;
      bad(text, upper ? "repository names must be lower case"
                      : fmt::format("repository part {} may hold only a-z, 0-9 and single '.', '_', "
                                    "'__' or dashes between them", quote(part)));
    }
    if (next == std::string::npos) break;
    start = next + 1;
  }
  if (r.name().size() > 255) bad(text, "the name is longer than 255 characters");
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  return r;
}

std::string Reference::name() const { return registry + "/" + repository; }

std::string Reference::str() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::string Reference::familiar() const {
  if (tag.empty()) return "";
  std::string repo = repository;
  if (registry != kDockerHub) return registry + "/" + repo + ":" + tag;
  if (repo.rfind("library/", 0) == 0) repo = repo.substr(8);
  return repo + ":" + tag;
}

std::string Reference::api_host() const {
  return registry == kDockerHub ? "registry-1.docker.io" : registry;
}

}  // namespace bale::registry
