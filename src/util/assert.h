// ASSERT: for our own bugs only, never for anything a peer or user can cause. On in release.
#pragma once

namespace util {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line) noexcept;
}

#define ASSERT(cond)                                                  \
  do {                                                                \
    if (!(cond)) ::util::assert_failed(#cond, __FILE__, __LINE__);    \
  } while (false)
