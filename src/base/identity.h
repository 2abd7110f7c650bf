// Who invoked bale. Inside the user namespace a rootless bale enters, every process is uid 0,
// yet the store, keys and records it uses stay the invoking user's: they are chosen by this,
// not by geteuid().
#pragma once

namespace bale {

// Whether bale was started by root (euid 0), as it was before any user namespace of bale's
// own. Decided on the first call: runtime::enter_user_namespace() makes that call before it
// unshares, and main() makes it first of all.
bool invoked_as_root();

}  // namespace bale
