// dlopen on first use (see lazy_lib.h).
#include "base/lazy_lib.h"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "base/error.h"

namespace bale {

void* lazy_symbol(const char* lib, const char* name) {
  static std::mutex mu;
  static std::map<std::string, void*> handles;
  std::lock_guard<std::mutex> lock(mu);
  void*& h = handles[lib];
  if (!h) h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) throw Error(fmt::format("cannot load {}: {}", lib, dlerror()));
  void* sym = dlsym(h, name);
  if (!sym) throw Error(fmt::format("{} has no symbol {}", lib, name));
  return sym;
}

}  // namespace bale
