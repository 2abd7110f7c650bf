// Construction of errors and their hints.
#include "base/error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/identity.h"

namespace bale {

Error::Error(std::string message, int err, int exit_code)
    : std::runtime_error(std::move(message)), err_(err), exit_code_(exit_code) {}

Error& Error::with_hint(std::string hint) {
  hint_ = std::move(hint);
  return *this;
}

Error Error::wrap(std::string_view context) const {
  Error e(fmt::format("{}: {}", context, what()), err_, exit_code_);
  e.hint_ = hint_;
  return e;
}

Error Error::before_target() const {
  const bool keep = exit_code_ == kExitUsage || exit_code_ == kExitNotExecutable ||
                    exit_code_ == kExitNotFound || exit_code_ > 128;
  Error e(what(), err_, keep ? exit_code_ : kExitBeforeTarget);
  e.hint_ = hint_;
  return e;
}

static std::string hint_for(std::string_view op, int err) {
  switch (err) {
    case EPERM:
      if (op != "unshare" && !op.starts_with("mount")) return {};
      // Root refused is root in a container that may not mount; a user is in its own namespace.
      return invoked_as_root()
                 ? "this needs CAP_SYS_ADMIN: run bale on the host or in a privileged container"
                 : "`bale doctor` says what is missing (checks \"user namespaces\" and "
                   "\"overlayfs in a user ns\")";
    case ENOSPC:
      return "the file system is full: free space there or point bale elsewhere";
    case EROFS:
      return "the file system is mounted read-only";
    default:
      return {};
  }
}

Error sys_error(std::string_view op, std::string_view path, int err) {
  std::string msg = path.empty() ? fmt::format("{}: {}", op, std::strerror(err))
                                 : fmt::format("{} {}: {}", op, quote(path), std::strerror(err));
  Error e(std::move(msg), err);
  if (auto h = hint_for(op, err); !h.empty()) e.with_hint(std::move(h));
  return e;
}

void throw_sys(std::string_view op, std::string_view path) { throw sys_error(op, path, errno); }

std::string quote(std::string_view s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '\'';
  return out;
}

}  // namespace bale
