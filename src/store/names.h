// Names in the local image store: `pack/import -t NAME` keep a copy of the image under its
// digest (blobs/<hex>.bale) and map NAME to it in names.json, so `bale run NAME` works without
// a path. A name without a tag means NAME:latest, as in docker.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "store/store.h"

namespace bale::store {

// "debian" -> "debian:latest"; checks the characters docker allows. Throws bale::Error.
std::string normalize_name(const std::string& name);

// Stores `image_path` (hardlinked when on the same file system) and points `name` at it.
void tag_image(const Store& store, const std::string& image_path, const std::string& digest,
               const std::string& name);
// The stored image file for `name`, if it has one.
std::optional<std::string> resolve_name(const Store& store, const std::string& name);
std::map<std::string, std::string> list_names(const Store& store);  // name -> digest

// Whether `ref` is an image file given by path: an existing file that is not a directory (a
// name that is not a file is a name: `bale run web` beside a ./web folder means the image).
bool is_image_file(const std::string& ref);
// The image file that `ref` names for every command that takes an image: a file (as above),
// else a name in the store (`debian:bookworm`), else the image id or a prefix of it of at least
// 12 hex digits (`sha256:ab12...`, `ab12...`) of a named image. Throws bale::Error saying what
// was looked for and how to make such an image.
// `store`: the store to look in (default: Store::default_root()).
std::string resolve_image_ref(const std::string& ref, const Store* store = nullptr);
// Removes the name (and the blob, if no other name uses it). Throws if the name is unknown.
void remove_name(const Store& store, const std::string& name);

}  // namespace bale::store
