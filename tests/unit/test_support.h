// Small helpers shared by the unit tests.
#pragma once

#include <string>

#include "base/error.h"

namespace bale::testing {

// The message of the bale::Error that `f` throws, or "" when it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace bale::testing
