// Tests for agent::HostLookups and resolve_join_addresses (agent/net_lookup.h): literal
// addresses answer at once, names are looked up off the loop and answered from it, cancelled
// lookups never answer, and join strings keep their order. (A resolver that hangs is tested
// end to end in tests/integration/agent_test.sh, with a nameserver that never answers.)
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "../runtime/test_loop.h"
#include "agent/limits.h"
#include "agent/net_lookup.h"

using namespace std::chrono_literals;
using runtime_test::TestLoop;

namespace {

using Answer = std::optional<util::Result<std::vector<swim::Address>>>;

bool is_loopback(const swim::Address& a) {
  const util::Bytes v4{127, 0, 0, 1};
  util::Bytes v6(16, 0);
  v6[15] = 1;
  return a.ip == v4 || a.ip == v6;
}

}  // namespace

TEST_SUITE("agent.net_lookup") {
  TEST_CASE("a literal address is answered inside resolve(), without a lookup") {
    TestLoop loop;
    agent::HostLookups lookups(loop.get());
    Answer answer;
    lookups.resolve("10.1.2.3", 7946, [&](auto r) { answer = std::move(r); });
    REQUIRE(answer.has_value());
    REQUIRE(answer->ok());
    CHECK((**answer == std::vector<swim::Address>{{{10, 1, 2, 3}, 7946}}));
    CHECK(lookups.outstanding() == 0);
    CHECK(loop.close());
  }

  TEST_CASE("a name is looked up off the loop and answered from it") {
    TestLoop loop;
    agent::HostLookups lookups(loop.get());
    Answer answer;
    lookups.resolve("localhost", 7946, [&](auto r) { answer = std::move(r); });
    CHECK_FALSE(answer.has_value());  // not inside the call: the loop was not even running
    CHECK(lookups.outstanding() == 1);
    REQUIRE(loop.run_until([&] { return answer.has_value(); }, 10s));
    REQUIRE(answer->ok());
    REQUIRE_FALSE((*answer)->empty());
    for (auto& a : **answer) {
      CHECK(is_loopback(a));
      CHECK(a.port == 7946);
    }
    CHECK(lookups.outstanding() == 0);
    CHECK(loop.close());
  }

  TEST_CASE("cancelled lookups never answer and the loop still closes cleanly") {
    TestLoop loop;
    bool answered = false;
    {
      agent::HostLookups lookups(loop.get());
      for (int i = 0; i < 8; ++i) lookups.resolve("localhost", 1, [&](auto) { answered = true; });
      lookups.cancel_all();
    }  // and the owner is gone before libuv reports back
    CHECK(loop.close());
    CHECK_FALSE(answered);
  }

  TEST_CASE("a lookup past 64 in progress fails at once; literal addresses still answer") {
    TestLoop loop;
    agent::HostLookups lookups(loop.get());
    int answered = 0;
    for (std::size_t i = 0; i < agent::limits::name_lookups_max; ++i)
      lookups.resolve("localhost", 1, [&](auto) { ++answered; });
    Answer refused, literal;
    lookups.resolve("localhost", 1, [&](auto r) { refused = std::move(r); });
    lookups.resolve("10.0.0.1", 1, [&](auto r) { literal = std::move(r); });
    REQUIRE(refused.has_value());
    REQUIRE_FALSE(refused->ok());
    CHECK(refused->error().code == util::Errc::refused);
    CHECK(literal.has_value());
    CHECK(lookups.outstanding() == agent::limits::name_lookups_max);
    CHECK(loop.run_until([&] { return answered == 64; }, 20s));
    CHECK(loop.close());
  }

  TEST_CASE("join strings resolve in the order given and failures become error lines") {
    TestLoop loop;
    agent::HostLookups lookups(loop.get());
    std::optional<std::vector<swim::Address>> seeds;
    std::vector<std::string> errors;
    agent::resolve_join_addresses(lookups, {"localhost:7001", "10.0.0.9", "a:b:c"}, 7946,
                                  [&](auto s, auto e) {
                                    seeds = std::move(s);
                                    errors = std::move(e);
                                  });
    REQUIRE(loop.run_until([&] { return seeds.has_value(); }, 10s));
    REQUIRE(seeds->size() >= 2);
    CHECK(is_loopback(seeds->front()));
    CHECK(seeds->front().port == 7001);
    CHECK((seeds->back() == swim::Address{{10, 0, 0, 9}, 7946}));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].rfind("Failed to resolve a:b:c: ", 0) == 0);
    CHECK(loop.close());
  }

  TEST_CASE("join strings that are all literal addresses resolve at once") {
    TestLoop loop;
    agent::HostLookups lookups(loop.get());
    std::optional<std::vector<swim::Address>> seeds;
    agent::resolve_join_addresses(lookups, {"10.0.0.1", "[::1]:7000"}, 7946,
                                  [&](auto s, auto) { seeds = std::move(s); });
    REQUIRE(seeds.has_value());
    CHECK(seeds->size() == 2);
    CHECK(seeds->at(1).port == 7000);
    CHECK(loop.close());
  }
}
