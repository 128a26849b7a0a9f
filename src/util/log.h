// Logger interface for every layer. The core only formats and hands lines over; the runtime's
// logger writes Serf's format to stdout and feeds RPC monitor, the simulator keeps them per node.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace util {

// Serf's level names and order (TRACE DEBUG INFO WARN ERR).
enum class LogLevel { trace, debug, info, warn, err };

const char* log_level_name(LogLevel level);  // "TRACE", ..., "ERR"
// Case-insensitive; also accepts "ERROR" and "WARNING".
std::optional<LogLevel> parse_log_level(std::string_view name);

class Logger {
 public:
  virtual ~Logger() = default;
  [[nodiscard]] bool enabled(LogLevel level) const { return level >= level_; }
  void set_level(LogLevel level) { level_ = level; }
  [[nodiscard]] LogLevel level() const { return level_; }

  // component: "serf", "memberlist", "agent", "agent.ipc", ...
  virtual void write(LogLevel level, std::string_view component, std::string_view message) = 0;

  template <typename... Args>
  void log(LogLevel level, std::string_view component, fmt::format_string<Args...> format,
           Args&&... args) {
    if (!enabled(level)) return;
    write(level, component, fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  LogLevel level_ = LogLevel::info;
};

class NullLogger final : public Logger {
 public:
  NullLogger() { set_level(LogLevel::err); }
  void write(LogLevel, std::string_view, std::string_view) override {}
};

}  // namespace util
