// Image references as docker spells them, `[registry[:port]/]repo[:tag][@sha256:HEX]`, with
// docker's normalisation: no registry means docker.io, a one-part repository on docker.io is
// under library/, no tag and no digest means :latest.
#pragma once

#include <string>

namespace bale::registry {

inline constexpr const char* kDockerHub = "docker.io";

struct Reference {
  std::string registry;    // "docker.io", "quay.io", "127.0.0.1:5000"
  std::string repository;  // "library/debian"
  std::string tag;         // "" only when a digest is given without a tag
  std::string digest;      // "sha256:<64 hex>" or ""

  // "docker.io/library/debian:latest", "host/repo@sha256:..", "host/repo:tag@sha256:.."
  std::string str() const;
  // "docker.io/library/debian": registry and repository.
  std::string name() const;
  // docker's short spelling: "debian:latest", "user/app:1", "quay.io/x/y:2"; what a pull
  // stores the image under. With only a digest, "" (a digest is no name).
  std::string familiar() const;
  // The host the distribution API is reached at: registry-1.docker.io for docker.io.
  std::string api_host() const;
  // What the manifest is fetched by: the digest if pinned, else the tag.
  const std::string& manifest_ref() const { return digest.empty() ? tag : digest; }
};

// Parses and normalises `text`. Throws bale::Error (exit code 2) quoting `text` and saying which
// part is wrong.
Reference parse_reference(const std::string& text);

// Whether `text` is a well-formed "sha256:<64 lower-case hex>".
bool is_sha256_digest(const std::string& text);

}  // namespace bale::registry
