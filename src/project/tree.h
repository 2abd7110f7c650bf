// bale.yaml as a tree of mappings, sequences and scalars, each node knowing the file, line and
// column it came from, so every later error can name where the user has to look. Anchors and
// aliases are resolved by yaml-cpp; merge keys (`<<: *base`), which yaml-cpp 0.7 leaves to the
// application, are resolved here.
#pragma once

#include <string>
#include <vector>

namespace bale::project {

struct Where {
  std::string file;  // as shown in messages: "bale.yaml"
  int line = 0, column = 0;  // 1-based
  std::string str() const;   // "bale.yaml:12"
};

struct Entry;

struct Node {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;
  Where where;
  std::string scalar;  // kScalar
  bool quoted = false;  // a quoted scalar is always a string, never a bool or number
  std::vector<Node> items;  // kSequence
  std::vector<Entry> entries;  // kMapping, in file order, keys unique
  Where key_where;  // where this node's key is, when it is a mapping value

  const Node* find(const std::string& key) const;
  const char* kind_name() const;  // "a mapping", "a list", "a string", "nothing"
};

// One key of a mapping and its value. (Not a std::pair: a pair of an incomplete Node is
// rejected by clang, which the fuzz build uses.)
struct Entry {
  std::string first;
  Node second;
};

// Parses YAML text. `file` names it in messages. Throws bale::Error "FILE:LINE:COL: ..." for
// YAML syntax errors, duplicate keys, non-scalar keys and merge keys that do not name a mapping.
Node parse_yaml(const std::string& text, const std::string& file);

// Merges `over` into `base` key by key: mappings merge recursively, anything else (a scalar, a
// list) replaces. Used for bale.local.yaml over bale.yaml.
void merge_over(Node& base, const Node& over);

}  // namespace bale::project
