// Test doubles for swim::Core: a delegate that records every call and serves canned answers,
// a logger that keeps its lines (printed by tests when they fail), and small helpers.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "swim/address.h"
#include "swim/config.h"
#include "swim/delegate.h"
#include "swim/node.h"
#include "util/log.h"

namespace swim {
inline std::ostream& operator<<(std::ostream& os, State s) { return os << state_name(s); }
inline std::ostream& operator<<(std::ostream& os, const Address& a) { return os << to_string(a); }
}  // namespace swim

namespace swim_test {

using namespace std::chrono_literals;

inline swim::Address addr(int host, std::uint16_t port = 7946) {
  return swim::Address{{10, 0, 0, static_cast<std::uint8_t>(host)}, port};
}

class RecordingDelegate : public swim::Delegate {
 public:
  struct PingComplete {
    std::string node;
    util::Duration rtt;
    util::Bytes payload;
  };

  util::Bytes meta;
  util::Bytes ack;
  util::Bytes state;
  std::vector<util::Bytes> to_broadcast;  // handed out by get_broadcasts while they fit

  std::vector<std::string> joined, left, updated, conflicts;
  std::vector<util::Bytes> msgs, remote_states;
  std::vector<PingComplete> pings;

  util::Bytes node_meta(std::size_t) override { return meta; }
  void notify_msg(util::ByteView msg, util::Instant) override {
    msgs.emplace_back(msg.begin(), msg.end());
  }
  std::vector<util::Bytes> get_broadcasts(std::size_t overhead, std::size_t limit) override {
    std::vector<util::Bytes> out;
    std::size_t used = 0;
    for (auto it = to_broadcast.begin(); it != to_broadcast.end();) {
      if (used + it->size() + overhead > limit) {
        ++it;
        continue;
      }
      used += it->size() + overhead;
      out.push_back(std::move(*it));
      it = to_broadcast.erase(it);
    }
    return out;
  }
  util::Bytes local_state(bool) override { return state; }
  void merge_remote_state(util::ByteView s, bool, util::Instant) override {
    remote_states.emplace_back(s.begin(), s.end());
  }
  void notify_join(const swim::Node& n, util::Instant) override { joined.push_back(n.name); }
  void notify_leave(const swim::Node& n, util::Instant) override { left.push_back(n.name); }
  void notify_update(const swim::Node& n, util::Instant) override { updated.push_back(n.name); }
  void notify_conflict(const swim::Node& existing, const swim::Node& other,
                       util::Instant) override {
    conflicts.push_back(existing.name + " " + swim::to_string(other.addr));
  }
  util::Bytes ack_payload() override { return ack; }
  void notify_ping_complete(const swim::Node& n, util::Duration rtt,
                            util::ByteView payload) override {
    pings.push_back({n.name, rtt, util::Bytes(payload.begin(), payload.end())});
  }
};

class LineLogger : public util::Logger {
 public:
  explicit LineLogger(std::string prefix = {}) : prefix_(std::move(prefix)) {
    set_level(util::LogLevel::debug);
  }
  void write(util::LogLevel level, std::string_view component, std::string_view msg) override {
    lines.push_back(prefix_ + "[" + util::log_level_name(level) + "] " + std::string(component) +
                    ": " + std::string(msg));
  }
  [[nodiscard]] bool contains(std::string_view text) const {
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<std::string> lines;

 private:
  std::string prefix_;
};

// A profile for tests: LAN timings, named and addressed.
inline swim::Config config(const std::string& name, const swim::Address& a) {
  swim::Config c = swim::Config::lan();
  c.name = name;
  c.advertise = a;
  return c;
}

}  // namespace swim_test
