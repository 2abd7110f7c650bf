// The allowed_signers parser and the per-entry trust test, following ssh-keygen(1) "ALLOWED
// SIGNERS" and OpenSSH's sshsig.c so a file means the same to bale and to `ssh-keygen -Y verify`.
#include "trust/allowed_signers.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

#include "base/error.h"

namespace bale::trust {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

void skip_space(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The key types OpenSSH writes in key lines; anything else after the principals is options.
bool looks_like_key_type(std::string_view w) {
  return w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-");
}

// "YYYYMMDD[HHMM[SS]][Z]" as OpenSSH's parse_absolute_time reads it: local time unless "Z".
std::optional<int64_t> parse_time(std::string_view s) {
  bool utc = s.size() > 1 && (s.back() == 'Z' || s.back() == 'z');
  if (utc) s.remove_suffix(1);
  if (s.size() != 8 && s.size() != 12 && s.size() != 14) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  auto num = [&](size_t pos, size_t len) {
    return pos >= s.size() ? 0 : std::stoi(std::string(s.substr(pos, len)));
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(8, 2);
  tm.tm_min = num(10, 2);
  tm.tm_sec = num(12, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(utc ? timegm(&tm) : mktime(&tm));
}

// Reads one line left to right; every defect names the file and line.
class LineParser {
 public:
  LineParser(std::string_view line, std::string source) : rest_(line), source_(std::move(source)) {}

  std::optional<SignerEntry> parse();

 private:
  [[noreturn]] void fail(std::string_view what) const {
    throw Error(fmt::format("{}: {}", source_, what));
  }
  std::string take_principals();
  void parse_options(SignerEntry& e);
  void parse_option(SignerEntry& e, std::string_view name);
  std::string take_quoted_value(std::string_view option);
  int64_t take_time(std::string_view option);

  std::string_view rest_;
  std::string source_;
};

std::optional<SignerEntry> LineParser::parse() {
  skip_space(rest_);
  if (rest_.empty() || rest_.front() == '#') return std::nullopt;
  SignerEntry e;
  e.source = source_;
  e.principals = take_principals();
  skip_space(rest_);
  if (rest_.empty()) fail("expected a key after the principals");
  if (!looks_like_key_type(rest_.substr(0, rest_.find_first_of(" \t")))) {
    parse_options(e);
    skip_space(rest_);
    if (rest_.empty()) fail("expected a key after the options");
  }
  std::string_view type = rest_.substr(0, rest_.find_first_of(" \t"));
  if (!looks_like_key_type(type))
    fail(fmt::format("expected a key type such as 'ssh-ed25519', found {}", quote(type)));
  // Other key types are valid OpenSSH lines that bale cannot use: skip them, as documented.
  if (type != "ssh-ed25519") return std::nullopt;
  e.key = PublicKey::parse(rest_, source_);
  return e;
}

// Principals are one word, or a double-quoted string that may hold spaces (OpenSSH strdelimw).
std::string LineParser::take_principals() {
  std::string_view value;
  if (rest_.front() == '"') {
    size_t close = rest_.find('"', 1);
    if (close == std::string_view::npos) fail("unterminated quote in the principals");
    value = rest_.substr(1, close - 1);
    rest_.remove_prefix(close + 1);
    if (!rest_.empty() && !is_space(rest_.front()))
      fail("expected a space after the quoted principals");
  } else {
    size_t end = std::min(rest_.find_first_of(" \t"), rest_.size());
    value = rest_.substr(0, end);
    rest_.remove_prefix(end);
  }
  if (value.empty()) fail("the principals are empty");
  return std::string(value);
}

// Comma-separated options up to the first space outside quotes, as OpenSSH's sshsigopt_parse.
void LineParser::parse_options(SignerEntry& e) {
  for (;;) {
    size_t end = std::min(rest_.find_first_of("=, \t"), rest_.size());
    std::string_view name = rest_.substr(0, end);
    rest_.remove_prefix(end);
    parse_option(e, name);
    if (rest_.empty() || is_space(rest_.front())) break;
    if (rest_.front() != ',')
      fail(fmt::format("expected ',' or a space after option {}", quote(name)));
    rest_.remove_prefix(1);
    if (rest_.empty() || is_space(rest_.front())) fail("expected another option after ','");
  }
  if (e.valid_after && e.valid_before && *e.valid_before <= *e.valid_after)
    fail("valid-before is not later than valid-after");
}

void LineParser::parse_option(SignerEntry& e, std::string_view name) {
  bool has_value = !rest_.empty() && rest_.front() == '=';
  auto once = [&](bool already) {
    if (already) fail(fmt::format("option {} is given twice", quote(name)));
  };
  if (iequals(name, "cert-authority") && !has_value) {
    once(e.cert_authority);
    e.cert_authority = true;
  } else if (iequals(name, "namespaces") && has_value) {
    once(e.namespaces.has_value());
    e.namespaces = take_quoted_value(name);
  } else if (iequals(name, "valid-after") && has_value) {
    once(e.valid_after.has_value());
    e.valid_after = take_time(name);
  } else if (iequals(name, "valid-before") && has_value) {
    once(e.valid_before.has_value());
    e.valid_before = take_time(name);
  } else {
    fail(fmt::format("unknown option {}", quote(name)));
  }
}

// `="value"` after an option name; inside, \" stands for a quote (OpenSSH opt_dequote).
std::string LineParser::take_quoted_value(std::string_view option) {
  rest_.remove_prefix(1);  // '='
  if (rest_.empty() || rest_.front() != '"')
    fail(fmt::format("option {} needs a quoted value, like {}=\"...\"", quote(option), option));
  std::string value;
  for (size_t i = 1; i < rest_.size(); ++i) {
    if (rest_[i] == '"') {
      rest_.remove_prefix(i + 1);
      return value;
    }
    if (rest_[i] == '\\' && i + 1 < rest_.size() && rest_[i + 1] == '"') ++i;
    value += rest_[i];
  }
  fail(fmt::format("unterminated quote in option {}", quote(option)));
}

int64_t LineParser::take_time(std::string_view option) {
  std::string value = take_quoted_value(option);
  std::optional<int64_t> t = parse_time(value);
  if (!t)
    fail(fmt::format("invalid time {} in option {} (expected YYYYMMDD[HHMM[SS]][Z])", quote(value),
                     quote(option)));
  return *t;
}

// OpenSSH match_pattern: '*' any run of characters, '?' any one character.
bool match_pattern(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++si;
      ++pi;
    } else if (star != std::string_view::npos) {
      pi = star + 1;  // let the last '*' swallow one more character
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

std::optional<SignerEntry> parse_allowed_signers_line(std::string_view line,
                                                      const std::string& path, size_t line_no) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return LineParser(line, fmt::format("file {} line {}", quote(path), line_no)).parse();
}

std::vector<SignerEntry> parse_allowed_signers(std::string_view text, const std::string& path) {
  std::vector<SignerEntry> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (auto e = parse_allowed_signers_line(line, path, ++line_no)) out.push_back(std::move(*e));
  }
  return out;
}

bool entry_allows(const SignerEntry& e, const PublicKey& key, std::string_view ns, int64_t now) {
  // A cert-authority line vouches for certificates signed by the key, never for the key itself.
  if (e.cert_authority || !(e.key == key)) return false;
  if (e.namespaces && !match_pattern_list(ns, *e.namespaces)) return false;
  if (e.valid_after && now < *e.valid_after) return false;
  if (e.valid_before && now > *e.valid_before) return false;
  return true;
}

// As OpenSSH's match_pattern_list: true when some pattern matches and no negated one does.
bool match_pattern_list(std::string_view text, std::string_view patterns) {
  bool positive = false;
  while (!patterns.empty()) {
    size_t comma = std::min(patterns.find(','), patterns.size());
    std::string_view sub = patterns.substr(0, comma);
    patterns.remove_prefix(std::min(comma + 1, patterns.size()));
    bool negated = sub.starts_with('!');
    if (negated) sub.remove_prefix(1);
    if (match_pattern(text, sub)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

}  // namespace bale::trust
