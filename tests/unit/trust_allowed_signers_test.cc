// allowed_signers parsing and matching; ssh-keygen -Y verify is the oracle for what a line means.
#include <gtest/gtest.h>

#include "trust_test_support.h"

#include <ctime>

#include "base/error.h"
#include "base/fs.h"
#include "trust/allowed_signers.h"
#include "trust/sshsig.h"


namespace bale::trust {
namespace {

using namespace testing;

const std::string kPath = "/x/allowed_signers";

std::string key_text(const PrivateKey& k) {
  PublicKey p = k.public_key();
  p.comment.clear();
  return p.to_openssh();
}

class AllowedSigners : public ::testing::Test {
 protected:
  PrivateKey key_ = PrivateKey::generate("");
  std::string k_ = key_text(key_);

  // The message of parsing `bad` as the third line of a file.
  std::string error_on_line3(const std::string& bad) {
    std::string text = "# comment\nalice " + k_ + "\n" + bad + "\n";
    return error_of([&] { parse_allowed_signers(text, kPath); });
  }
  SignerEntry one(const std::string& line) {
    auto v = parse_allowed_signers(line, kPath);
    EXPECT_EQ(v.size(), 1u) << line;
    return v.empty() ? SignerEntry{} : v[0];
  }
};

TEST_F(AllowedSigners, ParsesEntriesSkippingCommentsAndOtherKeyTypes) {
  std::string text = "# who may sign\n\n   \nalice@example.org " + k_ +
                     " a comment\n"
                     "bob ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ\n"
                     "\t carol,dave namespaces=\"bale-image,git\" " +
                     k_ + "\r\n";
  auto v = parse_allowed_signers(text, kPath);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].principals, "alice@example.org");
  EXPECT_EQ(v[0].key, key_.public_key());
  EXPECT_FALSE(v[0].namespaces);
  EXPECT_EQ(v[0].source, "file '/x/allowed_signers' line 4");
  EXPECT_EQ(v[1].principals, "carol,dave");
  EXPECT_EQ(v[1].namespaces, "bale-image,git");
  EXPECT_EQ(v[1].source, "file '/x/allowed_signers' line 6");
}

TEST_F(AllowedSigners, ParsesQuotedValuesAndOptions) {
  SignerEntry e = one("\"Alice Smith\" namespaces=\"a, b*\",cert-authority " + k_);
  EXPECT_EQ(e.principals, "Alice Smith");
  EXPECT_EQ(e.namespaces, "a, b*");
  EXPECT_TRUE(e.cert_authority);
  EXPECT_EQ(one("a NAMESPACES=\"say \\\"hi\\\"\" " + k_).namespaces, "say \"hi\"");
}

TEST_F(AllowedSigners, ParsesTimes) {
  SignerEntry e = one("a valid-after=\"20240101Z\",valid-before=\"20240102153045Z\" " + k_);
  EXPECT_EQ(e.valid_after, 1704067200);
  EXPECT_EQ(e.valid_before, 1704067200 + 86400 + 15 * 3600 + 30 * 60 + 45);
  EXPECT_EQ(one("a valid-after=\"202401011201Z\" " + k_).valid_after, 1704067200 + 12 * 3600 + 60);
  // Without Z the time is local, as OpenSSH reads it.
  std::tm tm{};
  tm.tm_year = 124;
  tm.tm_mon = 0;
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  EXPECT_EQ(one("a valid-after=\"20240101\" " + k_).valid_after, int64_t(std::mktime(&tm)));
}

TEST_F(AllowedSigners, MalformedLinesNameFileAndLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"alice", "expected a key after the principals"},
      {"alice   ", "expected a key after the principals"},
      {"alice namespaces=\"x\"", "expected a key after the options"},
      {"alice namespaces=\"x\" AAAA", "expected a key type such as 'ssh-ed25519', found 'AAAA'"},
      {"alice foo=\"x\" " + k_, "unknown option 'foo'"},
      {"alice cert-authority=\"x\" " + k_, "unknown option 'cert-authority'"},
      {"alice namespaces=x " + k_,
       "option 'namespaces' needs a quoted value, like "
       "namespaces=\"...\""},
      {"alice namespaces=\"x " + k_, "unterminated quote in option 'namespaces'"},
      {"\"alice " + k_, "unterminated quote in the principals"},
      {"\"alice\"x " + k_, "expected a space after the quoted principals"},
      {"\"\" " + k_, "the principals are empty"},
      {"alice namespaces=\"x\";y " + k_, "expected ',' or a space after option 'namespaces'"},
      {"alice namespaces=\"x\", " + k_, "expected another option after ','"},
      {"alice namespaces=\"a\",namespaces=\"b\" " + k_, "option 'namespaces' is given twice"},
      {"alice valid-after=\"2024\" " + k_,
       "invalid time '2024' in option 'valid-after' (expected YYYYMMDD[HHMM[SS]][Z])"},
      {"alice valid-before=\"20241301\" " + k_,
       "invalid time '20241301' in option 'valid-before' (expected YYYYMMDD[HHMM[SS]][Z])"},
      {"alice valid-after=\"20250101\",valid-before=\"20240101\" " + k_,
       "valid-before is not later than valid-after"},
      {"alice ssh-ed25519", "expected base64 key data after 'ssh-ed25519'"},
      {"alice ssh-ed25519 AAAA!AAA", "the key data is not valid base64"},
      {"alice ssh-ed25519 AAAA", "malformed key: truncated data"},
  };
  for (const auto& [line, what] : cases)
    EXPECT_EQ(error_on_line3(line), "file '/x/allowed_signers' line 3: " + what) << line;
}

TEST_F(AllowedSigners, EntryAllowsHonoursOptions) {
  int64_t now = 1704067200;  // 2024-01-01
  PublicKey other = PrivateKey::generate("").public_key();
  EXPECT_TRUE(entry_allows(one("a " + k_), key_.public_key(), "bale-image", now));
  EXPECT_FALSE(entry_allows(one("a " + k_), other, "bale-image", now));
  EXPECT_FALSE(entry_allows(one("a cert-authority " + k_), key_.public_key(), "bale-image", now));
  SignerEntry ns = one("a namespaces=\"git,bale-*,!bale-secret\" " + k_);
  EXPECT_TRUE(entry_allows(ns, key_.public_key(), "bale-image", now));
  EXPECT_TRUE(entry_allows(ns, key_.public_key(), "git", now));
  EXPECT_FALSE(entry_allows(ns, key_.public_key(), "bale-secret", now));
  EXPECT_FALSE(entry_allows(ns, key_.public_key(), "file", now));
  SignerEntry window = one("a valid-after=\"20231231Z\",valid-before=\"20240102Z\" " + k_);
  EXPECT_TRUE(entry_allows(window, key_.public_key(), "x", now));
  EXPECT_TRUE(entry_allows(window, key_.public_key(), "x", *window.valid_before));
  EXPECT_FALSE(entry_allows(window, key_.public_key(), "x", *window.valid_before + 1));
  EXPECT_FALSE(entry_allows(window, key_.public_key(), "x", *window.valid_after - 1));
}

TEST(AllowedSignersPatterns, MatchPatternList) {
  struct Case {
    const char* text;
    const char* patterns;
    bool match;
  };
  const Case cases[] = {
      {"bale-image", "bale-image", true},
      {"bale-image", "bale-*", true},
      {"bale-image", "*", true},
      {"bale-image", "bale-imag?", true},
      {"bale-image", "bale-imag", false},
      {"bale-image", "bale-image?", false},
      {"bale-image", "git,file", false},
      {"bale-image", "git,*-image", true},
      {"bale-image", "*,!bale-image", false},
      {"bale-image", "!git", false},
      {"bale-image", "!git,*", true},
      {"bale-image", "", false},
      {"bale-image", "*a*a*e", true},
      {"bale-image", "*a*a*x", false},
      {"", "", false},
      {"", "*", true},
      {"a,b", "a,b", false},
      {"Bale", "bale", false},
      {"bale-image", ",bale-image,", true},
      {"x", "?,!y", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(match_pattern_list(c.text, c.patterns), c.match)
        << "'" << c.text << "' vs '" << c.patterns << "'";
}

// ssh-keygen -Y verify decides each line as bale does. Its clock is now, so the times used are
// far in the past or future.
TEST_F(AllowedSigners, AgreesWithSshKeygenVerify) {
  if (!have_ssh_keygen()) GTEST_SKIP() << "ssh-keygen is not installed";
  TempDir dir;
  std::string msg = dir.path() + "/msg", sig = dir.path() + "/sig";
  write_text(msg, "payload");
  write_text(sig, sshsig_sign(key_, "bale-image", sha512_of("payload")));
  const std::pair<std::string, std::string> lines[] = {
      {"alice", "alice " + k_},
      {"alice", "alice namespaces=\"bale-image\" " + k_},
      {"alice", "alice namespaces=\"other\" " + k_},
      {"alice", "alice namespaces=\"bale-*\" " + k_},
      {"alice", "alice namespaces=\"*,!bale-image\" " + k_},
      {"alice", "alice namespaces=\"git,bale-im?ge\" " + k_},
      {"alice", "alice valid-before=\"20000101Z\" " + k_},
      {"alice", "alice valid-after=\"29990101Z\" " + k_},
      {"alice", "alice valid-after=\"20000101\",valid-before=\"29990101\" " + k_},
      {"alice", "alice cert-authority " + k_},
      {"alice smith", "\"alice smith\" namespaces=\"bale-image\" " + k_},
      {"alice", "alice NAMESPACES=\"bale-image\" " + k_},
  };
  for (const auto& [principal, line] : lines) {
    write_text(dir.path() + "/allowed", line + "\n");
    bool theirs = run("ssh-keygen -Y verify -f " + sh_quote(dir.path() + "/allowed") + " -I " +
                      sh_quote(principal) + " -n bale-image -s " + sh_quote(sig) + " < " +
                      sh_quote(msg)) == 0;
    bool ours = entry_allows(one(line), key_.public_key(), "bale-image", std::time(nullptr));
    EXPECT_EQ(ours, theirs) << line;
  }
}

TEST(AllowedSignersLine, SingleLineParse) {
  PrivateKey k = PrivateKey::generate("");
  EXPECT_FALSE(parse_allowed_signers_line("  # comment", kPath, 7));
  EXPECT_FALSE(parse_allowed_signers_line("", kPath, 7));
  auto e = parse_allowed_signers_line("bob " + key_text(k), kPath, 7);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->source, "file '/x/allowed_signers' line 7");
}

}  // namespace
}  // namespace bale::trust
