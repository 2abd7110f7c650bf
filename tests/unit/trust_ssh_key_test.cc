// ed25519 keys against ssh-keygen: bale's files must be ones ssh-keygen reads, and the other way.
#include <gtest/gtest.h>

#include "trust_test_support.h"
#include <sys/stat.h>

#include <array>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "base/fs.h"
#include "trust/ssh_key.h"


namespace bale::trust {
namespace {

using namespace testing;

#define REQUIRE_SSH_KEYGEN() \
  if (!have_ssh_keygen()) GTEST_SKIP() << "ssh-keygen is not installed"

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The armored lines of a private key file, and its decoded body.
struct KeyFileParts {
  std::vector<std::string> lines;
  std::string blob;
};

KeyFileParts split_key_file(const std::string& text) {
  KeyFileParts p;
  std::istringstream in(text);
  std::string b64;
  for (std::string line; std::getline(in, line);) {
    p.lines.push_back(line);
    if (!line.starts_with("-----")) b64 += line;
  }
  EXPECT_TRUE(base64_decode(b64, p.blob));
  return p;
}

// The two check words sit after the header (magic, "none", "none", "", count, public key blob,
// private section length): the only bytes that differ between two writes of one key.
constexpr size_t kCheckOffset = 15 + 8 + 8 + 4 + 4 + 55 + 4;

TEST(SshKeyBase64, MatchesRfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    std::string out;
    EXPECT_TRUE(base64_decode(encoded, out)) << encoded;
    EXPECT_EQ(out, plain);
  }
}

TEST(SshKeyBase64, RejectsBadInput) {
  std::string out;
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zm 9", "Zg=a"})
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
}

TEST(SshKey, GeneratedKeyIsReadBySshKeygen) {
  REQUIRE_SSH_KEYGEN();
  TempDir dir;
  PrivateKey key = PrivateKey::generate("bale test key");
  std::string path = dir.path() + "/id_ed25519";
  key.save(path);

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(trim(capture("ssh-keygen -y -f " + sh_quote(path))), key.public_key().to_openssh());
  std::string listed = capture("ssh-keygen -l -f " + sh_quote(path));
  EXPECT_EQ(listed, "256 " + key.public_key().fingerprint() + " bale test key (ED25519)\n");
}

TEST(SshKey, LoadsKeyWrittenBySshKeygen) {
  REQUIRE_SSH_KEYGEN();
  TempDir dir;
  std::string path = ssh_keygen_key(dir.path(), "k", "alice@example.org");
  PrivateKey key = PrivateKey::load(path);
  EXPECT_EQ(key.public_key().to_openssh(), trim(read_file(path + ".pub")));
  EXPECT_EQ(key.public_key().comment, "alice@example.org");
  EXPECT_EQ(PublicKey::parse(read_file(path + ".pub"), "x"), key.public_key());
}

// Byte for byte the file ssh-keygen wrote, but for the random check words; comment lengths
// cover short and long bodies, including one whose base64 fills its last line exactly.
TEST(SshKey, WritesTheFileSshKeygenWrites) {
  REQUIRE_SSH_KEYGEN();
  TempDir dir;
  for (const std::string& comment :
       std::vector<std::string>{"", "a", "me@host", std::string(80, 'c'), std::string(200, 'x')}) {
    std::string path = ssh_keygen_key(dir.path(), "k" + std::to_string(comment.size()), comment);
    std::string theirs = read_file(path);
    std::string ours = PrivateKey::load(path).to_openssh_file();
    KeyFileParts a = split_key_file(theirs), b = split_key_file(ours);
    ASSERT_EQ(a.lines.size(), b.lines.size()) << comment;
    for (size_t i = 0; i < a.lines.size(); ++i) EXPECT_EQ(a.lines[i].size(), b.lines[i].size());
    ASSERT_EQ(a.blob.size(), b.blob.size());
    EXPECT_EQ(b.blob.substr(kCheckOffset, 4), b.blob.substr(kCheckOffset + 4, 4));
    a.blob.replace(kCheckOffset, 8, 8, '\0');
    b.blob.replace(kCheckOffset, 8, 8, '\0');
    EXPECT_EQ(a.blob, b.blob) << "comment of " << comment.size() << " bytes";
    EXPECT_TRUE(ours.ends_with("\n-----END OPENSSH PRIVATE KEY-----\n"));
  }
}

TEST(SshKey, SaveAndLoadRoundTrip) {
  TempDir dir;
  PrivateKey key = PrivateKey::generate("round trip");
  key.save(dir.path() + "/k");
  PrivateKey back = PrivateKey::load(dir.path() + "/k");
  EXPECT_EQ(back.public_key(), key.public_key());
  EXPECT_EQ(back.public_key().comment, "round trip");
  EXPECT_EQ(back.sign("data"), key.sign("data"));
}

TEST(SshKey, RejectsPassphraseProtectedKey) {
  REQUIRE_SSH_KEYGEN();
  TempDir dir;
  std::string path = dir.path() + "/enc";
  ASSERT_EQ(run("ssh-keygen -q -t ed25519 -N secret -f " + sh_quote(path)), 0);
  std::string msg = error_of([&] { PrivateKey::load(path); });
  EXPECT_EQ(msg,
            "private key '" + path +
                "' is passphrase-protected (cipher 'aes256-ctr'), which bale does not support");
}

TEST(SshKey, RejectsOtherKeyTypes) {
  REQUIRE_SSH_KEYGEN();
  TempDir dir;
  std::string path = ssh_keygen_key(dir.path(), "ec", "", "ecdsa");
  EXPECT_EQ(error_of([&] { PrivateKey::load(path); }),
            "private key '" + path +
                "': key type 'ecdsa-sha2-nistp256' is not supported (bale uses ssh-ed25519 keys)");
  EXPECT_EQ(error_of([&] { PublicKey::parse(read_file(path + ".pub"), "file 'ec.pub'"); }),
            "file 'ec.pub': key type 'ecdsa-sha2-nistp256' is not supported (bale uses "
            "ssh-ed25519 keys)");
}

TEST(SshKey, LoadErrorsNameThePath) {
  TempDir dir;
  std::string missing = dir.path() + "/missing";
  EXPECT_EQ(error_of([&] { PrivateKey::load(missing); }),
            "open '" + missing + "': No such file or directory");
  std::string junk = dir.path() + "/junk";
  write_text(junk, "hello\n");
  EXPECT_EQ(error_of([&] { PrivateKey::load(junk); }),
            "private key '" + junk +
                "': not an OpenSSH private key file (expected a '-----BEGIN OPENSSH PRIVATE "
                "KEY-----' line)");
  // A valid key cut short after two of its 70-column lines (140 characters: whole base64).
  std::string text = PrivateKey::generate("x").to_openssh_file();
  size_t cut = text.find('\n', text.find('\n', text.find('\n') + 1) + 1) + 1;
  write_text(junk, text.substr(0, cut) + "-----END OPENSSH PRIVATE KEY-----\n");
  EXPECT_EQ(error_of([&] { PrivateKey::load(junk); }),
            "private key '" + junk + "': malformed: truncated data");
}

TEST(SshKey, ParseRejectsMalformedPublicKeys) {
  PublicKey k = PrivateKey::generate("").public_key();
  std::string b64 = k.to_openssh().substr(12);
  EXPECT_EQ(error_of([] { PublicKey::parse("ssh-ed25519", "here"); }),
            "here: expected base64 key data after 'ssh-ed25519'");
  EXPECT_EQ(error_of([] { PublicKey::parse("ssh-ed25519 AAA!", "here"); }),
            "here: the key data is not valid base64");
  EXPECT_EQ(error_of([] { PublicKey::parse("   ", "here"); }),
            "here: expected a key, found nothing");
  EXPECT_EQ(error_of([&] { PublicKey::parse("ssh-ed25519 " + b64.substr(0, 20), "here"); }),
            "here: malformed key: truncated data");
  // The blob names its own type; it must agree with the text.
  std::string blob = std::string("\0\0\0\7ssh-rsa", 11);
  EXPECT_EQ(error_of([&] { PublicKey::parse("ssh-ed25519 " + base64_encode(blob), "here"); }),
            "here: key type 'ssh-rsa' is not supported (bale uses ssh-ed25519 keys)");
}

TEST(SshKey, ParseKeepsCommentAndIgnoresSpaces) {
  PublicKey k = PrivateKey::generate("").public_key();
  PublicKey p = PublicKey::parse("  " + k.to_openssh() + "  a b c \n", "");
  EXPECT_EQ(p, k);
  EXPECT_EQ(p.comment, "a b c");
  EXPECT_EQ(PublicKey::from_blob(k.blob(), "").raw, k.raw);
}

TEST(SshKey, SignAndVerify) {
  PrivateKey key = PrivateKey::generate("");
  std::string sig = key.sign("message");
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(ed25519_verify(key.public_key(), "message", sig));
  EXPECT_FALSE(ed25519_verify(key.public_key(), "messagE", sig));
  std::string flipped = sig;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(ed25519_verify(key.public_key(), "message", flipped));
  EXPECT_FALSE(ed25519_verify(key.public_key(), "message", sig.substr(0, 63)));
  EXPECT_FALSE(ed25519_verify(PrivateKey::generate("").public_key(), "message", sig));
}

}  // namespace
}  // namespace bale::trust
