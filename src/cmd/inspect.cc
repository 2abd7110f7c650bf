// `bale inspect IMAGE`: what an image is, from its trailer alone (O(1) bytes read). The
// signature is identified but not checked here: that needs every byte (`bale verify`).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "image/config.h"
#include "image/image_file.h"
#include "registry/origin.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

using nlohmann::json;

static json describe(const image::ImageInfo& info) {
  json j{{"path", info.path}, {"file_size", info.file_size}, {"signed", bool(info.trailer)}};
  if (!info.trailer) {
    j["config"] = json::object();
    if (!info.damage.empty()) j["damaged"] = info.damage;
    return j;
  }
  const auto& t = *info.trailer;
  j["digest"] = info.digest();
  j["body_size"] = t.footer.body_size;
  j["tar_size"] = t.tar.size;
  j["entries"] = t.tar.entries;
  j["config"] = image::parse_config(t.config, quote(info.path));
  try {
    auto sig = trust::sshsig_parse(t.signature);
    auto d = trust::decide_trust(trust::TrustPaths::defaults(), sig.key, trust::kImageNamespace);
    j["signer"] = {{"key", sig.key.to_openssh()},
                   {"fingerprint", sig.key.fingerprint()},
                   {"namespace", sig.ns},
                   {"trusted", d.trusted},
                   {"principal", d.principal}};
  } catch (const Error& e) {
    j["signer"] = {{"error", e.what()}};
  }
  // Where it came from, when the store pulled it from a registry.
  std::string root = store::Store::default_root();
  if (path_exists(root + "/registry/origins")) {
    store::Store st(root);
    if (auto o = registry::find_origin(st, j["digest"])) {
      j["origin"] = {{"reference", o->reference}, {"manifest_digest", o->manifest_digest},
                     {"platform", o->platform}, {"signed_by_pusher", o->signed_by_pusher}};
      if (!o->index_digest.empty()) j["origin"]["index_digest"] = o->index_digest;
      if (!o->mirror.empty()) j["origin"]["mirror"] = o->mirror;
    }
  }
  return j;
}

int inspect(const InspectOptions& o) {
  json j = describe(image::read_image_info(store::resolve_image_ref(o.image)));
  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("image:      %s\n", o.image.c_str());
  if (j.contains("damaged")) {
    std::printf("damaged:    %s\nfile size:  %llu\n", j["damaged"].get<std::string>().c_str(),
                j["file_size"].get<unsigned long long>());
    return 1;
  }
  if (!j["signed"]) {
    std::printf("signed:     no (a plain tar.gz; unsigned, no config)\nfile size:  %llu\n",
                j["file_size"].get<unsigned long long>());
    return 0;
  }
  const json& s = j["signer"];
  if (s.contains("error")) {
    std::printf("signer:     unreadable signature (%s)\n", s["error"].get<std::string>().c_str());
  } else {
    std::printf("signer:     %s %s\n", s["fingerprint"].get<std::string>().c_str(),
                s["trusted"].get<bool>()
                    ? ("(trusted: " + s["principal"].get<std::string>() + ")").c_str()
                    : "(not trusted)");
  }
  std::printf("            signature not checked here; `bale verify` checks it\n");
  std::printf("digest:     %s\n", j["digest"].get<std::string>().c_str());
  std::printf("file size:  %llu\ntar size:   %llu\nentries:    %llu\n",
              j["file_size"].get<unsigned long long>(), j["tar_size"].get<unsigned long long>(),
              j["entries"].get<unsigned long long>());
  if (j.contains("origin")) {
    const json& o = j["origin"];
    std::printf("pulled from: %s (%s)\nmanifest:   %s\n", o["reference"].get<std::string>().c_str(),
                o["platform"].get<std::string>().c_str(), o["manifest_digest"].get<std::string>().c_str());
    if (o.contains("index_digest"))
      std::printf("index:      %s\n", o["index_digest"].get<std::string>().c_str());
    if (o.contains("mirror"))
      std::printf("via mirror: %s\n", o["mirror"].get<std::string>().c_str());
  }
  std::printf("config:\n%s\n", j["config"].dump(2).c_str());
  return 0;
}

}  // namespace bale::cmd
