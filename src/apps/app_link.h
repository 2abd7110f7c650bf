// The host side of an app: PATH is a symlink to the bale binary, so starting PATH starts bale
// with argv[0] naming the app. bale only ever creates, replaces or removes such links of its
// own; any other file at PATH is left as it is.
#pragma once

#include <string>

namespace bale::apps {

// The running bale binary's real path (/proc/self/exe).
std::string bale_binary();

enum class LinkState { kAbsent, kOurs, kForeign };

// kOurs: a symlink to a bale binary (this one, or a file named "bale"); kForeign: anything
// else, a dangling or foreign symlink included.
LinkState link_state(const std::string& path);

// Throws (bale::Error) unless place_link(path, force) may go ahead: nothing is there, or a link
// of ours and `force`.
void check_link_replaceable(const std::string& path, bool force);

// Makes `path` a symlink to bale_binary(). An existing link of ours is replaced (atomically,
// by rename) only with `force`; anything else there is never replaced: bale::Error.
void place_link(const std::string& path, bool force);

// Removes `path` if it is a link of ours; returns false (and leaves it) if something else is
// there, true when ours was removed or nothing was there.
bool remove_link(const std::string& path);

}  // namespace bale::apps
