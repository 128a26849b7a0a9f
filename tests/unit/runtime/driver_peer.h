// A runtime::Driver on 127.0.0.1 (port 0) for tests, recording the events it raises, with
// membership timings short enough for a leave to finish in well under a second.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/driver.h"
#include "util/log.h"

namespace runtime_test {

struct Peer {
  util::NullLogger log;
  std::unique_ptr<runtime::Driver> driver;
  std::vector<serf::Event> events;
  std::function<void(const serf::Event&)> on_event;  // runs after the event is recorded

  // nullptr when the driver cannot start.
  static std::unique_ptr<Peer> start(uv_loop_t* loop, const std::string& name);

  [[nodiscard]] swim::Address address() const;
  [[nodiscard]] bool sees(const std::string& name, serf::MemberStatus status) const;
  [[nodiscard]] const serf::UserEvent* user_event(const std::string& name) const;
};

}  // namespace runtime_test
