// The agent's logger: Serf's line format (`2026/11/29 18:01:30 [INFO] serf: ...`, indented by
// four spaces on stdout), a ring of the last 512 lines for RPC `monitor`, and listeners that
// follow new lines. Lines may be held back until start-up completes, as Serf does.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "util/log.h"

namespace runtime {

class AgentLogger final : public util::Logger {
 public:
  using Listener = std::function<void(util::LogLevel, const std::string& line)>;
  static constexpr std::size_t ring_lines_max = 512;

  explicit AgentLogger(std::FILE* out) : out_(out) {}

  void write(util::LogLevel level, std::string_view component, std::string_view message) override;

  // Hold lines in memory (still recorded in the ring) until flush_held() — Serf prints its
  // banner first and then the logs gathered during start-up.
  void hold() { holding_ = true; }
  void flush_held();

  // Monitor support: replay the ring (every level >= min) and then follow new lines.
  std::uint64_t add_listener(util::LogLevel min, Listener listener);
  void remove_listener(std::uint64_t id);

  // Raw line to stdout, not part of the log stream (banner lines).
  void print(std::string_view text);

 private:
  struct Entry {
    util::LogLevel level;
    std::string line;
  };
  struct Subscription {
    util::LogLevel min;
    Listener fn;
  };
  std::FILE* out_;
  bool holding_ = false;
  std::deque<Entry> held_;
  std::deque<Entry> ring_;
  std::map<std::uint64_t, Subscription> listeners_;
  std::uint64_t next_listener_ = 1;
};

}  // namespace runtime
