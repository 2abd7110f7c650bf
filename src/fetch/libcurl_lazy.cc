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

// Every option value bale passes is a long, a pointer or a function pointer: all one
// register-sized argument, so it is forwarded as such.
#undef curl_easy_setopt
CURLcode curl_easy_setopt(CURL* c, CURLoption option, ...) {
  static auto* real =
      reinterpret_cast<decltype(&curl_easy_setopt)>(bale::lazy_symbol(kLib, "curl_easy_setopt"));
  va_list ap;
  va_start(ap, option);
  void* value = va_arg(ap, void*);
  va_end(ap);
  return real(c, option, value);
}

// Every info bale asks for is written through one pointer argument.
#undef curl_easy_getinfo
CURLcode curl_easy_getinfo(CURL* c, CURLINFO info, ...) {
  static auto* real =
      reinterpret_cast<decltype(&curl_easy_getinfo)>(bale::lazy_symbol(kLib, "curl_easy_getinfo"));
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);
  va_end(ap);
  return real(c, info, out);
}
