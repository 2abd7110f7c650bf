// The verification decision for an image file: no signature, bad signature, untrusted signer,
// or trusted (see image_file.h).
#include <fcntl.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/image_file.h"

namespace bale::image {

namespace {

std::string describe(const trust::PublicKey& k) {
  return k.comment.empty() ? k.fingerprint() : fmt::format("{} ({})", k.fingerprint(), k.comment);
}

// Takes `v` by reference: the caller's message arguments read v.sig, and a by-value parameter
// would be moved into before (clang evaluates left to right) they are read.
Verification fail(Verification&& v, VerifyStatus s, std::string msg, std::string hint = {}) {
  v.status = s;
  v.message = std::move(msg);
  v.hint = std::move(hint);
  return std::move(v);
}

}  // namespace

bool signer_matches(const trust::PublicKey& key, const std::string& signer) {
  if (signer.rfind("SHA256:", 0) == 0) return key.fingerprint() == signer;
  return trust::read_public_key_arg(signer) == key;
}

Verification verify_image(const std::string& path, const trust::TrustPaths& paths,
                          const std::optional<std::string>& signer, const std::string& display) {
  UniqueFd fd = open_file(path, O_RDONLY);
  return verify_open_image(fd.get(), read_image_info(fd.get(), path), paths, signer, display);
}

Verification verify_open_image(int fd, ImageInfo info, const trust::TrustPaths& paths,
                               const std::optional<std::string>& signer, const std::string& display) {
  Verification v;
  const std::string path = info.path;
  const std::string name = quote(display.empty() ? path : display);
  v.info = std::move(info);
  if (!v.info.trailer) return verdict_without_trailer(std::move(v.info), display);
  try {
    v.sig = trust::sshsig_parse(v.info.trailer->signature);
  } catch (const Error& e) {
    return fail(std::move(v), VerifyStatus::kBadSignature,
                fmt::format("{}: bad signature: {}", name, e.what()));
  }
  if (v.sig->ns != trust::kImageNamespace)
    return fail(std::move(v), VerifyStatus::kBadSignature,
                fmt::format("{}: bad signature: made for namespace {}, not {}", name,
                            quote(v.sig->ns), quote(trust::kImageNamespace)));
  auto digest = sha512_prefix(fd, v.info.trailer->footer.signed_size, path, v.info.signed_trailer);
  if (!trust::sshsig_verify(*v.sig, trust::kImageNamespace, digest))
    return fail(std::move(v), VerifyStatus::kBadSignature,
                fmt::format("{}: bad signature: the file was changed after {} signed it",
                            name, describe(v.sig->key)));
  if (signer) {
    if (!signer_matches(v.sig->key, *signer))
      return fail(std::move(v), VerifyStatus::kUntrusted,
                  fmt::format("{}: signer not trusted: signed by {}, not by the --signer key",
                              name, describe(v.sig->key)));
    v.decision = {true, "the --signer key", "--signer"};
    v.status = VerifyStatus::kTrusted;
    return v;
  }
  v.decision = trust::decide_trust(paths, v.sig->key, trust::kImageNamespace);
  if (!v.decision.trusted)
    return fail(std::move(v), VerifyStatus::kUntrusted,
                fmt::format("{}: signer not trusted: {}", name, describe(v.sig->key)),
                fmt::format("if you trust this key: bale trust add '{}' --name NAME",
                            v.sig->key.to_openssh()));
  v.status = VerifyStatus::kTrusted;
  return v;
}

}  // namespace bale::image
