// AgentLogger: see logger.h.
#include "runtime/logger.h"

#include <ctime>

#include <fmt/format.h>

namespace runtime {

namespace {
std::string timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y/%m/%d %H:%M:%S", &tm);
  return buf;
}
constexpr std::size_t logged_message_bytes_max = 4096;  // one runaway line must not flood stdout
}  // namespace

void AgentLogger::write(util::LogLevel level, std::string_view component,
                        std::string_view message) {
  if (message.size() > logged_message_bytes_max) message = message.substr(0, logged_message_bytes_max);
  std::string line = fmt::format("{} [{}] {}: {}", timestamp(), util::log_level_name(level),
                                 component, message);
  ring_.push_back({level, line});
  if (ring_.size() > ring_lines_max) ring_.pop_front();
  for (auto& [id, sub] : listeners_)
    if (level >= sub.min) sub.fn(level, line);
  if (holding_) {
    held_.push_back({level, std::move(line)});
    return;
  }
  std::fprintf(out_, "    %s\n", line.c_str());
  std::fflush(out_);
}

void AgentLogger::flush_held() {
  holding_ = false;
  for (auto& e : held_) std::fprintf(out_, "    %s\n", e.line.c_str());
  held_.clear();
  std::fflush(out_);
}

std::uint64_t AgentLogger::add_listener(util::LogLevel min, Listener listener) {
  for (auto& e : ring_)
    if (e.level >= min) listener(e.level, e.line);
  auto id = next_listener_++;
  listeners_.emplace(id, Subscription{min, std::move(listener)});
  return id;
}

void AgentLogger::remove_listener(std::uint64_t id) { listeners_.erase(id); }

void AgentLogger::print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace runtime
