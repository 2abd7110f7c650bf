// Heredoc detection follows BuildKit: the instruction line is cut into shell words with quotes
// and backslashes kept; a word of the form [N]<<[-]NAME opens a heredoc. NAME loses its quotes,
// and a NAME that had any quoting is not expanded, as in the shell.
#include "dockerfile/heredoc.h"

#include <algorithm>
#include <optional>

#include "base/error.h"
#include "dockerfile/text.h"

namespace bale::dockerfile {

bool takes_heredocs(const Instruction& inst) {
  const Instruction& target = inst.onbuild ? *inst.onbuild : inst;
  if (target.json_form) return false;
  return target.keyword == "run" || target.keyword == "copy" || target.keyword == "add";
}

namespace {

// Reads a quoted span starting at s[*pos] (the opening quote) into `word`, raw. False if the
// quote is never closed.
bool take_quoted_raw(std::string_view s, size_t* pos, std::string* word) {
  char q = s[*pos];
  size_t i = *pos + 1;
  for (; i < s.size() && s[i] != q; i++)
    if (q == '"' && s[i] == '\\' && i + 1 < s.size()) i++;  // \" does not close "..."
  if (i >= s.size()) return false;
  word->append(s.substr(*pos, i + 1 - *pos));
  *pos = i + 1;
  return true;
}

// Shell words of a line, quotes and escapes kept. nullopt for an unterminated quote: then the
// reference lexer fails and no heredoc is found in the line at all.
std::optional<std::vector<std::string>> raw_shell_words(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t len = 0;
    if (is_space(decode_rune(s, pos, &len))) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      pos += len;
    } else if (s[pos] == '\'' || s[pos] == '"') {
      if (!take_quoted_raw(s, &pos, &word)) return std::nullopt;
    } else {
      size_t n = s[pos] == '\\' && pos + 1 < s.size() ? 2 : len;  // \x stays together
      word.append(s.substr(pos, n));
      pos += n;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// NAME with quotes and backslashes removed as the shell would; `*quotes` counts the quote
// characters that did the quoting.
std::string unquote_name(std::string_view s, int* quotes) {
  std::string out;
  char q = 0;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if ((c == '\'' || c == '"') && (q == 0 || q == c)) {
      q = q ? 0 : c;
      (*quotes)++;
    } else if (c == '\\' && q != '\'' && i + 1 < s.size() &&
               (q == 0 || s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$')) {
      out += s[++i];  // in "..." only \" \\ \$ are escapes; elsewhere any \x is x
    } else if (c != '\\' || i + 1 < s.size()) {
      out += c;
    }
  }
  return out;
}

// [N]<<[-]NAME as one word, or nullopt.
std::optional<Heredoc> opener(std::string_view word) {
  size_t pos = 0;
  while (pos < word.size() && word[pos] >= '0' && word[pos] <= '9') pos++;
  if (word.substr(pos, 2) != "<<") return std::nullopt;
  Heredoc h;
  for (size_t i = 0; i < pos && h.fd < 1000000; i++) h.fd = h.fd * 10 + (word[i] - '0');
  pos += 2;
  if (pos < word.size() && word[pos] == '-') {
    h.chomp = true;
    pos++;
  }
  std::string_view rest = word.substr(pos);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;
  int quotes = 0;
  h.name = unquote_name(rest, &quotes);
  if (h.name.empty()) return std::nullopt;
  h.expand = quotes == 0;
  return h;
}

}  // namespace

std::vector<Heredoc> find_heredocs(std::string_view line) {
  std::vector<Heredoc> found;
  if (line.find("<<") == std::string_view::npos) return found;
  auto words = raw_shell_words(line);
  if (!words) return found;
  for (const auto& w : *words)
    if (auto h = opener(w)) found.push_back(std::move(*h));
  return found;
}

void read_heredoc_bodies(LineReader& lines, std::vector<Heredoc>* heredocs) {
  for (Heredoc& h : *heredocs) {
    std::string_view line;
    bool terminated = false;
    while (!terminated && lines.next(&line)) {
      std::string_view end = trim_newline(line);
      if (h.chomp) end.remove_prefix(std::min(end.find_first_not_of('\t'), end.size()));
      terminated = end == h.name;
      if (!terminated) h.content.append(line);
    }
    if (!terminated) throw Error("unterminated heredoc " + quote(h.name));
    if (h.chomp) h.content = strip_leading_tabs(h.content);
  }
}

std::string strip_leading_tabs(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

}  // namespace bale::dockerfile
