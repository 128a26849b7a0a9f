// Go `flag` work-alike (see flags.h): the parse loop follows Go's FlagSet.parseOne rule for rule
// so that the same command lines succeed, fail and leave the same positional arguments.
#include "util/flags.h"

#include <climits>
#include <cstdint>
#include <utility>

#include "util/assert.h"
#include "util/duration.h"

namespace util {
namespace {

// Go's %q for the strings we echo back (printable ASCII kept, the rest escaped).
std::string go_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Go's strconv.ParseInt(s, 0, 64) narrowed to int: sign, then 0x/0o/0b/0 prefixes, and
// underscores between digits. Returns "parse error" or "value out of range" like Go's flag.
Status parse_go_int(std::string_view s, int& out) {
  const Error syntax{Errc::invalid_argument, "parse error"};
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return syntax;
  int base = 10;
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
      prefixed = true;
    } else {
      base = 8;
    }
  }
  std::uint64_t v = 0;
  bool any = false, range = false;
  bool after_digit = prefixed;  // an underscore must sit between digits (the prefix counts)
  for (char c : s) {
    if (c == '_') {
      if (!after_digit) return syntax;
      after_digit = false;
      continue;
    }
    int d = digit_value(c);
    if (d >= base) return syntax;
    any = true;
    after_digit = true;
    if (v > (std::uint64_t{1} << 40)) range = true;  // far past int; keep scanning for syntax
    if (!range) v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  if (!any || !after_digit) return syntax;
  const std::uint64_t cap = neg ? std::uint64_t{INT_MAX} + 1 : std::uint64_t{INT_MAX};
  if (range || v > cap) return Error{Errc::invalid_argument, "value out of range"};
  out = neg ? static_cast<int>(-static_cast<std::int64_t>(v)) : static_cast<int>(v);
  return {};
}

}  // namespace

bool parse_go_bool(std::string_view s, bool& out) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
    out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    out = false;
    return true;
  }
  return false;
}

FlagSet::FlagSet(std::string name) : name_(std::move(name)) {}

void FlagSet::add(std::string name, Kind kind, void* target, std::string usage) {
  ASSERT(target != nullptr);
  auto [it, inserted] = flags_.emplace(std::move(name), Flag{kind, target, std::move(usage)});
  (void)it;
  ASSERT(inserted);
}

void FlagSet::add_string(std::string name, std::string* target, std::string usage) {
  add(std::move(name), Kind::string, target, std::move(usage));
}
void FlagSet::add_bool(std::string name, bool* target, std::string usage) {
  add(std::move(name), Kind::boolean, target, std::move(usage));
}
void FlagSet::add_int(std::string name, int* target, std::string usage) {
  add(std::move(name), Kind::integer, target, std::move(usage));
}
void FlagSet::add_duration(std::string name, Duration* target, std::string usage) {
  add(std::move(name), Kind::duration, target, std::move(usage));
}
void FlagSet::add_list(std::string name, std::vector<std::string>* target, std::string usage) {
  add(std::move(name), Kind::list, target, std::move(usage));
}

Status FlagSet::set(const std::string& name, Flag& flag, const std::string& value) {
  const Error bad{Errc::config, "invalid value " + go_quote(value) + " for flag -" + name + ": "};
  switch (flag.kind) {
    case Kind::string:
      *static_cast<std::string*>(flag.target) = value;
      return {};
    case Kind::list:
      static_cast<std::vector<std::string>*>(flag.target)->push_back(value);
      return {};
    case Kind::boolean: {
      bool b = false;
      if (!parse_go_bool(value, b)) {
        return Error{Errc::config, "invalid boolean value " + go_quote(value) + " for -" + name +
                                       ": parse error"};
      }
      *static_cast<bool*>(flag.target) = b;
      return {};
    }
    case Kind::integer: {
      int v = 0;
      auto st = parse_go_int(value, v);
      if (!st.ok()) return Error{Errc::config, bad.detail + st.error().detail};
      *static_cast<int*>(flag.target) = v;
      return {};
    }
    case Kind::duration: {
      auto d = parse_go_duration(value);
      if (!d.ok()) return Error{Errc::config, bad.detail + "parse error"};
      *static_cast<Duration*>(flag.target) = *d;
      return {};
    }
  }
  return {};
}

Result<std::vector<std::string>> FlagSet::parse(std::span<const std::string> args) {
  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& s = args[i];
    if (s.size() < 2 || s[0] != '-') break;  // first non-flag argument
    std::size_t minuses = 1;
    if (s[1] == '-') {
      minuses = 2;
      if (s.size() == 2) {  // "--" ends the flags and is consumed
        ++i;
        break;
      }
    }
    std::string name = s.substr(minuses);
    if (name.empty() || name[0] == '-' || name[0] == '=') {
      return Error{Errc::config, "bad flag syntax: " + s};
    }
    ++i;
    bool has_value = false;
    std::string value;
    if (auto eq = name.find('=', 1); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      if (name == "help" || name == "h") return Error{Errc::not_found, std::string(help_requested)};
      return Error{Errc::config, "flag provided but not defined: -" + name};
    }
    if (it->second.kind == Kind::boolean) {
      if (!has_value) value = "true";
    } else if (!has_value) {
      if (i >= args.size()) return Error{Errc::config, "flag needs an argument: -" + name};
      value = args[i++];
    }
    auto st = set(name, it->second, value);
    if (!st.ok()) return st.error();
    set_.insert(name);
  }
  return std::vector<std::string>(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
}

bool FlagSet::was_set(std::string_view name) const { return set_.find(name) != set_.end(); }

const std::string* FlagSet::usage(std::string_view flag) const {
  auto it = flags_.find(flag);
  return it == flags_.end() ? nullptr : &it->second.usage;
}

}  // namespace util
