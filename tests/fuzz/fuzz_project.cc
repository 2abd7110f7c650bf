// libFuzzer target: the input is a bale.yaml. Parsing it (YAML, merge keys, aliases), checking
// it against the schema and ordering every command's prerequisites must end in a bale::Error or
// a model, never a crash, a hang or unbounded memory (aliases that expand without end).
#include <cstdint>
#include <string>

#include "base/error.h"
#include "project/order.h"
#include "project/parse.h"
#include "project/tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    bale::project::Project p =
        bale::project::parse_project(bale::project::parse_yaml(text, "bale.yaml"), "/src");
    bale::project::check_no_cycles(p);
    for (const auto& [name, c] : p.commands) (void)bale::project::prerequisite_order(p, name);
  } catch (const bale::Error&) {
  }
  return 0;
}
