// A strict JSON reader for one array, decoding strings the way Go does: invalid UTF-8 and
// unpaired surrogates become U+FFFD; a number too large for a double makes the whole value
// unusable (Go reports a type error, and the Dockerfile parser then takes the shell form).
#include "dockerfile/json_array.h"

#include <cmath>
#include <cstdlib>

#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

// Go's encoding/json refuses values nested deeper than this.
constexpr size_t kMaxDepth = 10000;

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  JsonArray top_array(std::vector<std::string>* out);

 private:
  bool skip_value();
  bool member_key();
  bool scalar();
  bool string(std::string* out);
  bool escape(std::string* out);
  bool number();
  bool literal(std::string_view word);
  int hex4(size_t at) const;

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      pos_++;
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    pos_++;
    return true;
  }
  char peek() {
    skip_ws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool overflow_ = false;  // a number out of float64 range
};

JsonArray JsonReader::top_array(std::vector<std::string>* out) {
  std::vector<std::string> strings;
  bool all_strings = true;
  if (!eat('[')) return JsonArray::kNotJson;
  if (!eat(']')) {
    do {
      std::string str;
      bool is_string = peek() == '"';
      if (is_string ? !string(&str) : !skip_value()) return JsonArray::kNotJson;
      strings.push_back(std::move(str));
      all_strings = all_strings && is_string;
    } while (eat(','));
    if (!eat(']')) return JsonArray::kNotJson;
  }
  if (overflow_) return JsonArray::kNotJson;
  if (!all_strings) return JsonArray::kNotStrings;
  *out = std::move(strings);
  return JsonArray::kStrings;
}

// One element of the top array that is not a string, nested containers included. Iterative,
// so a deeply nested value cannot exhaust the stack.
bool JsonReader::skip_value() {
  std::vector<char> closers;  // what closes each container we are inside
  while (true) {
    char c = peek();  // a value starts here
    if (c == '[' || c == '{') {
      if (closers.size() + 2 > kMaxDepth) return false;  // the top array is the first level
      pos_++;
      closers.push_back(c == '[' ? ']' : '}');
      if (!eat(closers.back())) {
        if (closers.back() == '}' && !member_key()) return false;
        continue;  // to the first element or member value
      }
      closers.pop_back();  // an empty container is a complete value
    } else if (!scalar()) {
      return false;
    }
    // After a value: close what ends here, then a comma leads to the next value.
    while (!closers.empty() && eat(closers.back())) closers.pop_back();
    if (closers.empty()) return true;
    if (!eat(',')) return false;
    if (closers.back() == '}' && !member_key()) return false;
  }
}

bool JsonReader::member_key() {
  std::string key;
  return peek() == '"' && string(&key) && eat(':');
}

bool JsonReader::scalar() {
  std::string ignored;
  switch (peek()) {
    case '"':
      return string(&ignored);
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      return literal("null");
    default:
      return number();
  }
}

bool JsonReader::literal(std::string_view word) {
  if (s_.substr(pos_, word.size()) != word) return false;
  pos_ += word.size();
  return true;
}

bool JsonReader::number() {
  size_t start = pos_;
  auto digits = [&] {
    size_t from = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') pos_++;
    return pos_ > from;
  };
  if (pos_ < s_.size() && s_[pos_] == '-') pos_++;
  if (pos_ < s_.size() && s_[pos_] == '0') {
    pos_++;  // no leading zeros: "01" is not a number
  } else if (!digits()) {
    return false;
  }
  if (pos_ < s_.size() && s_[pos_] == '.' && (pos_++, !digits())) return false;
  if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
    pos_++;
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) pos_++;
    if (!digits()) return false;
  }
  std::string text(s_.substr(start, pos_ - start));
  if (std::isinf(std::strtod(text.c_str(), nullptr))) overflow_ = true;
  return true;
}

bool JsonReader::string(std::string* out) {
  pos_++;  // the opening quote
  while (pos_ < s_.size()) {
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c == '"') {
      pos_++;
      return true;
    }
    if (c < 0x20) return false;  // control characters must be escaped
    if (c == '\\') {
      if (!escape(out)) return false;
      continue;
    }
    size_t len = 0;
    append_utf8(*out, decode_rune(s_, pos_, &len));
    pos_ += len;
  }
  return false;  // unterminated
}

int JsonReader::hex4(size_t at) const {
  if (at + 6 > s_.size() || s_[at] != '\\' || s_[at + 1] != 'u') return -1;
  int v = 0;
  for (size_t i = at + 2; i < at + 6; i++) {
    char c = s_[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

bool JsonReader::escape(std::string* out) {
  if (pos_ + 1 >= s_.size()) return false;
  char c = s_[pos_ + 1];
  static constexpr std::string_view kFrom = "\"\\/bfnrt", kTo = "\"\\/\b\f\n\r\t";
  if (size_t i = kFrom.find(c); i != std::string_view::npos) {
    *out += kTo[i];
    pos_ += 2;
    return true;
  }
  int r = hex4(pos_);
  if (r < 0) return false;
  pos_ += 6;
  if (r >= 0xD800 && r < 0xE000) {
    // A surrogate pair is one code point; anything else in its place is U+FFFD, and the
    // second \u escape is then read on its own.
    int low = hex4(pos_);
    if (r < 0xDC00 && low >= 0xDC00 && low < 0xE000) {
      pos_ += 6;
      r = 0x10000 + ((r - 0xD800) << 10) + (low - 0xDC00);
    } else {
      r = kRuneError;
    }
  }
  append_utf8(*out, static_cast<char32_t>(r));
  return true;
}

}  // namespace

JsonArray parse_json_array(std::string_view text, std::vector<std::string>* out) {
  text = trim_left_space(text);
  if (text.empty() || text[0] != '[') return JsonArray::kNotJson;
  return JsonReader(text).top_array(out);
}

}  // namespace bale::dockerfile
