// The globs of ${v#p} ${v%p} ${v/p/r} (see expand_glob.h): all threads of the glob run at once
// over the runes, so a long value or pattern costs their product, never more.
#include "dockerfile/expand_glob.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

constexpr size_t kNone = SIZE_MAX;

bool token_matches(const GlobToken& t, char32_t c) {
  if (t.kind == GlobToken::kLit) return t.rune == c;
  return c != '\n';
}

// Puts a thread that began at `start` into `state`, and into the states a run of stars lets
// it reach without reading. Each state keeps its earliest start: the leftmost match wins.
void add_state(const Glob& g, std::vector<size_t>& states, size_t state, size_t start) {
  for (; states[state] > start; state++) {
    states[state] = start;
    if (state == g.size() || g[state].kind != GlobToken::kStar) break;
  }
}

struct Span {
  size_t begin, end;  // rune indices
};

// The leftmost match of `g` in `runes` at or after `from` (only at `from` when anchored) and,
// among the matches starting there, the longest or shortest: what Go's leftmost-first regexp
// gives when all stars are greedy or all lazy. Runs all threads at once: O(text * glob).
std::optional<Span> find(const Glob& g, const std::vector<char32_t>& runes, size_t from,
                         bool anchored, bool longest) {
  std::vector<size_t> cur(g.size() + 1, kNone), next(g.size() + 1);
  std::optional<Span> best;
  for (size_t pos = from;; pos++) {
    if (!best && (!anchored || pos == from)) add_state(g, cur, 0, pos);
    size_t start = cur[g.size()];
    if (start != kNone && (!best || start < best->begin || (start == best->begin && longest))) {
      best = Span{start, pos};
    }
    if (pos == runes.size() || (best && !longest)) break;
    std::fill(next.begin(), next.end(), kNone);
    for (size_t i = 0; i < g.size(); i++) {
      if (cur[i] == kNone || !token_matches(g[i], runes[pos])) continue;
      add_state(g, next, g[i].kind == GlobToken::kStar ? i : i + 1, cur[i]);
    }
    cur.swap(next);
    bool alive = std::any_of(cur.begin(), cur.end(),
                             [&](size_t s) { return s != kNone && (!best || s <= best->begin); });
    if (!alive && (best || anchored)) break;
  }
  return best;
}

// Go's Regexp.Expand, which ReplaceAllString (BuildKit's ${v//p/r}) applies to r: "$$" is
// "$", $name and ${name} a capture group. A glob's regexp has only group 0, the whole match.
std::string go_template(std::string_view t, std::string_view match) {
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    size_t dollar = t.find('$', i);
    out.append(t.substr(i, dollar - i));
    if (dollar == std::string_view::npos) break;
    i = dollar + 1;
    if (i < t.size() && t[i] == '$') {
      out += '$';
      i++;
      continue;
    }
    bool brace = i < t.size() && t[i] == '{';
    size_t begin = i + brace, end = begin, len = 0;
    while (end < t.size() && is_name_rune(decode_rune(t, end, &len))) end += len;
    if (end == begin || (brace && (end == t.size() || t[end] != '}'))) {
      out += '$';  // not a reference: Go keeps the '$'
      continue;
    }
    if (t.substr(begin, end - begin) == "0") out.append(match);
    i = end + brace;
  }
  return out;
}

}  // namespace

std::string trim_glob(std::string_view value, const Glob& g, bool suffix, bool longest) {
  Decoded d = decode(value);
  if (!suffix) {
    auto m = find(g, d.runes, 0, true, longest);
    return std::string(m ? value.substr(d.offsets[m->end]) : value);
  }
  // The shortest rightmost match is the shortest leftmost one in the reversed text.
  std::vector<char32_t> runes(d.runes.rbegin(), d.runes.rend());
  Glob reversed(g.rbegin(), g.rend());
  auto m = find(reversed, runes, 0, true, longest);
  return std::string(m ? value.substr(0, d.offsets[runes.size() - m->end]) : value);
}

// Go's replaceAll steps: an empty match right after a match is skipped, and the search always
// advances.
std::string replace_glob(std::string_view value, const Glob& g, std::string_view repl, bool all) {
  Decoded d = decode(value);
  auto bytes = [&](size_t from, size_t to) {
    return value.substr(d.offsets[from], d.offsets[to] - d.offsets[from]);
  };
  std::string out;
  size_t last = 0;  // end of the previous match
  for (size_t pos = 0; pos <= d.runes.size();) {
    auto m = find(g, d.runes, pos, false, true);
    if (!m) break;
    out.append(bytes(last, m->begin));
    if (!all) {
      out.append(repl);
    } else if (m->end > last || m->begin == 0) {
      out.append(go_template(repl, bytes(m->begin, m->end)));
    }
    last = m->end;
    if (!all) break;
    pos = std::max(pos + 1, m->end);
  }
  out.append(value.substr(d.offsets[last]));
  return out;
}

}  // namespace bale::dockerfile
