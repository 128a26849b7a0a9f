// The limits on what peers' TCP streams can make a Driver hold (runtime/limits.h), tested
// against a real driver on loopback with hand-made clients: at most 128 inbound streams at
// once, at most 64 MiB buffered by all streams together. Waits are bounded by guard timers.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "driver_peer.h"
#include "raw_stream.h"
#include "runtime/limits.h"
#include "test_loop.h"
#include "wire/codec.h"

using namespace std::chrono_literals;
using runtime_test::Peer;
using runtime_test::RawStream;
using runtime_test::TestLoop;

namespace {

using Clients = std::vector<std::unique_ptr<RawStream>>;

std::size_t closed_by_driver(const Clients& clients) {
  return static_cast<std::size_t>(std::count_if(clients.begin(), clients.end(),
                                                [](auto& c) { return c->closed_by_peer(); }));
}

// `n` clients that each send the first byte of a push/pull and then nothing, so that their
// streams stay open; true once the driver has taken (or refused) every one of them.
bool open_idle_streams(TestLoop& loop, Peer& peer, std::size_t n, Clients& clients) {
  for (std::size_t i = 0; i < n; ++i) {
    auto c = RawStream::connect(loop.get(), peer.driver->bound_port());
    if (!c) return false;
    c->write({0x06});
    clients.push_back(std::move(c));
  }
  const auto seen = clients.size();
  return loop.run_until([&] {
    auto c = peer.driver->counters();
    return c.streams_accepted + c.streams_refused == seen;
  }, 20s);
}

// The first `bytes` of a user message whose header announces 19 MiB.
util::Bytes user_message_prefix(std::size_t bytes) {
  auto whole = wire::encode_stream(wire::UserMsg{.payload = util::Bytes(19 << 20, 0x42)});
  whole.resize(bytes);
  return whole;
}

}  // namespace

TEST_SUITE("runtime.driver_streams") {
  TEST_CASE("an inbound stream past 128 open ones is closed at once and counted") {
    TestLoop loop;
    auto a = Peer::start(loop.get(), "a");
    REQUIRE(a);
    Clients clients;
    REQUIRE(open_idle_streams(loop, *a, runtime::limits::inbound_streams_max + 1, clients));
    CHECK(a->driver->counters().streams_accepted == runtime::limits::inbound_streams_max);
    CHECK(a->driver->counters().streams_refused == 1);
    CHECK(a->driver->inbound_streams() == runtime::limits::inbound_streams_max);
    CHECK(loop.run_until([&] { return closed_by_driver(clients) == 1; }, 10s));
    clients.clear();
    a->driver->close();
    CHECK(loop.close());
  }

  TEST_CASE("once an inbound stream ends, a new one is taken again") {
    TestLoop loop;
    auto a = Peer::start(loop.get(), "a");
    REQUIRE(a);
    Clients clients;
    REQUIRE(open_idle_streams(loop, *a, runtime::limits::inbound_streams_max, clients));
    clients.front().reset();  // its stream ends (EOF before a whole message)
    REQUIRE(loop.run_until([&] { return a->driver->inbound_streams() < runtime::limits::inbound_streams_max; }, 10s));
    REQUIRE(open_idle_streams(loop, *a, 1, clients));
    CHECK(a->driver->counters().streams_refused == 0);
    CHECK(a->driver->inbound_streams() == runtime::limits::inbound_streams_max);
    clients.clear();
    a->driver->close();
    CHECK(loop.close());
  }

  TEST_CASE("the stream that would take buffers past 64 MiB is closed and counted") {
    // Four streams announce 19 MiB user messages and send 17 MiB each: three fit in the
    // budget (57 MiB), the fourth cannot grow and is closed, whatever order the reads take.
    TestLoop loop;
    auto a = Peer::start(loop.get(), "a");
    REQUIRE(a);
    Clients clients;
    const auto prefix = user_message_prefix(17 << 20);
    std::size_t most_buffered = 0;
    for (int i = 0; i < 4; ++i) {
      clients.push_back(RawStream::connect(loop.get(), a->driver->bound_port()));
      REQUIRE(clients.back());
      clients.back()->write(prefix);
    }
    CHECK(loop.run_until([&] {
      most_buffered = std::max(most_buffered, a->driver->stream_buffer_bytes());
      return a->driver->counters().streams_over_budget == 1 &&
             a->driver->stream_buffer_bytes() >= 3 * (17u << 20);
    }, 30s));
    CHECK(most_buffered <= runtime::limits::stream_buffer_bytes_max);
    CHECK(loop.run_until([&] { return closed_by_driver(clients) == 1; }, 10s));
    CHECK(a->driver->inbound_streams() == 3);
    clients.clear();  // the other three end too: every byte goes back to the budget
    CHECK(loop.run_until([&] { return a->driver->inbound_streams() == 0; }, 10s));
    CHECK(a->driver->stream_buffer_bytes() == 0);
    a->driver->close();
    CHECK(loop.close());
  }
}
