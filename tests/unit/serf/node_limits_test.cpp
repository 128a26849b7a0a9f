// serf::Node under inputs a peer (or the local API) could use to grow its state: each limit of
// serf/limits.h that the Node applies, seen through its public methods and counters().
#include "serf/node.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "serf/limits.h"
#include "serf_net.h"
#include "serf_packets.h"
#include "wire/serf_codec.h"

using namespace std::chrono_literals;
using serf_test::find_query_event;
using serf_test::Host;
using serf_test::inbound_query;
using serf_test::form;
using serf_test::Net;
using serf_test::sender;
using serf_test::serf_sent;
using serf_test::serf_sent_to;
using serf_test::user_packet;
namespace ws = wire::serf;

namespace {

serf::Outbox deliver(Host& h, util::Instant now, const util::Bytes& serf_bytes) {
  serf::Outbox out;
  h.node->on_packet(sender, user_packet(serf_bytes), now, out);
  return out;
}

}  // namespace

TEST_SUITE("serf.node_limits") {
  TEST_CASE("an inbound query's wait is clamped to inbound_query_timeout_max and counted") {
    Net net;
    Host& a = net.add();
    const std::int64_t forever_ns = std::numeric_limits<std::int64_t>::max();
    const auto out = deliver(a, net.now(), ws::encode(inbound_query(1, forever_ns)));
    const serf::QueryEvent* q = find_query_event(out);
    REQUIRE(q != nullptr);
    CHECK(q->deadline == net.now() + serf::limits::inbound_query_timeout_max);
    CHECK(a.node->counters().query_timeouts_clamped == 1);
    serf::Outbox late;
    auto st = a.node->respond(q->id, util::as_bytes("late"),
                              net.now() + serf::limits::inbound_query_timeout_max + 1s, late);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail == "response is past the deadline");
  }

  TEST_CASE("past pending_queries_max unanswered queries the oldest is forgotten and counted") {
    Net net;
    Host& a = net.add();
    std::vector<std::uint64_t> handles;
    const std::size_t n = serf::limits::pending_queries_max + 1;
    for (std::size_t i = 1; i <= n; ++i) {
      ws::Query q = inbound_query(static_cast<std::uint32_t>(i), 60'000'000'000);
      q.ltime = i;  // one query per LTime: the dedupe ring takes them all
      const auto out = deliver(a, net.now(), ws::encode(q));
      const serf::QueryEvent* e = find_query_event(out);
      REQUIRE(e != nullptr);
      handles.push_back(e->id);
    }
    CHECK(a.node->counters().pending_queries_dropped == 1);
    serf::Outbox out;
    auto oldest = a.node->respond(handles.front(), util::as_bytes("x"), net.now(), out);
    REQUIRE_FALSE(oldest.ok());
    CHECK(oldest.error().code == util::Errc::not_found);
    CHECK(a.node->respond(handles[1], util::as_bytes("x"), net.now(), out).ok());
    CHECK(a.node->respond(handles.back(), util::as_bytes("x"), net.now(), out).ok());
  }

  TEST_CASE("an answer is relayed through at most relay_factor_max others, whatever is asked") {
    Net net;
    form(net, 8);
    Host& a = net.host(0);
    ws::Query q = inbound_query(5, 1'000'000'000);
    q.relay_factor = 7;  // Serf would send 7 copies: the 7 other members
    q.name = "_serf_ping";  // answered by the ack alone
    const auto out = deliver(a, net.now(), ws::encode(q));
    int relays = 0;
    for (const auto& [to, m] : serf_sent(out)) relays += std::holds_alternative<ws::Relay>(m);
    CHECK(relays == serf::limits::relay_factor_max);
    CHECK(a.node->counters().relay_factors_clamped == 1);
  }

  TEST_CASE("a node opens at most open_queries_max queries of its own at once") {
    Net net;
    Host& a = net.add();
    serf::Outbox out;
    for (std::size_t i = 0; i < serf::limits::open_queries_max; ++i) {
      REQUIRE(a.node->query("q", {}, {}, net.now(), out).ok());
    }
    auto refused = a.node->query("q", {}, {}, net.now(), out);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().detail == "too many queries in flight (limit 1024)");
    // Once they close at their deadline, queries can be opened again.
    serf::Outbox later;
    a.node->on_tick(net.now() + 1min, later);
    CHECK(a.node->query("q", {}, {}, net.now() + 1min, later).ok());
  }

  TEST_CASE("replies from non-members are taken up to stranger_replies_max per query") {
    Net net;
    form(net, 2);
    Host& a = net.host(0);
    serf::Outbox started;
    REQUIRE(a.node->query("q", {}, {}, net.now(), started).ok());
    const serf::QueryEvent* own = find_query_event(started);
    REQUIRE(own != nullptr);
    // Our own answer tells the query's LTime and ID, as any member that received it knows them.
    serf::Outbox answered;
    REQUIRE(a.node->respond(own->id, {}, net.now(), answered).ok());
    const auto sent = serf_sent_to(answered, a.addr);
    REQUIRE(sent.size() == 1);
    const auto& mine = std::get<ws::QueryResponse>(sent[0]);

    serf::Outbox out;
    for (int i = 0; i < 100; ++i) {
      const ws::QueryResponse forged{mine.ltime, mine.id, "ghost" + std::to_string(i), 0, {}};
      a.node->on_packet(sender, user_packet(ws::encode(forged)), net.now(), out);
    }
    CHECK(out.query_replies.size() == serf::limits::stranger_replies_max);
    CHECK(a.node->counters().stranger_replies_dropped == 100 - serf::limits::stranger_replies_max);
    const ws::QueryResponse member{mine.ltime, mine.id, "n2", 0, {}};
    serf::Outbox from_member;
    a.node->on_packet(sender, user_packet(ws::encode(member)), net.now(), from_member);
    CHECK(from_member.query_replies.size() == 1);
  }

  TEST_CASE("an inbound user event over Serf's user_event_bytes_max is refused and counted") {
    Net net;
    Host& a = net.add();
    const std::string name = "big";
    const std::size_t fits = serf::limits::user_event_bytes_max - name.size();
    const auto accepted =
        deliver(a, net.now(), ws::encode(ws::UserEvent{1, name, util::Bytes(fits, 1), false}));
    const auto refused =
        deliver(a, net.now(), ws::encode(ws::UserEvent{2, name, util::Bytes(fits + 1, 1), false}));
    auto user_events = [](const serf::Outbox& out) {
      int n = 0;
      for (const auto& e : out.events) n += std::holds_alternative<serf::UserEvent>(e);
      return n;
    };
    CHECK(user_events(accepted) == 1);
    CHECK(user_events(refused) == 0);
    CHECK(a.node->counters().events_refused == 1);
  }

  TEST_CASE("join intents about made-up names stop at recent_intents_max and are counted") {
    Net net;
    Host& a = net.add();
    for (std::size_t i = 0; i <= serf::limits::recent_intents_max; ++i) {
      (void)deliver(a, net.now(), ws::encode(ws::Join{1, "ghost" + std::to_string(i)}));
    }
    CHECK(a.node->counters().intents_refused == 1);
    CHECK(a.node->members().size() == 1);
  }
}
