// The app files' format: a strict subset of YAML that every YAML parser reads the same way, so
// the files stay YAML (editable, diffable, readable by yq) without a YAML library on the launch
// path. A document is a flat mapping of `key: scalar` lines and `key:` lines followed by `- item`
// lines (a list of scalars), with `#` comments and blank lines. Scalars are plain, 'single' or
// "double" quoted; anything else YAML has (nesting, flow collections but `[]`, anchors, tags,
// block scalars, several documents) is refused with the file and line, never guessed at.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bale::apps {

struct YamlValue {
  bool is_list = false;
  std::string scalar;              // when !is_list; "" also for `key:`, `~` and `null`
  std::vector<std::string> items;  // when is_list
};

// The keys in the order they appear; a key given twice is an error.
using YamlMap = std::vector<std::pair<std::string, YamlValue>>;

// Parses `text`; errors (bale::Error) name `where` and the line.
YamlMap parse_yaml_subset(std::string_view text, const std::string& where);

// A scalar written so that any YAML parser reads back exactly `s`: always double-quoted, with
// `\"`, `\\` and control characters escaped.
std::string yaml_quote(std::string_view s);

}  // namespace bale::apps
