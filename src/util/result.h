// Result<T>: a value or an Error, for every failure an outsider can cause (ARCHITECTURE §6).
// C++20 has no std::expected; this is the small subset we need.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "util/assert.h"

namespace util {

// Append only: codes are logged and counted by name.
enum class Errc {
  truncated,      // input ended early
  malformed,      // input has the wrong shape or type
  too_large,      // a count or size is over its limit
  unsupported,    // a version, type or algorithm we do not speak
  checksum,       // CRC or authentication tag mismatch
  not_found,      // a named thing does not exist
  invalid_argument,
  io,             // an OS or libuv call failed; detail has the reason
  timeout,
  refused,        // a peer or the local state says no
  config,         // bad configuration or flag
};

const char* errc_name(Errc code);

struct Error {
  Errc code;
  std::string detail;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  Result(Errc code, std::string detail) : v_(Error{code, std::move(detail)}) {}

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(value()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T& value() & {
    ASSERT(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    ASSERT(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    ASSERT(ok());
    return std::get<T>(std::move(v_));
  }
  [[nodiscard]] const Error& error() const {
    ASSERT(!ok());
    return std::get<Error>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  Result(Errc code, std::string detail) : error_{code, std::move(detail)}, ok_(false) {}

  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  [[nodiscard]] const Error& error() const {
    ASSERT(!ok_);
    return error_;
  }

 private:
  Error error_{Errc::malformed, {}};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace util
