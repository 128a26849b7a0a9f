// swim::Core failure detection driven by hand (SWIM §4, Lifeguard; gossip-wire.md §7.1-§7.4).
#include <doctest/doctest.h>

#include "solo.h"

using namespace swim_test;

TEST_SUITE("swim.probe") {
  TEST_CASE("sent ping to b with our source address and name") {
    Solo s;
    s.meet("b", 2);
    auto [at, seq] = s.until_probe_of("b");
    auto pings = s.sent_of<wire::Ping>();
    REQUIRE(pings.size() == 1);
    CHECK(pings[0].first == addr(2));
    CHECK(pings[0].second.source_node == "a");
    CHECK(pings[0].second.source_addr == addr(1).ip);
    CHECK(pings[0].second.source_port == 7946);
    CHECK(seq >= 1);
    // Plain pings use the address path: no CRC wrapper.
    CHECK(s.sent()[0].raw[0] != 0x0c);
  }

  TEST_CASE("a node named after its ip gets a crc even on pings, as in memberlist") {
    Solo s;
    s.meet("10.0.0.2", 2);
    s.until_probe_of("10.0.0.2");
    REQUIRE(s.sent().size() == 1);
    CHECK(s.sent()[0].raw[0] == 0x0c);
  }

  TEST_CASE("a direct ack completes the probe and reports rtt and payload") {
    Solo s;
    s.meet("b", 2);
    auto [at, seq] = s.until_probe_of("b");
    s.clear();
    s.advance(10ms);
    s.packet(addr(2), wire::Ack{seq, util::to_bytes("coord")});
    REQUIRE(s.delegate.pings.size() == 1);
    CHECK(s.delegate.pings[0].node == "b");
    CHECK(s.delegate.pings[0].rtt == 10ms);
    CHECK(s.delegate.pings[0].payload == util::to_bytes("coord"));
    s.advance(900ms);
    CHECK(s.sent_of<wire::IndirectPing>().empty());
    CHECK(s.out.streams.empty());
    CHECK(s.state_of("b") == swim::State::alive);
  }

  TEST_CASE("indirect probe asked when direct ack missing") {
    Solo s;
    s.responsive = {"c", "d"};
    s.meet("b", 2);
    s.meet("c", 3);
    s.meet("d", 4);
    auto [at, seq] = s.until_probe_of("b");
    s.clear();
    s.advance_to(at + 499ms);
    CHECK(s.sent_of<wire::IndirectPing>().empty());
    s.advance_to(at + 500ms);
    auto ind = s.sent_of<wire::IndirectPing>();
    REQUIRE(ind.size() == 2);
    for (const auto& [to, msg] : ind) {
      CHECK((to == addr(3) || to == addr(4)));
      CHECK(msg.node == "b");
      CHECK(msg.seq_no == seq);
      CHECK(msg.target == addr(2).ip);
      CHECK(msg.nack);  // the helpers advertise pmax 5
      CHECK(msg.source_node == "a");
    }
    // And a TCP fallback ping, bounded by the end of the probe interval.
    REQUIRE(s.out.streams.size() == 1);
    CHECK(s.out.streams[0].to == addr(2));
    CHECK(s.out.streams[0].expect_reply);
    CHECK(s.out.streams[0].deadline == at + 1s);
    auto req = wire::unframe_stream(s.out.streams[0].request);
    REQUIRE(req.ok());
    auto msg = wire::decode_stream(*req);
    REQUIRE(msg.ok());
    REQUIRE(std::holds_alternative<wire::Ping>(*msg));
    CHECK(std::get<wire::Ping>(*msg).seq_no == seq);
  }

  TEST_CASE("no tcp fallback ping when tcp pings are disabled") {
    Solo s([](swim::Config& c) { c.disable_tcp_pings = true; });
    s.meet("b", 2);
    auto [at, seq] = s.until_probe_of("b");
    s.advance_to(at + 500ms);
    CHECK(s.out.streams.empty());
  }

  TEST_CASE("an indirect ack inside the probe interval keeps the target alive") {
    Solo s;
    s.responsive = {"c"};
    s.meet("b", 2);
    s.meet("c", 3);
    auto [at, seq] = s.until_probe_of("b");
    s.advance_to(at + 700ms);
    s.packet(addr(3), wire::Ack{seq, {}});
    s.advance_to(at + 1s);
    CHECK(s.state_of("b") == swim::State::alive);
    for (const auto& p : s.delegate.pings) CHECK(p.node != "b");  // only direct acks count
  }

  TEST_CASE("suspect after timeout when nobody answers, with awareness raised per missing nack") {
    Solo s;
    s.responsive = {"c", "d"};
    s.meet("b", 2);
    s.meet("c", 3);
    s.meet("d", 4);
    auto [at, seq] = s.until_probe_of("b");
    s.advance_to(at + 1s - util::Duration(1));
    CHECK(s.state_of("b") == swim::State::alive);
    s.advance_to(at + 1s);
    CHECK(s.state_of("b") == swim::State::suspect);
    CHECK(s.log.contains("Suspect b has failed, no acks received"));
    CHECK(s.core->health_score() == 2);  // two nacks expected, none came
  }

  TEST_CASE("a raised health score stretches the probe interval but not the probe timeout") {
    Solo s;
    s.responsive = {"c", "d"};
    s.meet("b", 2);
    s.meet("c", 3);
    s.meet("d", 4);
    s.until_probe_of("b");
    s.advance(1s);
    REQUIRE(s.core->health_score() == 2);
    s.responsive = {};
    auto [at, seq] = s.until_probe_of("c");
    const int score = s.core->health_score();  // unchanged since this probe started
    REQUIRE(score >= 2);
    const util::Duration interval = (score + 1) * 1s;
    s.clear();
    s.advance_to(at + 500ms);
    REQUIRE(s.out.streams.size() == 1);
    CHECK(s.out.streams[0].deadline == at + interval);
    s.advance_to(at + interval - util::Duration(1));
    CHECK(s.state_of("c") == swim::State::alive);
    s.advance_to(at + interval);
    CHECK(s.state_of("c") == swim::State::suspect);
  }

  TEST_CASE("nacks from the helpers keep our health score") {
    Solo s;
    s.responsive = {"c", "d"};
    s.meet("b", 2);
    s.meet("c", 3);
    s.meet("d", 4);
    auto [at, seq] = s.until_probe_of("b");
    s.advance_to(at + 600ms);
    s.packet(addr(3), wire::Nack{seq});
    s.packet(addr(4), wire::Nack{seq});
    s.advance_to(at + 1s);
    CHECK(s.state_of("b") == swim::State::suspect);
    CHECK(s.core->health_score() == 0);
  }

  TEST_CASE("a successful tcp ping alone keeps the target alive") {
    Solo s;
    s.meet("b", 2);
    auto [at, seq] = s.until_probe_of("b");
    s.clear();
    s.advance_to(at + 500ms);
    REQUIRE(s.out.streams.size() == 1);
    const auto id = s.out.streams[0].id;
    const auto reply = wire::frame_stream(wire::encode_stream(wire::Ack{seq, {}}), true);
    s.core->on_stream_reply(id, reply, s.now, s.out);
    s.advance_to(at + 1s);
    CHECK(s.state_of("b") == swim::State::alive);
    CHECK(s.log.contains("Was able to connect to b but other probes failed"));
  }

  TEST_CASE("a three node cluster marks the suspect dead exactly four seconds later") {
    Solo s;
    s.responsive = {"c"};
    s.meet("b", 2);
    s.meet("c", 3);
    auto [at, seq] = s.until_probe_of("b");
    s.advance_to(at + 1s);
    REQUIRE(s.state_of("b") == swim::State::suspect);
    const util::Instant suspected = s.now;
    s.advance_to(suspected + 4s - util::Duration(1));
    CHECK(s.state_of("b") == swim::State::suspect);
    s.advance_to(suspected + 4s);
    CHECK(s.state_of("b") == swim::State::dead);
    CHECK(s.log.contains("Marking b as failed, suspect timeout reached (0 peer confirmations)"));
    REQUIRE(s.delegate.left.size() >= 1);
    CHECK(s.delegate.left[0] == "b");
  }

  TEST_CASE("a confirmation from another node shortens the suspicion") {
    Solo s;
    s.responsive = {"b", "c", "d"};  // so our own probes add no confirmation
    s.meet("b", 2);
    s.meet("c", 3);
    s.meet("d", 4);  // n = 4: k = 2, min 4 s, max 24 s
    s.packet(addr(3), wire::Suspect{1, "b", "c"});
    REQUIRE(s.state_of("b") == swim::State::suspect);
    const util::Instant start = s.now;
    s.packet(addr(4), wire::Suspect{1, "b", "d"});
    // 24 s - ln(2)/ln(3) * 20 s, floored to the millisecond.
    s.advance_to(start + 11381ms - util::Duration(1));
    CHECK(s.state_of("b") == swim::State::suspect);
    s.advance_to(start + 11381ms);
    CHECK(s.state_of("b") == swim::State::dead);
    CHECK(s.log.contains("(1 peer confirmations)"));
  }

  TEST_CASE("probing a suspect sends ping and suspect together with a crc") {
    Solo s;
    s.meet("b", 2);
    s.packet(addr(3), wire::Suspect{1, "b", "c"});
    REQUIRE(s.state_of("b") == swim::State::suspect);
    s.until_probe_of("b");
    auto sent = s.sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].raw[0] == 0x0c);
    REQUIRE(sent[0].messages.size() == 2);
    CHECK(std::holds_alternative<wire::Ping>(sent[0].messages[0]));
    REQUIRE(std::holds_alternative<wire::Suspect>(sent[0].messages[1]));
    CHECK(std::get<wire::Suspect>(sent[0].messages[1]).from == "a");
  }

  TEST_CASE("dead nodes are reaped from the list after the gossip-to-the-dead time") {
    Solo s;
    s.responsive = {"c"};
    s.meet("b", 2);
    s.meet("c", 3);
    s.packet(addr(3), wire::Dead{1, "b", "c"});
    REQUIRE(s.state_of("b") == swim::State::dead);
    s.advance(29s);
    CHECK(s.core->find("b") != nullptr);
    s.advance(5s);
    CHECK(s.core->find("b") == nullptr);
    CHECK(s.core->nodes().size() == 2);
  }
}

TEST_SUITE("swim.ping") {
  TEST_CASE("answers a ping with the delegate payload at SourceAddr and SourcePort") {
    Solo s;
    s.delegate.ack = util::to_bytes("payload");
    wire::Ping p;
    p.seq_no = 9;
    p.node = "a";
    p.source_addr = addr(5).ip;
    p.source_port = 8000;
    s.packet(addr(2), p);
    auto acks = s.sent_of<wire::Ack>();
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].first == addr(5, 8000));
    CHECK(acks[0].second.seq_no == 9);
    CHECK(acks[0].second.payload == util::to_bytes("payload"));
  }

  TEST_CASE("answers a ping without source to the udp source") {
    Solo s;
    s.packet(addr(2, 9999), wire::Ping{3, "", {}, {}, 0});
    auto acks = s.sent_of<wire::Ack>();
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].first == addr(2, 9999));
  }

  TEST_CASE("ignores a ping meant for another node name") {
    Solo s;
    s.packet(addr(2), wire::Ping{3, "zz", {}, {}, 0});
    CHECK(s.out.packets.empty());
  }

  TEST_CASE("nack sent when target silent") {
    Solo s;
    wire::IndirectPing ind;
    ind.seq_no = 5;
    ind.target = addr(3).ip;
    ind.port = 7946;
    ind.node = "c";
    ind.nack = true;
    ind.source_addr = addr(2).ip;
    ind.source_port = 7946;
    ind.source_node = "b";
    s.packet(addr(2), ind);
    auto pings = s.sent_of<wire::Ping>();
    REQUIRE(pings.size() == 1);
    CHECK(pings[0].first == addr(3));
    CHECK(pings[0].second.node == "c");
    s.clear();
    s.advance(499ms);
    CHECK(s.sent_of<wire::Nack>().empty());
    s.advance(1ms);
    auto nacks = s.sent_of<wire::Nack>();
    REQUIRE(nacks.size() == 1);
    CHECK(nacks[0].first == addr(2));
    CHECK(nacks[0].second.seq_no == 5);
  }

  TEST_CASE("an ack from the target is relayed to the indirect requester without nack") {
    Solo s;
    wire::IndirectPing ind;
    ind.seq_no = 5;
    ind.target = addr(3).ip;
    ind.port = 7946;
    ind.node = "c";
    ind.nack = true;
    s.packet(addr(2), ind);
    const auto our_seq = s.sent_of<wire::Ping>().at(0).second.seq_no;
    s.clear();
    s.packet(addr(3), wire::Ack{our_seq, util::to_bytes("x")});
    auto acks = s.sent_of<wire::Ack>();
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].first == addr(2));
    CHECK(acks[0].second.seq_no == 5);
    CHECK(acks[0].second.payload.empty());
    s.advance(1s);
    CHECK(s.sent_of<wire::Nack>().empty());
  }

  TEST_CASE("a udp user message goes to the delegate") {
    Solo s;
    s.packet(addr(2), wire::UserMsg{util::to_bytes("\x01serf")});
    REQUIRE(s.delegate.msgs.size() == 1);
    CHECK(s.delegate.msgs[0] == util::to_bytes("\x01serf"));
  }

  TEST_CASE("send_user_packet sends 08 and the bytes without piggyback") {
    Solo s;
    s.meet("b", 2);  // queues an alive broadcast that must not ride along
    s.clear();
    const auto msg = util::to_bytes("hello");
    s.core->send_user_packet(addr(2), msg, s.out);
    auto sent = s.sent();
    REQUIRE(sent.size() == 1);
    REQUIRE(sent[0].messages.size() == 1);
    CHECK(std::get<wire::UserMsg>(sent[0].messages[0]).payload == msg);
  }
}
