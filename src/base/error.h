// The one failure type of bale: a message with the errno behind it and the exit code it maps to.
// Syscall failures name the operation and the quoted path; modules add context as errors cross them.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace bale {

// Exit codes shared by every command (see README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitBeforeTarget = 125;
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, int err = 0, int exit_code = kExitFailed);

  int err() const { return err_; }
  int exit_code() const { return exit_code_; }
  // A second line shown after the message: what the user can do about it.
  const std::string& hint() const { return hint_; }
  Error& with_hint(std::string hint);
  // Returns a copy whose message is "context: message".
  Error wrap(std::string_view context) const;
  // The same failure as met on the way to a container's target, the one place that decides
  // `run`'s exit code: usage errors (2), the target's own "cannot execute" (126) and "not
  // found" (127), and interrupts (128+N) stay as they are; every other failure is bale's own,
  // 125, so a supervisor can tell it from the target's exit status.
  Error before_target() const;

 private:
  int err_;
  int exit_code_;
  std::string hint_;
};

// "op 'path': strerror(err)", plus a hint for errnos that have a usual cause.
Error sys_error(std::string_view op, std::string_view path, int err);
[[noreturn]] void throw_sys(std::string_view op, std::string_view path);  // uses errno

// Quotes a user string or path for messages: 'x', with control characters escaped.
std::string quote(std::string_view s);

}  // namespace bale
