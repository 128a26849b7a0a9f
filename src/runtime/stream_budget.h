// StreamBudget: the bytes every stream connection of a Driver may buffer together
// (limits::stream_buffer_bytes_max). A connection takes bytes before its buffer grows and gives
// them back when its message is handed on or it closes; a take that would pass the cap is
// refused and counted, and the connection that asked is closed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/limits.h"
#include "util/assert.h"

namespace runtime {

class StreamBudget {
 public:
  explicit StreamBudget(std::size_t cap = limits::stream_buffer_bytes_max) : cap_(cap) {}

  [[nodiscard]] bool take(std::size_t bytes) {
    if (bytes > cap_ - in_use_) {
      ++refusals_;
      return false;
    }
    in_use_ += bytes;
    return true;
  }
  void give_back(std::size_t bytes) {
    ASSERT(bytes <= in_use_);  // a connection gives back what it took, once
    in_use_ -= bytes;
  }

  [[nodiscard]] std::size_t in_use() const { return in_use_; }
  [[nodiscard]] std::size_t cap() const { return cap_; }
  [[nodiscard]] std::uint64_t refusals() const { return refusals_; }

 private:
  std::size_t cap_;
  std::size_t in_use_ = 0;
  std::uint64_t refusals_ = 0;
};

}  // namespace runtime
