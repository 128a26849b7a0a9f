// JSON documents read through yaml-cpp (YAML is a superset of JSON, so one parser serves the
// agent's *.json and *.yaml files), with the JSON types recovered the way Go's encoding/json
// would see them, and Go-compatible JSON string output for the files we write (tags file).
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "util/result.h"

namespace agent {

enum class JsonType { null, boolean, number, string, array, object };

// A quoted scalar is a string; a plain one is a bool (true/false/True/TRUE/...), a number
// (JSON or YAML decimal syntax) or, failing both, a string (YAML's unquoted strings).
JsonType json_type(const YAML::Node& node);

// Go's reflect kind names as mapstructure prints them: "float64", "string", "bool",
// "map[string]interface {}", "[]interface {}".
const char* go_type_name(JsonType t);
// mapstructure's kind word in "source data must be an array or slice, got string".
const char* go_kind_name(JsonType t);  // "float64", "string", "bool", "map", "slice", "invalid"
// The value as Go's %v would print the decoded interface{} ("5", "1.5", "true", "abc").
std::string go_value_string(const YAML::Node& node);
// A number as a double; false when the scalar is not a number.
bool json_number(const YAML::Node& node, double& out);

// Parses the first document of `text` (JSON or YAML). Empty input is Go's "EOF"; a syntax
// error is "line L, column C: <yaml-cpp message>". Never throws.
util::Result<YAML::Node> parse_document(const std::string& text);

// Go's text for an OS error: strerror with a lower-case first letter ("no such file or directory").
std::string go_errno_text(int err);

// Go's json.Marshal of a string: "\"", "\\", control characters, <, >, & and U+2028/2029
// escaped (HTML-safe, as Go does by default).
std::string json_quote(std::string_view s);

}  // namespace agent
