// Resolving `-u USER[:GROUP]` and the image's User against the image's own /etc/passwd and
// /etc/group (never the host's), as docker does: names or numbers, supplementary groups.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bale::runtime {

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups from /etc/group
  std::string home = "/";
  std::string name;  // empty when the user is only a number absent from /etc/passwd
};

// `spec` is "", "name", "uid", "name:group", "uid:gid", ... `passwd` and `group` are the
// contents of the image's files ("" when missing). Throws bale::Error when a name is unknown.
ResolvedUser resolve_user(const std::string& spec, const std::string& passwd,
                          const std::string& group);

// The owner BuildKit gives what `COPY --chown=SPEC` writes and the directories WORKDIR creates
// under `USER SPEC`: as resolve_user, except that a bare number without a group is the gid as
// well as the uid (a name without a group still takes its primary group from passwd).
ResolvedUser resolve_owner(const std::string& spec, const std::string& passwd,
                           const std::string& group);

}  // namespace bale::runtime
