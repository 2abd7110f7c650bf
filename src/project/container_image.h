// A container's image, made lazily: an `image:` is used as given; a Dockerfile (a file or inline
// text) is carried out by bale's own builder on every use, which costs only cache look-ups
// when nothing it reads changed. A finished build is kept under the project's store name for the
// container (state.h), and only a build that succeeds replaces it: after a failed build the
// earlier image stays named and usable.
#pragma once

#include <string>

#include "project/model.h"
#include "store/store.h"

namespace bale::project {

// The image reference to acquire for `c` (a store name, a path or a URL). Builds if needed;
// build progress goes to stderr only when some step actually runs. Throws bale::Error with
// kExitBuildFailed for a failed build, kExitBadConfig for a missing Dockerfile or context.
std::string container_image(const Project& p, const Container& c, store::Store& st);

}  // namespace bale::project
