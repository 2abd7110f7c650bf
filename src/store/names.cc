// Image names in the store (see names.h).
#include "store/names.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"

namespace bale::store {

namespace {

std::string names_file(const Store& s) { return s.root() + "/names.json"; }

std::map<std::string, std::string> load(const Store& s) {
  auto text = read_file_if_exists(names_file(s), 16u << 20);
  std::map<std::string, std::string> out;
  if (!text) return out;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) throw Error(fmt::format("{}: not a JSON object", quote(names_file(s))));
  for (const auto& [k, v] : j.items())
    if (v.is_string()) out[k] = v;
  return out;
}

void save(const Store& s, const std::map<std::string, std::string>& names) {
  write_file_atomic(names_file(s), nlohmann::json(names).dump(2) + "\n", 0600);
}

// Serializes read-modify-write of names.json between concurrent bale processes.
UniqueFd lock_names(const Store& s) {
  UniqueFd fd = open_file(s.root() + "/locks/names.lock", O_RDWR | O_CREAT, 0600);
  while (flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) throw_sys("lock", s.root() + "/locks/names.lock");
  return fd;
}


}  // namespace

std::string normalize_name(const std::string& name) {
  if (name.empty() || name.size() > 255 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-/:") != std::string::npos ||
      name.front() == '/' || name.front() == '.' || name.front() == ':')
    throw Error(fmt::format("image name {}: use lower-case letters, digits and . _ - / : "
                            "(e.g. debian:bookworm)",
                            quote(name)),
                0, kExitUsage);
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return has_tag ? name : name + ":latest";
}

void tag_image(const Store& s, const std::string& image_path, const std::string& digest,
               const std::string& name) {
  std::string n = normalize_name(name);
  std::string blob = s.blob_path(digest);
  if (!path_exists(blob) && link(image_path.c_str(), blob.c_str()) < 0) {
    if (errno != EXDEV && errno != EPERM) throw_sys("link", blob);
    copy_file_atomic(image_path, blob);  // another file system: a copy
  }
  UniqueFd held = lock_names(s);
  auto names = load(s);
  names[n] = digest;
  save(s, names);
}

std::optional<std::string> resolve_name(const Store& s, const std::string& name) {
  std::string n;
  try {
    n = normalize_name(name);
  } catch (const Error&) {
    return std::nullopt;
  }
  auto names = load(s);
  auto it = names.find(n);
  if (it == names.end()) return std::nullopt;
  return s.blob_path(it->second);
}

std::map<std::string, std::string> list_names(const Store& s) { return load(s); }

bool is_image_file(const std::string& ref) {
  struct stat st;
  return ::stat(ref.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

std::string resolve_image_ref(const std::string& ref, const Store* in) {
  if (is_image_file(ref)) return ref;
  // A command that only reads an image makes no store to look a name up in.
  std::string root = in ? in->root() : Store::default_root();
  std::optional<Store> own;
  if (!in && path_exists(root + "/mnt")) own.emplace(root);
  const Store* found_in = in ? in : own ? &*own : nullptr;
  // `where`: "in the store S", or "(no store at S)".
  auto not_found = [&](const std::string& where) {
    return Error(fmt::format("{}: {}no image of that name or id {}", quote(ref),
                             path_exists(ref) ? "a directory, not an image file; and "
                                              : "no such image file, and ",
                             where),
                 ENOENT)
        .with_hint("give a path, a file://, http(s)://, sftp:// or scp:// URL, or a name or id from "
                   "`bale images` (made with `bale build/pack/import -t NAME` or `bale bootstrap`)");
  };
  if (!found_in) throw not_found(fmt::format("(no store at {})", quote(root)));
  const Store& store = *found_in;
  if (auto named = resolve_name(store, ref)) return *named;
  std::string hex = ref.rfind("sha256:", 0) == 0 ? ref.substr(7) : ref;
  if (hex.size() >= 12 && hex.size() <= 64 && hex.find_first_not_of("0123456789abcdef") == std::string::npos) {
    std::optional<std::string> found;
    for (const auto& [name, digest] : list_names(store))
      if (digest.compare(7, hex.size(), hex) == 0) {
        if (found && *found != store.blob_path(digest))
          throw Error(fmt::format("{}: more than one image has an id that begins so", quote(ref)));
        found = store.blob_path(digest);
      }
    if (found) return *found;
  }
  throw not_found(fmt::format("in the store {}", quote(store.root())));
}

void remove_name(const Store& s, const std::string& name) {
  std::string n = normalize_name(name);
  UniqueFd held = lock_names(s);
  auto names = load(s);
  auto it = names.find(n);
  if (it == names.end()) throw Error(fmt::format("no image named {} in the store", quote(n)));
  std::string digest = it->second;
  names.erase(it);
  save(s, names);
  for (const auto& [k, d] : names)
    if (d == digest) return;
  ::unlink(s.blob_path(digest).c_str());
}

}  // namespace bale::store
