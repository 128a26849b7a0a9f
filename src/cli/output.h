// Output helpers that reproduce what Serf's Go CLI prints: columnize's aligned columns, Go's
// json.MarshalIndent (2 spaces, HTML-safe escapes), base64, Go's %q and %#v spellings, and
// net.TCPAddr's "ip:port". Pure functions, so the CLI's exact bytes are unit-tested.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/msgpack.h"

namespace cli {

// Where a command's text goes. Serf's CLI writes results *and* errors to stdout (`out`); only
// flag-parse errors and -h help go to stderr (`err`). Each call writes one line plus "\n".
class Ui {
 public:
  virtual ~Ui() = default;
  virtual void out(std::string_view line) = 0;
  virtual void err(std::string_view line) = 0;
};

// Writes to the process's stdout/stderr, flushing each line (monitor and query stream).
class StdUi final : public Ui {
 public:
  void out(std::string_view line) override;
  void err(std::string_view line) override;
};

// ryanuber/columnize SimpleFormat: cells split on '|' and trimmed, columns left-aligned to
// their widest cell (counted in code points) and glued with two spaces; the last cell of a
// row is not padded; no trailing newline.
std::string columnize(const std::vector<std::string>& rows);

// Go's strings.TrimSpace for ASCII whitespace.
std::string_view trim_space(std::string_view s);

// A JSON value printed the way Go's json.MarshalIndent(v, "", "  ") prints it. Objects keep
// insertion order (Go structs: declaration order; Go maps: insert sorted).
struct Json {
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;
  std::variant<std::nullptr_t, bool, std::int64_t, std::string, Array, Object> v = nullptr;

  static Json str(std::string s) { return Json{std::move(s)}; }
  static Json num(std::int64_t n) { return Json{n}; }
  static Json object(Object o) { return Json{std::move(o)}; }
  static Json array(Array a) { return Json{std::move(a)}; }
  static Json string_map(const std::map<std::string, std::string>& m);
};
std::string to_json(const Json& j);
// Go's JSON string literal: \" \\ \n \r \t, other controls and < > & U+2028 U+2029 as \u00XX,
// invalid UTF-8 as \ufffd.
std::string json_quote(std::string_view s);

std::string base64_encode(util::ByteView bytes);

// Go's %q of a string (strconv.Quote).
std::string go_quote(std::string_view s);

// Text output of what peers and agents supply (member names, tags, node names, log lines):
// characters a terminal would act on are written as Go's strconv.Quote spells them, so that a
// peer can neither forge output lines nor drive the terminal: ASCII controls as \n, \t, \r,
// \a, \b, \f, \v or \xNN (\x00, \x1b), bytes that are not UTF-8 as \xNN, and C1 controls,
// line/paragraph separators and bidirectional marks as \uNNNN (\u0085, \u202e). Everything
// else, quotes and backslashes included, is printed as is, as Serf prints it. JSON output has
// its own exact escaping (json_quote) and does not use this.
std::string printable(std::string_view s);
// The same, but line breaks and tabs stay: multi-line content such as a query's response.
std::string printable_lines(std::string_view s);

// Go's %#v of a value decoded from msgpack into interface{} by Serf's client (monitor's
// "Event Info:" lines): strings quoted, unsigned ints in hex (0x5), bin as []byte{0x68, ...},
// maps as map[interface {}]interface {}{"k":v} with sorted keys, arrays as []interface {}{...};
// depth > 0 (inside a map or array) spells bin as []uint8{...}, as fmt does.
std::string go_syntax(const wire::mp::Object& o, int depth = 0);

// net.TCPAddr.String(): "1.2.3.4:80", "[::1]:80"; v4-mapped IPv6 prints as IPv4.
std::string format_tcp_addr(util::ByteView ip, std::uint16_t port);

// Serf's agent.UnmarshalTags: "k=v" pairs (split at the first '='), error text
// "Invalid tag: 'x'" for a pair without '=' or with an empty key.
util::Result<std::map<std::string, std::string>> parse_tags(const std::vector<std::string>& pairs);

}  // namespace cli
