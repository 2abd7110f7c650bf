// Shared libraries loaded on first use instead of at startup. libarchive and libcurl (and the
// ~40 libraries they pull in) cost `bale run` milliseconds on every start while only a first
// run or a download needs them; their entry points are defined in bale itself and resolved
// with dlopen the first time one is called.
#pragma once

namespace bale {

// dlsym(dlopen(lib), name), loading the library once. Throws bale::Error naming the library
// when it or the symbol cannot be found.
void* lazy_symbol(const char* lib, const char* name);

}  // namespace bale

// Defines `name` with C linkage, forwarding to the real one in `lib`. The header declaring
// `name` must be included first: the compiler then checks the signature against it.
#define BALE_LAZY(lib, ret, name, params, args)                                    \
  ret name params {                                                               \
    static auto* real = reinterpret_cast<decltype(&name)>(bale::lazy_symbol(lib, #name)); \
    return real args;                                                             \
  }
