// Test helper for the mDNS tests: a Name from dotted text, failing the test on bad text.
#pragma once

#include <doctest/doctest.h>

#include <string_view>

#include "agent/mdns_message.h"

namespace mdns = agent::mdns;

inline mdns::Name name(std::string_view dotted) {
  auto n = mdns::parse_name(dotted);
  REQUIRE(n.ok());
  return *n;
}
