// Tests for the agent's limits (agent/limits.h) whose reason is a relation rather than a
// behaviour tested elsewhere (mdns_message_test, mdns_browse_test, net_lookup_test).
#include <doctest/doctest.h>

#include "agent/limits.h"

namespace limits = agent::limits;

TEST_SUITE("agent.limits") {
  TEST_CASE("a graceful leave ends within Docker's 10 s stop grace period") {
    CHECK(limits::graceful_leave_cap_ms < 10'000);
  }

  TEST_CASE("an mDNS datagram the decoder refuses as too long still arrives whole") {
    // The read slab holds one byte more than the largest message decode() accepts, so an
    // over-long datagram is refused by the decoder (too_large) and not silently truncated.
    CHECK(limits::mdns_datagram_bytes_max > limits::mdns_message_bytes_max);
  }
}
