// Go-compatible text output for the CLI (see output.h).
#include "cli/output.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>

#include "swim/address.h"

namespace cli {

namespace {

// main() ignores SIGPIPE so that sockets report EPIPE. A Go program (Serf's CLI) still dies by
// SIGPIPE when the reader of its stdout or stderr is gone (`serf monitor | head`): do the same
// instead of writing into the void for ever.
void write_line(std::FILE* f, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), f);
  std::fputc('\n', f);
  if (std::fflush(f) == 0 || errno != EPIPE) return;
  std::signal(SIGPIPE, SIG_DFL);
  std::raise(SIGPIPE);
}

}  // namespace

void StdUi::out(std::string_view line) { write_line(stdout, line); }

void StdUi::err(std::string_view line) { write_line(stderr, line); }

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(),
                    [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::vector<std::string_view> split_cells(std::string_view row) {
  std::vector<std::string_view> cells;
  while (true) {
    auto bar = row.find('|');
    cells.push_back(trim_space(row.substr(0, bar)));
    if (bar == std::string_view::npos) break;
    row.remove_prefix(bar + 1);
  }
  return cells;
}

// Length of the valid UTF-8 sequence at s[i], 0 if invalid.
std::size_t utf8_len(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? b : n == 2 ? (b & 0x1f) : n == 3 ? (b & 0x0f) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr std::uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

void json_write(const Json& j, std::string& out, int indent);

void newline(std::string& out, int indent) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
}

void json_write(const Json& j, std::string& out, int indent) {
  if (std::holds_alternative<std::nullptr_t>(j.v)) {
    out += "null";
  } else if (const auto* b = std::get_if<bool>(&j.v)) {
    out += *b ? "true" : "false";
  } else if (const auto* n = std::get_if<std::int64_t>(&j.v)) {
    out += std::to_string(*n);
  } else if (const auto* s = std::get_if<std::string>(&j.v)) {
    out += json_quote(*s);
  } else if (const auto* a = std::get_if<Json::Array>(&j.v)) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    out.push_back('[');
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (i > 0) out.push_back(',');
      newline(out, indent + 1);
      json_write((*a)[i], out, indent + 1);
    }
    newline(out, indent);
    out.push_back(']');
  } else if (const auto* o = std::get_if<Json::Object>(&j.v)) {
    if (o->empty()) {
      out += "{}";
      return;
    }
    out.push_back('{');
    for (std::size_t i = 0; i < o->size(); ++i) {
      if (i > 0) out.push_back(',');
      newline(out, indent + 1);
      out += json_quote((*o)[i].first);
      out += ": ";
      json_write((*o)[i].second, out, indent + 1);
    }
    newline(out, indent);
    out.push_back('}');
  }
}

std::string hex_byte(unsigned v, bool pad) {
  char buf[8];
  std::snprintf(buf, sizeof buf, pad ? "%02x" : "%x", v);
  return buf;
}

// Unicode characters a terminal acts on although they are not ASCII controls: the C1 controls
// (U+0085 ends a line, U+009B starts an escape sequence on some terminals), the line and
// paragraph separators and the bidirectional marks that reorder what is shown.
bool is_unicode_control(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || cp == 0x2028 ||
         cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

// The escape Go's strconv.Quote writes for an ASCII control: \n, \t, ... or \xNN.
std::string ascii_escape(std::uint32_t cp) {
  switch (cp) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    default: return "\\x" + hex_byte(cp, true);
  }
}

std::string unicode_escape(std::uint32_t cp) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  return buf;
}

enum class Escape {
  quoted,              // go_quote: also \" and \\ (it is inside "...")
  controls,            // printable
  controls_but_lines,  // printable_lines
};

// Appends s with what a terminal would act on escaped (see printable in output.h).
void append_escaped(std::string& out, std::string_view s, Escape how) {
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {  // not UTF-8: the byte
      out += "\\x" + hex_byte(static_cast<unsigned char>(s[i]), true);
      ++i;
      continue;
    }
    const bool keep_line = how == Escape::controls_but_lines && (cp == '\n' || cp == '\t');
    if (how == Escape::quoted && (cp == '"' || cp == '\\')) {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if ((cp < 0x20 || cp == 0x7f) && !keep_line) {
      out += ascii_escape(cp);
    } else if (is_unicode_control(cp)) {
      out += unicode_escape(cp);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
}

}  // namespace

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string columnize(const std::vector<std::string>& rows) {
  std::vector<std::vector<std::string_view>> cells;
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    cells.push_back(split_cells(row));
    for (std::size_t i = 0; i < cells.back().size(); ++i) {
      const std::size_t w = code_points(cells.back()[i]);
      if (widths.size() <= i) widths.push_back(w);
      else widths[i] = std::max(widths[i], w);
    }
  }
  std::string out;
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 == row.size()) break;
      out.append(widths[i] - code_points(row[i]), ' ');
      out += "  ";
    }
    out.push_back('\n');
  }
  if (!out.empty()) out.pop_back();
  return out;
}

Json Json::string_map(const std::map<std::string, std::string>& m) {
  Object o;
  for (const auto& [k, v] : m) o.emplace_back(k, Json::str(v));
  return Json::object(std::move(o));
}

std::string to_json(const Json& j) {
  std::string out;
  json_write(j, out, 0);
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 || cp == 0x2029) {
          out += "\\u" + std::string(cp < 0x1000 ? "0" : "") + (cp < 0x100 ? "0" : "") +
                 hex_byte(cp, cp < 0x100);
        } else {
          out.append(s.substr(i, n));
        }
    }
    i += n;
  }
  out.push_back('"');
  return out;
}

std::string base64_encode(util::ByteView bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (n > 1) v |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (n > 2) v |= bytes[i + 2];
    for (std::size_t k = 0; k < 4; ++k) {
      out.push_back(k <= n ? alphabet[(v >> (18 - 6 * k)) & 63] : '=');
    }
  }
  return out;
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  append_escaped(out, s, Escape::quoted);
  out.push_back('"');
  return out;
}

std::string printable(std::string_view s) {
  std::string out;
  append_escaped(out, s, Escape::controls);
  return out;
}

std::string printable_lines(std::string_view s) {
  std::string out;
  append_escaped(out, s, Escape::controls_but_lines);
  return out;
}

std::string go_syntax(const wire::mp::Object& o, int depth) {
  using T = msgpack::type::object_type;
  switch (o.type) {
    case T::NIL: return "<nil>";
    case T::BOOLEAN: return o.via.boolean ? "true" : "false";
    // Go's encoder uses a positive fixint up to 127 (decoded as int64, printed in decimal)
    // and uint8..uint64 above (decoded as uint64, printed in hex by %#v).
    case T::POSITIVE_INTEGER:
      if (o.via.u64 <= 127) return std::to_string(o.via.u64);
      {
        char b[24];
        std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(o.via.u64));
        return b;
      }
    case T::NEGATIVE_INTEGER: return std::to_string(o.via.i64);
    case T::FLOAT32:
    case T::FLOAT64: {
      char b[32];
      std::snprintf(b, sizeof b, "%g", o.via.f64);
      return b;
    }
    case T::STR: return go_quote(std::string_view(o.via.str.ptr, o.via.str.size));
    case T::BIN: {
      // fmt names a top-level []byte by its alias, a nested one by reflection: []uint8.
      std::string out = depth == 0 ? "[]byte{" : "[]uint8{";
      for (std::uint32_t i = 0; i < o.via.bin.size; ++i) {
        if (i > 0) out += ", ";
        out += "0x" + hex_byte(static_cast<unsigned char>(o.via.bin.ptr[i]), false);
      }
      return out + "}";
    }
    case T::ARRAY: {
      std::string out = "[]interface {}{";
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        if (i > 0) out += ", ";
        out += go_syntax(o.via.array.ptr[i], depth + 1);
      }
      return out + "}";
    }
    case T::MAP: {
      std::vector<std::pair<std::string, std::string>> kvs;
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        kvs.emplace_back(go_syntax(o.via.map.ptr[i].key, depth + 1),
                         go_syntax(o.via.map.ptr[i].val, depth + 1));
      }
      std::sort(kvs.begin(), kvs.end());
      std::string out = "map[interface {}]interface {}{";
      for (std::size_t i = 0; i < kvs.size(); ++i) {
        if (i > 0) out += ", ";
        out += kvs[i].first + ":" + kvs[i].second;
      }
      return out + "}";
    }
    default: return "<ext>";
  }
}

std::string format_tcp_addr(util::ByteView ip, std::uint16_t port) {
  if (ip.empty()) return ":" + std::to_string(port);  // Go's TCPAddr with a nil IP
  return swim::to_string(swim::Address{util::Bytes(ip.begin(), ip.end()), port});
}

util::Result<std::map<std::string, std::string>> parse_tags(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> tags;
  for (const auto& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return util::Error{util::Errc::invalid_argument, "Invalid tag: '" + pair + "'"};
    }
    tags.insert_or_assign(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return tags;
}

}  // namespace cli
