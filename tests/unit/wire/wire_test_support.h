// Helpers shared by the wire tests: hex literals, doctest printing of byte buffers, and the
// fixture vectors (tests/fixtures/vectors.json: real Serf 0.9.4 traffic, read with yaml-cpp).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "util/bytes.h"

namespace doctest {
template <>
struct StringMaker<util::Bytes> {
  static String convert(const util::Bytes& b) { return util::to_hex(b).c_str(); }
};
}  // namespace doctest

namespace wire_test {

inline util::Bytes hex(std::string_view h) {
  util::Bytes out;
  REQUIRE(util::from_hex(h, out));
  return out;
}

inline const YAML::Node& vectors() {
  static const YAML::Node v = YAML::LoadFile(std::string(SHOAL_FIXTURES_DIR) + "/vectors.json");
  return v;
}

inline YAML::Node vector(std::string_view id) {
  for (const auto& v : vectors()) {
    if (v["id"].as<std::string>() == id) return v;
  }
  FAIL("no vector " << std::string(id));
  return {};
}

// Bytes of a {"hex": ...} node, or empty for null.
inline util::Bytes hex_field(const YAML::Node& n) {
  if (!n || n.IsNull()) return {};
  return hex(n["hex"].as<std::string>());
}

}  // namespace wire_test
