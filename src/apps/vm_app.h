// An app of engine "vm" (`bale app register --vm`): which of an app's settings a microVM can
// carry out, checked at registration and again at launch (a drop-in may have added one).
#pragma once

#include "apps/app_config.h"

namespace bale::apps {

// Throws a usage error naming the first setting of `c` that a microVM cannot honour: the
// stacked images and include tarballs (--base, --layer, --include-tar: the VM boots one erofs
// image of one tree), an include path that is not a directory, --bind-cwd and --resume.
void check_vm_app(const AppConfig& c);

}  // namespace bale::apps
