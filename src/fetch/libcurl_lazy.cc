// libcurl's entry points, loaded on first use (see base/lazy_lib.h). Only what bale calls.
#include <curl/curl.h>

#include <cstdarg>

#include "base/lazy_lib.h"

namespace {
constexpr const char* kLib = "libcurl.so.4";
}

BALE_LAZY(kLib, CURLcode, curl_global_init, (long flags), (flags))
BALE_LAZY(kLib, CURL*, curl_easy_init, (void), ())
BALE_LAZY(kLib, CURLcode, curl_easy_perform, (CURL * c), (c))
BALE_LAZY(kLib, const char*, curl_easy_strerror, (CURLcode c), (c))
BALE_LAZY(kLib, void, curl_easy_cleanup, (CURL * c), (c))
BALE_LAZY(kLib, curl_slist*, curl_slist_append, (curl_slist * l, const char* s), (l, s))
BALE_LAZY(kLib, void, curl_slist_free_all, (curl_slist * l), (l))

// curl_easy_setopt and curl_easy_getinfo are variadic. Every value bale passes or asks for is
// one register-sized argument (a long, a pointer or a function pointer), forwarded as such.
#define BALE_CURL_ONE_ARG(name, Key)                                                       \
  CURLcode name(CURL* c, Key key, ...) {                                                   \
    static auto* real = reinterpret_cast<decltype(&name)>(bale::lazy_symbol(kLib, #name)); \
    va_list ap;                                                                            \
    va_start(ap, key);                                                                     \
    void* value = va_arg(ap, void*);                                                       \
    va_end(ap);                                                                            \
    return real(c, key, value);                                                            \
  }

#undef curl_easy_setopt
#undef curl_easy_getinfo
BALE_CURL_ONE_ARG(curl_easy_setopt, CURLoption)
BALE_CURL_ONE_ARG(curl_easy_getinfo, CURLINFO)
