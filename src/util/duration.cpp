// Go duration parsing and formatting (see duration.h). The parser works in unsigned nanoseconds
// with the same overflow limits as Go, so the same inputs are accepted and rejected.
#include "util/duration.h"

#include <cstdint>
#include <optional>

namespace util {
namespace {

constexpr std::uint64_t limit_ns = std::uint64_t{1} << 63;  // |min int64|

// Go's time.quote: double quotes, with quotes/backslashes escaped and control bytes as \xNN.
std::string go_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

Error invalid(std::string_view orig) {
  return {Errc::invalid_argument, "time: invalid duration " + go_quote(orig)};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Leading decimal integer; nullopt on overflow past 2^63.
std::optional<std::uint64_t> leading_int(std::string_view& s) {
  std::uint64_t x = 0;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (x > limit_ns / 10) return std::nullopt;
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > limit_ns) return std::nullopt;
  }
  s.remove_prefix(i);
  return x;
}

// Leading fraction digits as x / scale; digits past the representable precision are skipped.
void leading_fraction(std::string_view& s, std::uint64_t& x, double& scale) {
  x = 0;
  scale = 1;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (overflow) continue;
    if (x > (limit_ns - 1) / 10) {
      overflow = true;
      continue;
    }
    std::uint64_t y = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > limit_ns) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

std::optional<std::uint64_t> unit_ns(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return 1000;
  if (u == "ms") return 1000000;
  if (u == "s") return 1000000000;
  if (u == "m") return std::uint64_t{60} * 1000000000;
  if (u == "h") return std::uint64_t{3600} * 1000000000;
  return std::nullopt;
}

// Appends v / 10^digits with trailing zeros of the fraction trimmed ("1.5", "2").
void append_fixed(std::string& out, std::uint64_t v, int digits) {
  std::uint64_t div = 1;
  for (int i = 0; i < digits; ++i) div *= 10;
  out += std::to_string(v / div);
  std::uint64_t frac = v % div;
  if (frac == 0) return;
  std::string f = std::to_string(frac);
  f.insert(0, static_cast<std::size_t>(digits) - f.size(), '0');
  while (!f.empty() && f.back() == '0') f.pop_back();
  out += '.';
  out += f;
}

}  // namespace

Result<Duration> parse_go_duration(std::string_view text) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration(0);
  if (s.empty()) return invalid(text);
  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return invalid(text);
    std::size_t before = s.size();
    auto v = leading_int(s);
    if (!v) return invalid(text);
    bool pre = before != s.size();
    std::uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      std::size_t at = s.size();
      leading_fraction(s, f, scale);
      post = at != s.size();
    }
    if (!pre && !post) return invalid(text);
    std::size_t i = 0;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i])) ++i;
    if (i == 0) return Error{Errc::invalid_argument, "time: missing unit in duration " + go_quote(text)};
    std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    auto unit = unit_ns(u);
    if (!unit) {
      return Error{Errc::invalid_argument,
                   "time: unknown unit " + go_quote(u) + " in duration " + go_quote(text)};
    }
    if (*v > limit_ns / *unit) return invalid(text);
    std::uint64_t value = *v * *unit;
    if (f > 0) {
      value += static_cast<std::uint64_t>(static_cast<double>(f) *
                                          (static_cast<double>(*unit) / scale));
      if (value > limit_ns) return invalid(text);
    }
    total += value;
    if (total > limit_ns) return invalid(text);
  }
  if (!neg && total > limit_ns - 1) return invalid(text);
  // Both signs: convert the magnitude, then negate (2^63 ns / 1000 fits comfortably).
  auto us = static_cast<std::int64_t>(total / 1000);
  return Duration(neg ? -us : us);
}

std::string format_go_duration(Duration d) {
  std::int64_t count = d.count();
  if (count == 0) return "0s";
  std::string out;
  std::uint64_t u = static_cast<std::uint64_t>(count);
  if (count < 0) {
    out = "-";
    u = ~u + 1;  // magnitude, also for INT64_MIN
  }
  if (u < 1000) {
    out += std::to_string(u);
    out += "\xC2\xB5s";  // Go writes U+00B5 MICRO SIGN
    return out;
  }
  if (u < 1000000) {
    append_fixed(out, u, 3);
    out += "ms";
    return out;
  }
  std::uint64_t secs = u / 1000000;
  std::uint64_t sub = u % 1000000;
  if (secs >= 3600) out += std::to_string(secs / 3600) + "h";
  if (secs >= 60) out += std::to_string(secs / 60 % 60) + "m";
  append_fixed(out, (secs % 60) * 1000000 + sub, 6);
  out += "s";
  return out;
}

}  // namespace util
