// Commands an ordinary user runs that mount or own files of other ids (run, build, bootstrap,
// store gc) first enter a user namespace of their own (runtime/userns.h). Where the store, keys
// and records are must be decided before that; base/identity.h keeps them the user's.
#pragma once

#include <string>

namespace bale::cmd {

// As root: nothing. As an ordinary user: enters the namespace and, with the one-id map, prints
// its warning, followed by `one_id_cost` (what this command then cannot do) when not empty.
// Returns whether every id is there: true for root and for a user's full subordinate range,
// false for the one-id map.
bool enter_user_namespace_if_rootless(const std::string& one_id_cost = "");

}  // namespace bale::cmd
