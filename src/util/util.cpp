// Small out-of-line helpers of the util layer.
#include <cstdio>
#include <cstdlib>

#include "util/bytes.h"
#include "util/log.h"
#include "util/result.h"

namespace util {

void assert_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "assertion failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::truncated: return "truncated";
    case Errc::malformed: return "malformed";
    case Errc::too_large: return "too_large";
    case Errc::unsupported: return "unsupported";
    case Errc::checksum: return "checksum";
    case Errc::not_found: return "not_found";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::io: return "io";
    case Errc::timeout: return "timeout";
    case Errc::refused: return "refused";
    case Errc::config: return "config";
  }
  return "unknown";
}

std::string to_hex(ByteView b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s.push_back(digits[c >> 4]);
    s.push_back(digits[c & 15]);
  }
  return s;
}

bool from_hex(std::string_view hex, Bytes& out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return true;
}

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::trace: return "TRACE";
    case LogLevel::debug: return "DEBUG";
    case LogLevel::info: return "INFO";
    case LogLevel::warn: return "WARN";
    case LogLevel::err: return "ERR";
  }
  return "INFO";
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  std::string up(name);
  for (auto& c : up) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  if (up == "TRACE") return LogLevel::trace;
  if (up == "DEBUG") return LogLevel::debug;
  if (up == "INFO") return LogLevel::info;
  if (up == "WARN" || up == "WARNING") return LogLevel::warn;
  if (up == "ERR" || up == "ERROR") return LogLevel::err;
  return std::nullopt;
}

}  // namespace util
