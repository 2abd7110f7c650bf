// Who invoked bale (see identity.h).
#include "base/identity.h"

#include <unistd.h>

namespace bale {

bool invoked_as_root() {
  static const bool root = geteuid() == 0;
  return root;
}

}  // namespace bale
