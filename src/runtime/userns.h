// Running as an ordinary user: the calling process moves into a user namespace of its own in
// which it is root, so that the mount namespace, overlay and pivot_root of a container need no
// privilege. The process keeps its PID (unshare, no supervising parent): bale still becomes
// the target.
#pragma once

#include <string>

namespace bale::runtime {

struct UserNamespace {
  bool full = false;  // 1..N map to the user's subordinate ids; else only 0 (= the user)
  unsigned long uid_start = 0, uid_count = 0, gid_start = 0, gid_count = 0;
  std::string warning;  // for the one-id map: what it costs and the line to add
};

// Enters the namespace: 0 is the caller, 1..N its /etc/subuid and /etc/subgid ranges written
// by newuidmap/newgidmap (run from a child forked first, gone before this returns); without
// ranges or helpers, a one-id map. Throws bale::Error naming the `bale doctor` check when the
// kernel refuses user namespaces.
UserNamespace enter_user_namespace();

// Whether the process is in a user namespace of bale's making with setgroups(2) denied (the
// one-id map), where supplementary groups cannot be set.
bool setgroups_denied();

}  // namespace bale::runtime
