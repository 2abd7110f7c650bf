// `bale trust add/remove`: edits of the writable allowed_signers file. Each edit rewrites the
// whole file atomically and leaves every line it does not add or remove exactly as it was.
#include <fmt/format.h>

#include <functional>

#include "base/error.h"
#include "base/fs.h"
#include "trust/keystore.h"
#include "trust/keystore_files.h"

namespace bale::trust {
namespace {

// The name becomes the principals field, which has no escapes: a double quote or a line break
// could not be written back so that it reads the same.
void check_name(const std::string& name) {
  if (name.empty()) throw Error("the signer's name is empty");
  for (unsigned char c : name)
    if (c == '"' || c < 0x20 || c == 0x7f)
      throw Error(fmt::format("signer name {} cannot contain double quotes or control characters",
                              quote(name)));
}

// Quoted when it holds spaces (a principal is one word otherwise) or would start a comment.
std::string principals_field(const std::string& name) {
  bool needs_quotes = name.find_first_of(" \t") != std::string::npos || name.starts_with('#');
  return needs_quotes ? fmt::format("\"{}\"", name) : name;
}

std::string signer_line(const PublicKey& key, const std::string& name) {
  PublicKey bare = key;
  bare.comment.clear();  // the name already says whose key it is
  return fmt::format("{} namespaces=\"{}\" {}\n", principals_field(name), kImageNamespace,
                     bare.to_openssh());
}

std::function<bool(const PublicKey&)> key_matcher(std::string_view key_or_fp) {
  std::string_view t =
      key_or_fp.substr(std::min(key_or_fp.find_first_not_of(" \t"), key_or_fp.size()));
  if (t.starts_with("SHA256:")) {
    std::string fp(t.substr(0, t.find_last_not_of(" \t\r\n") + 1));
    return [fp](const PublicKey& k) { return k.fingerprint() == fp; };
  }
  PublicKey wanted = read_public_key_arg(key_or_fp);
  return [wanted](const PublicKey& k) { return k == wanted; };
}

}  // namespace

SignerEntry trust_add(const TrustPaths& paths, const PublicKey& key, std::string name) {
  if (name.empty()) name = key.comment.empty() ? key.fingerprint() : key.comment;
  check_name(name);
  const std::string& file = paths.writable_signers;
  std::string text = read_if_exists(file).value_or("");
  for (const SignerEntry& e : parse_allowed_signers(text, file))
    if (e.key == key)
      throw Error(fmt::format("key {} is already trusted: {} lists it as {}", key.fingerprint(),
                              e.source, quote(e.principals)));
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += signer_line(key, name);
  mkdir_p(dirname_of(file), 0755);
  write_file_atomic(file, text, mode_or(file, 0644));
  // Read back what was written, so the caller sees the entry exactly as verification will.
  return parse_allowed_signers(text, file).back();
}

std::vector<SignerEntry> trust_remove(const TrustPaths& paths, std::string_view key_or_fp) {
  auto matches = key_matcher(key_or_fp);
  const std::string& file = paths.writable_signers;
  std::string text = read_if_exists(file).value_or("");
  std::string kept;
  std::vector<SignerEntry> removed;
  size_t line_no = 0;
  for (std::string_view rest = text; !rest.empty();) {
    size_t len = std::min(rest.find('\n'), rest.size() - 1) + 1;  // the line and its newline
    std::string_view line = rest.substr(0, len);
    rest.remove_prefix(len);
    std::string_view body = line.ends_with('\n') ? line.substr(0, len - 1) : line;
    std::optional<SignerEntry> e = parse_allowed_signers_line(body, file, ++line_no);
    if (e && matches(e->key))
      removed.push_back(std::move(*e));
    else
      kept += line;
  }
  if (removed.empty())
    throw Error(fmt::format("no key matching {} in {}", quote(key_or_fp), quote(file)));
  write_file_atomic(file, kept, mode_or(file, 0644));
  return removed;
}

}  // namespace bale::trust
