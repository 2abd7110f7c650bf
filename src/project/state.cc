// Per-project places in the store (see state.h).
#include "project/state.h"

#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include "base/fs.h"

namespace bale::project {

namespace {

// FNV-1a: stable across builds and machines, which std::hash is not promised to be.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Lower-case letters, digits and '-' only, as store names allow.
std::string name_part(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
  if (out.size() > 40) out.resize(40);
  return out.empty() || out[0] == '-' ? "p" + out : out;
}

}  // namespace

std::string project_id(const std::string& root) {
  return fmt::format("{}-{:016x}", name_part(basename_of(root)), fnv1a(root));
}

std::string project_dir(const store::Store& st, const std::string& root) {
  std::string dir = st.root() + "/projects/" + project_id(root);
  mkdir_p(dir, 0755);
  return dir;
}

std::string image_name(const std::string& root, const std::string& container) {
  return fmt::format("bale-project/{}/{}", project_id(root), name_part(container));
}

}  // namespace bale::project
