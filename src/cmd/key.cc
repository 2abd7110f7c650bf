// `bale key`: this machine's signing identity, created on first use.
#include <cstdio>

#include "cmd/commands.h"
#include "trust/keystore.h"

namespace bale::cmd {

int key(const KeyOptions& o) {
  auto paths = trust::TrustPaths::defaults();
  trust::PrivateKey k = trust::load_signing_key(paths, o.key);
  std::printf("%s\n%s\n", k.public_key().to_openssh().c_str(),
              k.public_key().fingerprint().c_str());
  return 0;
}

}  // namespace bale::cmd
