// SSHSIG against ssh-keygen -Y: bale's signatures verify there, and are the very bytes it writes.
#include <gtest/gtest.h>

#include "trust_test_support.h"

#include "base/error.h"
#include "base/fs.h"
#include "trust/sshsig.h"


namespace bale::trust {
namespace {

using namespace testing;

#define REQUIRE_SSH_KEYGEN() \
  if (!have_ssh_keygen()) GTEST_SKIP() << "ssh-keygen is not installed"

constexpr std::string_view kMessage = "the image bytes\n";

// A directory with a message file and an ssh-keygen key, for signing with ssh-keygen.
struct Fixture {
  TempDir dir;
  std::string msg = dir.path() + "/msg";
  std::string key_path;
  Fixture() {
    write_text(msg, kMessage);
    key_path = ssh_keygen_key(dir.path(), "key", "signer@example");
  }
  // Signs msg with ssh-keygen; returns the armored signature.
  std::string keygen_sign(const std::string& ns, const std::string& extra = "") {
    std::string cmd = "ssh-keygen -q -Y sign -n " + sh_quote(ns) + " -f " + sh_quote(key_path) +
                      " " + extra + " " + sh_quote(msg);
    EXPECT_EQ(run(cmd), 0) << cmd;
    std::string sig = read_file(msg + ".sig");
    ::unlink((msg + ".sig").c_str());
    return sig;
  }
  // ssh-keygen -Y verify's exit status for `armored` against one allowed_signers line.
  int keygen_verify(const std::string& armored, const std::string& allowed_line,
                    const std::string& principal, const std::string& ns) {
    write_text(dir.path() + "/allowed", allowed_line + "\n");
    write_text(dir.path() + "/sig", armored);
    return run("ssh-keygen -Y verify -f " + sh_quote(dir.path() + "/allowed") + " -I " +
               sh_quote(principal) + " -n " + sh_quote(ns) + " -s " +
               sh_quote(dir.path() + "/sig") + " < " + sh_quote(msg));
  }
};

TEST(Sshsig, ArmoredSizeMatchesSignature) {
  PrivateKey key = PrivateKey::generate("");
  Sha512Digest d = sha512_of(kMessage);
  for (size_t n = 0; n < 300; ++n) {
    std::string ns(n, 'n');
    EXPECT_EQ(sshsig_armored_size(ns), sshsig_sign(key, ns, d).size()) << n;
  }
}

TEST(Sshsig, SigningIsDeterministic) {
  PrivateKey key = PrivateKey::generate("");
  Sha512Digest d = sha512_of(kMessage);
  EXPECT_EQ(sshsig_sign(key, "bale-image", d), sshsig_sign(key, "bale-image", d));
}

TEST(Sshsig, BaleSignatureVerifiesWithSshKeygen) {
  REQUIRE_SSH_KEYGEN();
  Fixture f;
  PrivateKey key = PrivateKey::generate("made by bale");
  std::string sig = sshsig_sign(key, "bale-image", sha512_of(kMessage));
  std::string line = "builder namespaces=\"bale-image\" " + key.public_key().to_openssh();
  EXPECT_EQ(f.keygen_verify(sig, line, "builder", "bale-image"), 0);
  EXPECT_NE(f.keygen_verify(sig, line, "builder", "other-ns"), 0);
  // Signed over a different message: ssh-keygen hashes msg itself and must disagree.
  std::string other = sshsig_sign(key, "bale-image", sha512_of("another message"));
  EXPECT_NE(f.keygen_verify(other, line, "builder", "bale-image"), 0);
}

TEST(Sshsig, ByteIdenticalToSshKeygen) {
  REQUIRE_SSH_KEYGEN();
  Fixture f;
  PrivateKey key = PrivateKey::load(f.key_path);
  for (std::string ns : {"bale-image", "x", "a-much-longer-namespace-that-moves-line-breaks"})
    EXPECT_EQ(sshsig_sign(key, ns, sha512_of(kMessage)), f.keygen_sign(ns)) << ns;
}

TEST(Sshsig, ParsesAndVerifiesSshKeygenSignature) {
  REQUIRE_SSH_KEYGEN();
  Fixture f;
  Sshsig sig = sshsig_parse(f.keygen_sign("bale-image"));
  PublicKey expected = PublicKey::parse(read_file(f.key_path + ".pub"), "");
  EXPECT_EQ(sig.key, expected);
  EXPECT_EQ(sig.ns, "bale-image");
  EXPECT_EQ(sig.hash_alg, "sha512");
  EXPECT_EQ(sig.signature.size(), 64u);
  Sha512Digest d = sha512_of(kMessage);
  EXPECT_TRUE(sshsig_verify(sig, "bale-image", d));
  EXPECT_FALSE(sshsig_verify(sig, "other", d));
  EXPECT_FALSE(sshsig_verify(sig, "bale-image", sha512_of("tampered")));
  Sshsig flipped = sig;
  flipped.signature[5] ^= 0x20;
  EXPECT_FALSE(sshsig_verify(flipped, "bale-image", d));
  Sshsig other_key = sig;
  other_key.key = PrivateKey::generate("").public_key();
  EXPECT_FALSE(sshsig_verify(other_key, "bale-image", d));
}

TEST(Sshsig, RejectsSha256Signatures) {
  REQUIRE_SSH_KEYGEN();
  Fixture f;
  Sshsig sig = sshsig_parse(f.keygen_sign("bale-image", "-O hashalg=sha256"));
  EXPECT_EQ(sig.hash_alg, "sha256");
  EXPECT_FALSE(sshsig_verify(sig, "bale-image", sha512_of(kMessage)));
}

TEST(Sshsig, RejectsOtherKeyTypes) {
  REQUIRE_SSH_KEYGEN();
  Fixture f;
  f.key_path = ssh_keygen_key(f.dir.path(), "ec", "", "ecdsa");
  std::string armored = f.keygen_sign("bale-image");
  EXPECT_EQ(error_of([&] { sshsig_parse(armored); }),
            "malformed signature: key type 'ecdsa-sha2-nistp256' is not supported (bale uses "
            "ssh-ed25519 keys)");
}

// Every single-bit change to the armored body is refused: a parse error or a failed check.
TEST(Sshsig, FlippedBitsAreRejected) {
  PrivateKey key = PrivateKey::generate("");
  Sha512Digest d = sha512_of(kMessage);
  std::string good = sshsig_sign(key, "bale-image", d);
  size_t body = good.find('\n') + 1, end = good.find("-----END");
  for (size_t i = body; i < end; ++i) {
    if (good[i] == '\n') continue;
    for (char bit : {'\x01', '\x08'}) {
      std::string bad = good;
      bad[i] ^= bit;
      bool ok = false;
      try {
        ok = sshsig_verify(sshsig_parse(bad), "bale-image", d);
      } catch (const Error&) {
      }
      // The 180-byte blob fills its base64 exactly, so no flip lands in unused bits.
      EXPECT_FALSE(ok) << "byte " << i << " bit " << int(bit);
    }
  }
}

TEST(Sshsig, MalformedArmorMessages) {
  PrivateKey key = PrivateKey::generate("");
  std::string good = sshsig_sign(key, "bale-image", sha512_of(kMessage));
  EXPECT_EQ(error_of([] { sshsig_parse("hello"); }),
            "malformed signature: it does not start with '-----BEGIN SSH SIGNATURE-----'");
  EXPECT_EQ(error_of([&] { sshsig_parse(good.substr(0, good.size() - 10)); }),
            "malformed signature: no '-----END SSH SIGNATURE-----' line");
  EXPECT_EQ(error_of([&] { sshsig_parse(good + "junk\n"); }),
            "malformed signature: text after the '-----END SSH SIGNATURE-----' line");
  std::string cut = good.substr(0, good.find('\n') + 1) + good.substr(good.find('\n') + 1, 8) +
                    "\n-----END SSH SIGNATURE-----\n";
  EXPECT_EQ(error_of([&] { sshsig_parse(cut); }), "malformed signature: truncated data");
  std::string badb64 = good;
  badb64[40] = '*';
  EXPECT_EQ(error_of([&] { sshsig_parse(badb64); }),
            "malformed signature: the signature body is not valid base64");
  EXPECT_NO_THROW(sshsig_parse("\n  " + good + "\n"));
}

}  // namespace
}  // namespace bale::trust
