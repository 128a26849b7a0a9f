// JSON-through-yaml-cpp helpers (see yaml_json.h). yaml-cpp throws; every throw is caught here
// and in the callers' loops, nothing escapes the agent layer.
#include "agent/yaml_json.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace agent {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [-+]? (digits [. digits?] | . digits) ([eE] [-+]? digits)?
bool looks_numeric(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool bool_word(std::string_view s, bool& out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    out = false;
    return true;
  }
  return false;
}

// The first character that is neither blank nor in a comment line; none for an empty document.
std::optional<char> first_significant_char(std::string_view text) {
  bool in_comment = false;
  for (char c : text) {
    if (in_comment) {
      in_comment = c != '\n';
    } else if (c == '#') {
      in_comment = true;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      return c;
    }
  }
  return std::nullopt;
}

std::string format_number(double d) {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e21) return fmt::format("{:.0f}", d);
  return fmt::format("{}", d);
}

}  // namespace

JsonType json_type(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return JsonType::null;
    case YAML::NodeType::Sequence:
      return JsonType::array;
    case YAML::NodeType::Map:
      return JsonType::object;
    case YAML::NodeType::Scalar:
      break;
  }
  if (node.Tag() == "!") return JsonType::string;  // quoted
  bool b = false;
  if (bool_word(node.Scalar(), b)) return JsonType::boolean;
  if (looks_numeric(node.Scalar())) return JsonType::number;
  return JsonType::string;
}

const char* go_type_name(JsonType t) {
  switch (t) {
    case JsonType::null: return "<nil>";
    case JsonType::boolean: return "bool";
    case JsonType::number: return "float64";
    case JsonType::string: return "string";
    case JsonType::array: return "[]interface {}";
    case JsonType::object: return "map[string]interface {}";
  }
  return "?";
}

const char* go_kind_name(JsonType t) {
  switch (t) {
    case JsonType::null: return "invalid";
    case JsonType::boolean: return "bool";
    case JsonType::number: return "float64";
    case JsonType::string: return "string";
    case JsonType::array: return "slice";
    case JsonType::object: return "map";
  }
  return "?";
}

bool json_number(const YAML::Node& node, double& out) {
  if (json_type(node) != JsonType::number) return false;
  out = std::strtod(node.Scalar().c_str(), nullptr);
  return true;
}

std::string go_value_string(const YAML::Node& node) {
  switch (json_type(node)) {
    case JsonType::null: return "<nil>";
    case JsonType::boolean: {
      bool b = false;
      bool_word(node.Scalar(), b);
      return b ? "true" : "false";
    }
    case JsonType::number: {
      double d = 0;
      json_number(node, d);
      return format_number(d);
    }
    case JsonType::string: return node.Scalar();
    case JsonType::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.size(); ++i) {
        if (i > 0) out += ' ';
        out += go_value_string(node[i]);
      }
      return out + "]";
    }
    case JsonType::object: {
      std::map<std::string, std::string> sorted;  // Go prints maps in key order
      for (const auto& kv : node) sorted[kv.first.Scalar()] = go_value_string(kv.second);
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, v] : sorted) {
        if (!first) out += ' ';
        first = false;
        out += k + ":" + v;
      }
      return out + "]";
    }
  }
  return {};
}

util::Result<YAML::Node> parse_document(const std::string& text) {
  const auto first = first_significant_char(text);
  if (!first) return util::Error{util::Errc::malformed, "EOF"};
  if (*first == ',') {
    return util::Error{util::Errc::malformed, "invalid character ',' looking for beginning of value"};
  }
  try {
    // Load reads the first document only, as Go's json.Decoder reads the first value. Not
    // LoadAll: yaml-cpp 0.7 never gets past a stray ',' between documents ("{...},") and
    // appends empty documents until memory runs out.
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return util::Error{util::Errc::malformed, e.msg};
    return util::Error{util::Errc::malformed,
                       fmt::format("line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1,
                                   e.msg)};
  }
}

std::string go_errno_text(int err) {
  std::string s = std::strerror(err);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string json_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out += (static_cast<unsigned char>(s[i + 2]) == 0xA8) ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace agent
