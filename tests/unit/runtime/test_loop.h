// A libuv loop for runtime tests against real sockets. run_until() turns the loop until a
// condition holds, bounded by a guard timer (no sleeps); close() runs the loop empty once the
// owners have closed their handles and reports whether uv_loop_close() succeeded.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>

namespace runtime_test {

class TestLoop {
 public:
  TestLoop();
  ~TestLoop();
  TestLoop(const TestLoop&) = delete;
  TestLoop& operator=(const TestLoop&) = delete;

  uv_loop_t* get() { return &loop_; }

  // Turns the loop until `done()` holds (checked after every iteration) or `limit` passes.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
  // Runs the loop until nothing is left, at most `limit`; true when uv_loop_close() == 0. If
  // handles are left behind it closes them (so the test fails without leaking) and says false.
  bool close(std::chrono::milliseconds limit = std::chrono::milliseconds(5000));

 private:
  uv_loop_t loop_{};
  bool open_ = false;
};

}  // namespace runtime_test
