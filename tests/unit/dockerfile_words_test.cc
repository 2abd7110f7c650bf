// The pieces under the parser: JSON arrays with Go's quirks, word splitting, flags, quoting.
#include <gtest/gtest.h>

#include "dockerfile/dump.h"
#include "dockerfile/json_array.h"
#include "dockerfile/lines.h"
#include "dockerfile/words.h"

namespace bale::dockerfile {
namespace {

using Strings = std::vector<std::string>;

JsonArray json(std::string_view text, Strings* out) { return parse_json_array(text, out); }

TEST(BuildJson, StringsAndEscapes) {
  Strings out;
  ASSERT_EQ(json(" [\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\ud83d\\ude00\"]", &out),
            JsonArray::kStrings);
  EXPECT_EQ(out, (Strings{"a\"\\/\b\f\n\r\t", "é😀"}));
  ASSERT_EQ(json("[\"\\udc00\", \"\xff\"]", &out), JsonArray::kStrings);
  EXPECT_EQ(out, (Strings{"\xEF\xBF\xBD", "\xEF\xBF\xBD"}));  // U+FFFD, as Go decodes them
}

TEST(BuildJson, FallbackAndErrors) {
  Strings out;
  EXPECT_EQ(json("['a']", &out), JsonArray::kNotJson);
  EXPECT_EQ(json("[\"a\",]", &out), JsonArray::kNotJson);
  EXPECT_EQ(json("[\"a\"", &out), JsonArray::kNotJson);
  EXPECT_EQ(json("[\"a\tb\"]", &out), JsonArray::kNotJson);  // raw control character
  EXPECT_EQ(json("\"[a]\"", &out), JsonArray::kNotJson);
  EXPECT_EQ(json("[1e400]", &out), JsonArray::kNotJson);  // Go: a type error, not "not strings"
  EXPECT_EQ(json("[\"a\", 1]", &out), JsonArray::kNotStrings);
  EXPECT_EQ(json("[\"a\", {\"k\": [null, true]}]", &out), JsonArray::kNotStrings);
  EXPECT_EQ(json(std::string(20000, '['), &out), JsonArray::kNotJson);
  // Like Go's json.Decoder, the text after the array is not looked at.
  ASSERT_EQ(json("[\"a\"] trailing", &out), JsonArray::kStrings);
  EXPECT_EQ(out, Strings{"a"});
}

TEST(BuildWords, QuotedWordsKeepQuotesAndEscapes) {
  EXPECT_EQ(split_quoted_words("a=\"b c\" d=e\\ f g='h\\'i", '\\'),
            (Strings{"a=\"b c\"", "d=e\\ f", "g='h\\'i"}));
  EXPECT_EQ(split_quoted_words("a=b` c d", '`'), (Strings{"a=b` c", "d"}));
  EXPECT_EQ(split_quoted_words("  \"\"  x\\", '\\'), (Strings{"\"\"", "x"}));
}

TEST(BuildWords, Flags) {
  auto f = extract_flags("--a=1 --b=\"x y\"  rest of -- it");
  EXPECT_EQ(f.flags, (Strings{"--a=1", "--b=x y"}));
  EXPECT_EQ(f.rest, "rest of -- it");
  f = extract_flags("--a -- --b");
  EXPECT_EQ(f.flags, Strings{"--a"});
  EXPECT_EQ(f.rest, " --b");
  f = extract_flags("-x --y");
  EXPECT_TRUE(f.flags.empty());
  EXPECT_EQ(f.rest, "-x --y");
}

TEST(BuildLines, Continuation) {
  std::string_view l = "echo a \\  \t";
  EXPECT_TRUE(trim_continuation(&l, '\\'));
  EXPECT_EQ(l, "echo a ");
  l = "\\";
  EXPECT_TRUE(trim_continuation(&l, '\\'));
  EXPECT_EQ(l, "");
  l = "a\\\\";
  EXPECT_FALSE(trim_continuation(&l, '\\'));
  l = "a\\";
  EXPECT_FALSE(trim_continuation(&l, '`'));
  EXPECT_TRUE(is_comment("  \t# x"));
  EXPECT_FALSE(is_comment("RUN # x"));
}

TEST(BuildDump, GoQuote) {
  EXPECT_EQ(go_quote("a\"b\\c\td\n\x01\x7f"), "\"a\\\"b\\\\c\\td\\n\\x01\\x7f\"");
  EXPECT_EQ(go_quote("é☃\xC2\xA0\xE2\x80\x8B"), "\"é☃\\u00a0\\u200b\"");
  EXPECT_EQ(go_quote(std::string("\0\xff", 2)), "\"\\x00\\xff\"");
}

}  // namespace
}  // namespace bale::dockerfile
