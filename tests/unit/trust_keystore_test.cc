// The keystore under a temp directory: machine key on first use, trust add/remove/list, and the
// trust decision. Never touches /etc/bale.
#include <gtest/gtest.h>

#include "trust_test_support.h"
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.h"
#include "base/fs.h"
#include "trust/keystore.h"
#include "trust/sshsig.h"


namespace bale::trust {
namespace {

using namespace testing;

mode_t mode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string bare_key(const PublicKey& k) {
  PublicKey p = k;
  p.comment.clear();
  return p.to_openssh();
}

// Sets an environment variable for one scope and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class Keystore : public ::testing::Test {
 protected:
  TempDir dir_;
  TrustPaths paths_ = TrustPaths::under(dir_.path() + "/cfg/bale");
  PrivateKey alice_ = PrivateKey::generate("alice@laptop");
};

TEST(KeystorePaths, UnderOneDirectory) {
  TrustPaths p = TrustPaths::under("/d");
  EXPECT_EQ(p.config_dir, "/d");
  EXPECT_EQ(p.key_path, "/d/id_ed25519");
  EXPECT_EQ(p.writable_signers, "/d/allowed_signers");
  EXPECT_EQ(p.signer_files,
            (std::vector<std::string>{"/d/allowed_signers", "/d/allowed_signers.d"}));
}

TEST(KeystorePaths, DefaultsHonourBaleConfigDir) {
  ScopedEnv env("BALE_CONFIG_DIR", "/somewhere/else");
  TrustPaths p = TrustPaths::defaults();
  EXPECT_EQ(p.key_path, "/somewhere/else/id_ed25519");
  EXPECT_EQ(p.signer_files, TrustPaths::under("/somewhere/else").signer_files);
}

TEST(KeystorePaths, DefaultsForRootAndUsers) {
  ScopedEnv env("BALE_CONFIG_DIR", nullptr);
  ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
  TrustPaths p = TrustPaths::defaults();  // computes paths only; nothing is created
  if (::geteuid() == 0) {
    EXPECT_EQ(p.key_path, "/etc/bale/id_ed25519");
    EXPECT_EQ(p.writable_signers, "/etc/bale/allowed_signers");
  } else {
    EXPECT_EQ(p.key_path, "/xdg/bale/id_ed25519");
    EXPECT_EQ(p.signer_files,
              (std::vector<std::string>{"/etc/bale/allowed_signers", "/etc/bale/allowed_signers.d",
                                        "/xdg/bale/allowed_signers"}));
  }
}

TEST_F(Keystore, MachineKeyIsCreatedOnFirstUse) {
  PrivateKey key = load_signing_key(paths_);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(key.public_key().comment, std::string("bale@") + host);
  EXPECT_EQ(mode_of(paths_.key_path), 0600u);
  EXPECT_EQ(mode_of(paths_.key_path + ".pub"), 0644u);
  EXPECT_EQ(mode_of(paths_.config_dir), 0755u);
  EXPECT_EQ(read_file(paths_.key_path + ".pub"), key.public_key().to_openssh() + "\n");
  EXPECT_EQ(load_signing_key(paths_).public_key(), key.public_key());  // not made again
  if (have_ssh_keygen()) {
    std::string derived = capture("ssh-keygen -y -f " + sh_quote(paths_.key_path));
    EXPECT_EQ(derived, key.public_key().to_openssh() + "\n");
  }
}

TEST_F(Keystore, LoadsAnExplicitKey) {
  std::string path = dir_.path() + "/mine";
  alice_.save(path);
  EXPECT_EQ(load_signing_key(paths_, path).public_key(), alice_.public_key());
  EXPECT_FALSE(path_exists(paths_.key_path));
}

TEST_F(Keystore, MachineKeyIsTrusted) {
  PrivateKey mine = load_signing_key(paths_);
  TrustDecision d = decide_trust(paths_, mine.public_key(), kImageNamespace);
  EXPECT_TRUE(d.trusted);
  EXPECT_EQ(d.principal, "this machine");
  EXPECT_EQ(d.source, paths_.key_path);
  EXPECT_FALSE(decide_trust(paths_, alice_.public_key(), kImageNamespace).trusted);
}

TEST_F(Keystore, AddedKeyIsTrustedAndReadBySshKeygen) {
  SignerEntry e = trust_add(paths_, alice_.public_key(), "Alice Smith");
  EXPECT_EQ(e.principals, "Alice Smith");
  EXPECT_EQ(e.source, "file '" + paths_.writable_signers + "' line 1");
  EXPECT_EQ(read_file(paths_.writable_signers),
            "\"Alice Smith\" namespaces=\"bale-image\" " + bare_key(alice_.public_key()) + "\n");
  TrustDecision d = decide_trust(paths_, alice_.public_key(), kImageNamespace);
  EXPECT_TRUE(d.trusted);
  EXPECT_EQ(d.principal, "Alice Smith");
  EXPECT_EQ(d.source, e.source);
  EXPECT_FALSE(decide_trust(paths_, alice_.public_key(), "git").trusted);
  if (!have_ssh_keygen()) return;
  std::string msg = dir_.path() + "/msg", sig = dir_.path() + "/msg.sig";
  write_text(msg, "an image");
  write_text(sig, sshsig_sign(alice_, kImageNamespace, sha512_of("an image")));
  EXPECT_EQ(run("ssh-keygen -Y verify -f " + sh_quote(paths_.writable_signers) +
                " -I 'Alice Smith' -n bale-image -s " + sh_quote(sig) + " < " + sh_quote(msg)),
            0);
}

TEST_F(Keystore, AddNamesAndDuplicates) {
  trust_add(paths_, alice_.public_key(), "");
  PublicKey anon = PrivateKey::generate("").public_key();
  SignerEntry e = trust_add(paths_, anon, "");
  EXPECT_EQ(e.principals, anon.fingerprint());
  EXPECT_EQ(e.source, "file '" + paths_.writable_signers + "' line 2");
  EXPECT_EQ(trust_list(paths_)[0].principals, "alice@laptop");
  EXPECT_EQ(error_of([&] { trust_add(paths_, alice_.public_key(), "again"); }),
            "key " + alice_.public_key().fingerprint() + " is already trusted: file '" +
                paths_.writable_signers + "' line 1 lists it as 'alice@laptop'");
  PublicKey bob = PrivateKey::generate("").public_key();
  EXPECT_EQ(error_of([&] { trust_add(paths_, bob, "say \"hi\""); }),
            "signer name 'say \"hi\"' cannot contain double quotes or control characters");
  trust_add(paths_, bob, "#hash");
  EXPECT_EQ(trust_list(paths_).back().principals, "#hash");
}

TEST_F(Keystore, RemoveKeepsOtherLinesAsTheyWere) {
  mkdir_p(paths_.config_dir);
  PublicKey bob = PrivateKey::generate("bob").public_key();
  std::string before = "# team keys\n\nbob  " + bob.to_openssh() + "\n";
  std::string after = "   # trailing comment, no newline";
  write_text(paths_.writable_signers, before + "alice " + bare_key(alice_.public_key()) + "\n" +
                                          "alice-again namespaces=\"x\" " +
                                          bare_key(alice_.public_key()) + "\n" + after);
  ::chmod(paths_.writable_signers.c_str(), 0640);
  auto removed = trust_remove(paths_, alice_.public_key().fingerprint());
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].principals, "alice");
  EXPECT_EQ(removed[1].source, "file '" + paths_.writable_signers + "' line 5");
  EXPECT_EQ(read_file(paths_.writable_signers), before + after);
  EXPECT_EQ(mode_of(paths_.writable_signers), 0640u);
  EXPECT_EQ(error_of([&] { trust_remove(paths_, alice_.public_key().fingerprint()); }),
            "no key matching '" + alice_.public_key().fingerprint() + "' in '" +
                paths_.writable_signers + "'");
  EXPECT_EQ(trust_remove(paths_, bob.to_openssh()).size(), 1u);  // by key line
  EXPECT_EQ(read_file(paths_.writable_signers), "# team keys\n\n" + after);
}

TEST_F(Keystore, RemoveByPublicKeyFile) {
  trust_add(paths_, alice_.public_key(), "alice");
  std::string pub = dir_.path() + "/alice.pub";
  write_text(pub, alice_.public_key().to_openssh() + "\n");
  EXPECT_EQ(trust_remove(paths_, pub).size(), 1u);
  EXPECT_EQ(read_file(paths_.writable_signers), "");
  EXPECT_FALSE(decide_trust(paths_, alice_.public_key(), kImageNamespace).trusted);
}

TEST_F(Keystore, DropInDirectoryIsReadInNameOrder) {
  std::string d = paths_.config_dir + "/allowed_signers.d";
  mkdir_p(d);
  std::string k = bare_key(alice_.public_key());
  write_text(d + "/20-second", "second " + k + "\n");
  write_text(d + "/10-first", "# first\nfirst namespaces=\"other\" " + k + "\nfirst-b " + k + "\n");
  write_text(d + "/.hidden", "hidden " + k + "\n");
  TrustDecision t = decide_trust(paths_, alice_.public_key(), kImageNamespace);
  EXPECT_TRUE(t.trusted);
  EXPECT_EQ(t.principal, "first-b");
  EXPECT_EQ(t.source, "file '" + d + "/10-first' line 3");
  EXPECT_EQ(trust_list(paths_).size(), 3u);
  trust_add(paths_, alice_.public_key(), "main");  // the main file comes before the directory
  EXPECT_EQ(decide_trust(paths_, alice_.public_key(), kImageNamespace).principal, "main");
}

TEST_F(Keystore, MalformedFileStopsTheDecision) {
  mkdir_p(paths_.config_dir);
  write_text(paths_.writable_signers, "# ok\nalice\n");
  EXPECT_EQ(error_of([&] { decide_trust(paths_, alice_.public_key(), kImageNamespace); }),
            "file '" + paths_.writable_signers + "' line 2: expected a key after the principals");
}

TEST_F(Keystore, ReadsKeyArguments) {
  PublicKey k = alice_.public_key();
  EXPECT_EQ(read_public_key_arg(k.to_openssh()), k);
  std::string pub = dir_.path() + "/k.pub";
  write_text(pub, "# a comment first\n" + k.to_openssh() + "\n");
  PublicKey from_file = read_public_key_arg(pub);
  EXPECT_EQ(from_file, k);
  EXPECT_EQ(from_file.comment, "alice@laptop");
  std::string priv = dir_.path() + "/k";
  alice_.save(priv);
  EXPECT_EQ(error_of([&] { read_public_key_arg(priv); }),
            "file '" + priv + "' is a private key; give its public key (" + priv + ".pub) instead");
  EXPECT_EQ(error_of([&] { read_public_key_arg(dir_.path() + "/nope.pub"); }),
            "open '" + dir_.path() + "/nope.pub': No such file or directory");
  EXPECT_EQ(error_of([] { read_public_key_arg("ssh-rsa AAAAB3NzaC1yc2E"); }),
            "key argument: key type 'ssh-rsa' is not supported (bale uses ssh-ed25519 keys)");
}

}  // namespace
}  // namespace bale::trust
