// Applying a rw volume's changes on the host (see volume_apply.h).
#include "vm/volume_apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::vm {

VolumeApplier::VolumeApplier(const std::vector<std::string>& hosts) : hosts_(hosts) {
  for (const auto& h : hosts)
    roots_.emplace_back(h.empty() ? -1 : ::open(h.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

void VolumeApplier::fail(const VolumeChange& c, const std::string& what, int err) {
  if (!error_.empty()) return;
  std::string host = c.volume < hosts_.size() ? hosts_[c.volume] : "?";
  error_ = fmt::format("{} {}: {}", what, quote(host + "/" + c.path), std::strerror(err));
}

namespace {

// Removes what is at `name` unless it is a directory and `keep_dir`.
void clear(int parent, const std::string& name, bool keep_dir) {
  struct stat st;
  if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (keep_dir && S_ISDIR(st.st_mode)) return;
  remove_tree_at(parent, name);
}

}  // namespace

void VolumeApplier::apply(const VolumeChange& c) {
  if (c.kind == 'a') {
    if (file_ && ::write(file_.get(), c.data.data(), c.data.size()) != static_cast<ssize_t>(c.data.size()))
      fail(c, "write back", errno ? errno : EIO);
    return;
  }
  file_.reset();
  if (c.volume >= roots_.size() || !roots_[c.volume]) return fail(c, "write back (not a rw volume)", EPERM);
  size_t slash = c.path.rfind('/');
  std::string parent = slash == std::string::npos ? "" : c.path.substr(0, slash);
  std::string name = slash == std::string::npos ? c.path : c.path.substr(slash + 1);
  UniqueFd dir(parent.empty() ? ::fcntl(roots_[c.volume].get(), F_DUPFD_CLOEXEC, 0)
                              : open_beneath(roots_[c.volume].get(), parent, O_RDONLY | O_DIRECTORY));
  if (!dir) return fail(c, "write back into", errno);
  try {
    apply_at(dir.get(), name, c);
  } catch (const Error& e) {
    if (error_.empty()) error_ = e.what();
  }
}

void VolumeApplier::apply_at(int parent, const std::string& name, const VolumeChange& c) {
  const char* n = name.c_str();
  switch (c.kind) {
    case 'w':
      clear(parent, name, false);
      return;
    case 'o':
    case 'd':
      clear(parent, name, c.kind == 'd');
      if (mkdirat(parent, n, 0700) != 0 && errno != EEXIST) return fail(c, "mkdir", errno);
      break;
    case 'l':
      clear(parent, name, false);
      if (symlinkat(c.data.c_str(), parent, n) != 0) return fail(c, "symlink", errno);
      if (fchownat(parent, n, c.uid, c.gid, AT_SYMLINK_NOFOLLOW) != 0) fail(c, "chown", errno);
      return;
    case 'f': {
      clear(parent, name, false);
      file_ = UniqueFd(openat(parent, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!file_) return fail(c, "create", errno);
      if (::write(file_.get(), c.data.data(), c.data.size()) != static_cast<ssize_t>(c.data.size()))
        fail(c, "write back", errno ? errno : EIO);
      if (fchown(file_.get(), c.uid, c.gid) != 0) fail(c, "chown", errno);
      if (fchmod(file_.get(), c.mode) != 0) fail(c, "chmod", errno);
      return;
    }
    default:
      return;
  }
  // A directory: its owner and mode, through an fd that cannot be a symlink's target.
  UniqueFd d(openat(parent, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d) return fail(c, "open", errno);
  if (fchown(d.get(), c.uid, c.gid) != 0) fail(c, "chown", errno);
  if (fchmod(d.get(), c.mode) != 0) fail(c, "chmod", errno);
}

}  // namespace bale::vm
