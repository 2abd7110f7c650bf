// What bale keeps per project in the store: under projects/<id>/ the last build record of each
// container, inline Dockerfiles, named persistent volumes and cache volumes. <id> is the root
// directory's name and a hash of its path, so two clones are two projects.
#pragma once

#include <string>

#include "store/store.h"

namespace bale::project {

std::string project_id(const std::string& root);            // "myapp-1f2e3d4c5b6a7980"
std::string project_dir(const store::Store& st, const std::string& root);  // created
// The store name a container's built image is kept under: "bale-project/<id>/<container>".
std::string image_name(const std::string& root, const std::string& container);

}  // namespace bale::project
