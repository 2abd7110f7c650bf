// Splitting instruction text into words without interpreting it: quotes and escapes stay in
// the words as written (the executor expands them later), only the word boundaries are found.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bale::dockerfile {

// Words separated by whitespace outside quotes. An escape character keeps the next character
// in the word (even a blank or a quote); inside '...' the escape has no power. Quotes and
// escapes are kept. Used for ENV, LABEL and ARG.
std::vector<std::string> split_quoted_words(std::string_view text, char escape);

struct FlagSplit {
  std::vector<std::string> flags;  // each `--name=value` word, quotes and \ removed
  std::string_view rest;           // the text after the flags (and after a lone "--")
};

// The `--name[=value]` words at the start of an instruction's arguments. A word "--" ends
// them and is dropped; so does the first word not starting with "--".
FlagSplit extract_flags(std::string_view args);

}  // namespace bale::dockerfile
