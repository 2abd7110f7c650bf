// YAML text to a Node tree with positions (see tree.h). The one file that includes yaml-cpp.
#include "project/tree.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include "base/error.h"
#include "project/errors.h"

namespace bale::project {

namespace {

Where where_of(const YAML::Node& n, const std::string& file) {
  YAML::Mark m = n.Mark();
  return {file, m.line + 1, m.column + 1};
}

[[noreturn]] void fail_at(const Where& w, const std::string& message) {
  throw Error(fmt::format("{}:{}: {}", w.str(), w.column, message), 0, kExitBadConfig);
}

// YAML nests; bale.yaml has no reason to go deeper than this, and a hostile file must not
// exhaust the stack.
constexpr int kMaxDepth = 64;
// Aliases are copied where they are used, so a few lines of anchors can stand for billions of
// values ("billion laughs"): a cloned project's file must not hang bale.
constexpr size_t kMaxNodes = 200000;

struct Ctx {
  std::string file;
  size_t nodes = 0;
};

Node convert(const YAML::Node& n, Ctx& cx, int depth);

// The entries a merge key brings in: one mapping, or a list of them (earlier ones win).
void merge_sources(const YAML::Node& v, Ctx& cx, int depth,
                   std::vector<Node>& out) {
  const std::string& file = cx.file;
  if (v.IsMap()) {
    out.push_back(convert(v, cx, depth));
    return;
  }
  if (v.IsSequence()) {
    for (const auto& item : v) {
      if (!item.IsMap()) fail_at(where_of(item, file), "'<<' (merge key) takes a mapping or a list of mappings");
      out.push_back(convert(item, cx, depth));
    }
    return;
  }
  fail_at(where_of(v, file), "'<<' (merge key) takes a mapping or a list of mappings");
}

Node convert_mapping(const YAML::Node& n, Ctx& cx, int depth) {
  const std::string& file = cx.file;
  Node out;
  out.kind = Node::Kind::kMapping;
  out.where = where_of(n, file);
  std::vector<Node> merged;
  for (auto it = n.begin(); it != n.end(); ++it) {
    // Copies: the iterator hands out a temporary pair.
    YAML::Node k = it->first, value = it->second;
    if (!k.IsScalar()) fail_at(where_of(k, file), "a key must be a plain string");
    std::string key = k.Scalar();
    if (key == "<<" && k.Tag() != "!") {
      merge_sources(value, cx, depth + 1, merged);
      continue;
    }
    if (out.find(key))
      fail_at(where_of(k, file), fmt::format("key {} appears twice in this mapping", quote(key)));
    Node v = convert(value, cx, depth + 1);
    v.key_where = where_of(k, file);
    out.entries.push_back(Entry{std::move(key), std::move(v)});
  }
  // Keys written in the mapping itself win over merged ones, as the merge key type says.
  for (auto& m : merged)
    for (auto& [key, v] : m.entries)
      if (!out.find(key)) out.entries.push_back(Entry{key, v});
  return out;
}

Node convert(const YAML::Node& n, Ctx& cx, int depth) {
  const std::string& file = cx.file;
  if (depth > kMaxDepth) fail_at(where_of(n, file), "nested too deeply");
  if (++cx.nodes > kMaxNodes)
    fail_at(where_of(n, file), fmt::format("more than {} values (aliases expanding without end?)", kMaxNodes));
  if (n.IsMap()) return convert_mapping(n, cx, depth);
  Node out;
  out.where = where_of(n, file);
  if (n.IsSequence()) {
    out.kind = Node::Kind::kSequence;
    for (const auto& item : n) out.items.push_back(convert(item, cx, depth + 1));
  } else if (n.IsScalar()) {
    out.kind = Node::Kind::kScalar;
    out.scalar = n.Scalar();
    out.quoted = n.Tag() == "!";
  }  // else null: `key:` with nothing after it, `~`, `null`
  return out;
}

}  // namespace

std::string Where::str() const { return fmt::format("{}:{}", file, line); }

const Node* Node::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

const char* Node::kind_name() const {
  switch (kind) {
    case Kind::kNull: return "nothing";
    case Kind::kScalar: return "a single value";
    case Kind::kSequence: return "a list";
    case Kind::kMapping: return "a mapping";
  }
  return "?";
}

Node parse_yaml(const std::string& text, const std::string& file) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}:{}: bad YAML: {}", file, e.mark.line + 1, e.mark.column + 1,
                            e.msg),
                0, kExitBadConfig);
  }
  Ctx cx{file};
  Node root = convert(doc, cx, 0);
  if (root.kind == Node::Kind::kNull) {
    root.kind = Node::Kind::kMapping;  // an empty file is an empty project
    root.where = {file, 1, 1};
  }
  return root;
}

void merge_over(Node& base, const Node& over) {
  if (base.kind != Node::Kind::kMapping || over.kind != Node::Kind::kMapping) {
    Where key = base.key_where;
    base = over;
    if (base.key_where.line == 0) base.key_where = key;
    return;
  }
  for (const auto& [key, v] : over.entries) {
    bool found = false;
    for (auto& [k, mine] : base.entries)
      if (k == key) {
        merge_over(mine, v);
        found = true;
        break;
      }
    if (!found) base.entries.push_back(Entry{key, v});
  }
}

}  // namespace bale::project
