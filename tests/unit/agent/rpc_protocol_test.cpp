// Tests of the RPC codec: round trips of every body, Go-compatible shapes (str vs bin, field
// names), tolerance (any int width, key order, unknown keys, nil), and the byte-stream splitter
// (truncation, garbage, limits, unknown commands).
#include <doctest/doctest.h>

#include <string>

#include "agent/rpc_protocol.h"
#include "util/rng.h"

namespace rpc = agent::rpc;

namespace {

// Decodes exactly one complete object from bytes with a fresh Decoder.
msgpack::object_handle one_object(const util::Bytes& bytes) {
  rpc::Decoder d;
  d.feed(bytes);
  auto r = d.next_object();
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK(d.buffered_bytes() == 0);
  return std::move(**r);
}

template <typename T>
T round_trip(const T& in) {
  auto oh = one_object(rpc::encode(in));
  T out{};
  auto s = rpc::decode(oh.get(), out);
  REQUIRE(s.ok());
  return out;
}

template <typename Fn>
util::Bytes pack(Fn fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  fn(pk);
  const auto* p = reinterpret_cast<const std::uint8_t*>(buf.data());
  return util::Bytes(p, p + buf.size());
}

void pack_str(msgpack::packer<msgpack::sbuffer>& pk, std::string_view s) {
  pk.pack_str(static_cast<std::uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

rpc::Member sample_member() {
  rpc::Member m;
  m.name = "n1";
  m.addr = {127, 0, 0, 1};
  m.port = 7946;
  m.tags = {{"role", "web"}, {"dc", "east"}};
  m.status = "alive";
  m.protocol_min = 1;
  m.protocol_max = 5;
  m.protocol_cur = 2;
  m.delegate_min = 2;
  m.delegate_max = 5;
  m.delegate_cur = 5;
  return m;
}

}  // namespace

TEST_SUITE("agent.rpc_protocol") {
  TEST_CASE("command names round trip and unknown names are rejected") {
    for (int i = 0; i <= static_cast<int>(rpc::Command::get_coordinate); ++i) {
      auto c = static_cast<rpc::Command>(i);
      CAPTURE(rpc::command_name(c));
      CHECK(rpc::parse_command(rpc::command_name(c)) == c);
    }
    CHECK(std::string(rpc::command_name(rpc::Command::members_filtered)) == "members-filtered");
    CHECK_FALSE(rpc::parse_command("Members").has_value());
    CHECK_FALSE(rpc::parse_command("").has_value());
  }

  TEST_CASE("only members, leave, list-keys and stats requests come without a body") {
    CHECK_FALSE(rpc::request_has_body(rpc::Command::members));
    CHECK_FALSE(rpc::request_has_body(rpc::Command::leave));
    CHECK_FALSE(rpc::request_has_body(rpc::Command::list_keys));
    CHECK_FALSE(rpc::request_has_body(rpc::Command::stats));
    CHECK(rpc::request_has_body(rpc::Command::handshake));
    CHECK(rpc::request_has_body(rpc::Command::members_filtered));
    CHECK(rpc::response_has_body(rpc::Command::join));
    CHECK(rpc::response_has_body(rpc::Command::install_key));
    CHECK_FALSE(rpc::response_has_body(rpc::Command::event));
    CHECK_FALSE(rpc::response_has_body(rpc::Command::query));
  }

  TEST_CASE("a response header encodes Seq then Error with Go's key names") {
    // {Seq: 1, Error: ""} = 82 a3 'Seq' 01 a5 'Error' a0
    const util::Bytes expected = {0x82, 0xa3, 'S', 'e', 'q', 0x01,
                                  0xa5, 'E',  'r', 'r', 'o', 'r', 0xa0};
    CHECK(rpc::encode(rpc::ResponseHeader{1, ""}) == expected);
  }

  TEST_CASE("payloads are bin, names are str, empty payloads are nil") {
    auto oh = one_object(rpc::encode(rpc::EventRequest{"deploy", {1, 2}, true}));
    const auto& o = oh.get();
    REQUIRE(o.type == msgpack::type::MAP);
    CHECK(o.via.map.ptr[0].val.type == msgpack::type::STR);
    CHECK(o.via.map.ptr[1].val.type == msgpack::type::BIN);
    auto empty = one_object(rpc::encode(rpc::EventRequest{"x", {}, false}));
    CHECK(empty.get().via.map.ptr[1].val.type == msgpack::type::NIL);
  }

  TEST_CASE("a 40-byte string is encoded as str8 as Go's new-spec codec does") {
    const std::string name(40, 'a');
    auto bytes = rpc::encode(rpc::StreamRequest{name});
    // 81 a4 'Type' d9 28 ...
    REQUIRE(bytes.size() > 7);
    CHECK(bytes[6] == 0xd9);
    CHECK(bytes[7] == 40);
  }

  TEST_CASE("every request body survives a round trip") {
    CHECK(round_trip(rpc::HandshakeRequest{1}).version == 1);
    CHECK(round_trip(rpc::AuthRequest{"tok"}).auth_key == "tok");
    auto ev = round_trip(rpc::EventRequest{"deploy", {'h', 'i'}, true});
    CHECK(ev.name == "deploy");
    CHECK(ev.payload == util::Bytes{'h', 'i'});
    CHECK(ev.coalesce);
    auto fl = round_trip(rpc::ForceLeaveRequest{"n2", true});
    CHECK(fl.node == "n2");
    CHECK(fl.prune);
    auto j = round_trip(rpc::JoinRequest{{"127.0.0.1:7946", "b"}, true});
    CHECK(j.existing == std::vector<std::string>{"127.0.0.1:7946", "b"});
    CHECK(j.replay);
    auto mf = round_trip(rpc::MembersFilteredRequest{{{"role", "w.*"}}, "alive", "n[0-9]"});
    CHECK(mf.tags.at("role") == "w.*");
    CHECK(mf.status == "alive");
    CHECK(mf.name == "n[0-9]");
    auto t = round_trip(rpc::TagsRequest{{{"a", "1"}}, {"b", "c"}});
    CHECK(t.tags.at("a") == "1");
    CHECK(t.delete_tags == std::vector<std::string>{"b", "c"});
    const std::string filter = "member-join,user:deploy";
    CHECK(round_trip(rpc::StreamRequest{filter}).type == filter);
    CHECK(round_trip(rpc::MonitorRequest{"debug"}).log_level == "debug");
    CHECK(round_trip(rpc::StopRequest{7}).stop == 7);
    rpc::QueryRequest q{{"n1"}, {{"role", "db"}}, true, 3, 2'000'000'000, "uptime", {'p'}};
    auto q2 = round_trip(q);
    CHECK(q2.filter_nodes == q.filter_nodes);
    CHECK(q2.filter_tags == q.filter_tags);
    CHECK(q2.request_ack);
    CHECK(q2.relay_factor == 3);
    CHECK(q2.timeout_ns == 2'000'000'000);
    CHECK(q2.name == "uptime");
    CHECK(q2.payload == util::Bytes{'p'});
    auto r = round_trip(rpc::RespondRequest{UINT64_MAX, {'o', 'k'}});
    CHECK(r.id == UINT64_MAX);
    CHECK(r.payload == util::Bytes{'o', 'k'});
    CHECK(round_trip(rpc::KeyRequest{"a2V5"}).key == "a2V5");
    CHECK(round_trip(rpc::CoordinateRequest{"n3"}).node == "n3");
  }

  TEST_CASE("every response body and stream record survives a round trip") {
    CHECK(round_trip(rpc::JoinResponse{-1}).num == -1);
    auto mr = round_trip(rpc::MembersResponse{{sample_member()}});
    REQUIRE(mr.members.size() == 1);
    const auto& m = mr.members[0];
    CHECK(m.name == "n1");
    CHECK(m.addr == util::Bytes{127, 0, 0, 1});
    CHECK(m.port == 7946);
    CHECK(m.tags == sample_member().tags);
    CHECK(m.status == "alive");
    CHECK(m.protocol_max == 5);
    CHECK(m.delegate_min == 2);
    rpc::KeyResponse k{{{"n1", "bad key"}}, {{"a2V5", 2}}, 3, 1, 2};
    auto k2 = round_trip(k);
    CHECK(k2.messages == k.messages);
    CHECK(k2.keys == k.keys);
    CHECK(k2.num_nodes == 3);
    CHECK(k2.num_err == 1);
    CHECK(k2.num_resp == 2);
    rpc::StatsResponse st{{"agent", {{"name", "n1"}}}, {"serf", {{"members", "3"}}}};
    CHECK(round_trip(st) == st);
    rpc::CoordinateResponse c{{{0.5, -0.25}, 0.7, -0.0002, 0.003}, true};
    auto c2 = round_trip(c);
    CHECK(c2.ok);
    CHECK(c2.coord.vec == c.coord.vec);
    CHECK(c2.coord.height == doctest::Approx(0.003));
    auto me = round_trip(rpc::MemberEventRecord{"member-join", {sample_member()}});
    CHECK(me.event == "member-join");
    CHECK(me.members.size() == 1);
    auto ue = round_trip(rpc::UserEventRecord{"user", 9, "deploy", {'x'}, true});
    CHECK(ue.ltime == 9);
    CHECK(ue.coalesce);
    auto qe = round_trip(rpc::QueryEventRecord{"query", 4, 10, "load", {}});
    CHECK(qe.id == 4);
    CHECK(qe.ltime == 10);
    CHECK(qe.payload.empty());
    auto qr = round_trip(rpc::QueryRecord{"response", "n2", {'r'}});
    CHECK(qr.type == "response");
    CHECK(qr.from == "n2");
    CHECK(round_trip(rpc::LogRecord{"2026 [INFO] x"}).log == "2026 [INFO] x");
  }

  TEST_CASE("an unknown coordinate encodes Vec as nil and decodes to an empty vector") {
    auto oh = one_object(rpc::encode(rpc::CoordinateResponse{}));
    const auto& coord = oh.get().via.map.ptr[0].val;
    REQUIRE(coord.type == msgpack::type::MAP);
    CHECK(coord.via.map.ptr[0].val.type == msgpack::type::NIL);
    rpc::CoordinateResponse out;
    REQUIRE(rpc::decode(oh.get(), out).ok());
    CHECK_FALSE(out.ok);
    CHECK(out.coord.vec.empty());
  }

  TEST_CASE("decoders accept any key order, any int width, str for bin, nil and unknown keys") {
    auto bytes = pack([](auto& pk) {
      pk.pack_map(5);
      pack_str(pk, "Extra");
      pk.pack_array(1);
      pk.pack_nil();
      pack_str(pk, "Payload");
      pack_str(pk, "as-str");
      pack_str(pk, "ID");
      pk.pack_fix_uint64(5);  // cf 00..05: widest encoding of a small number
      pack_str(pk, "Name");
      pk.pack_nil();
      pack_str(pk, "LTime");
      pk.pack_uint8(3);
    });
    rpc::QueryEventRecord r;
    REQUIRE(rpc::decode(one_object(bytes).get(), r).ok());
    CHECK(r.id == 5);
    CHECK(r.ltime == 3);
    CHECK(r.name.empty());
    CHECK(r.payload == util::to_bytes("as-str"));
  }

  TEST_CASE("decoders reject wrong types and out-of-range integers") {
    SUBCASE("string where a bool belongs") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Coalesce");
        pack_str(pk, "yes");
      });
      rpc::EventRequest e;
      CHECK_FALSE(rpc::decode(one_object(bytes).get(), e).ok());
    }
    SUBCASE("port above 65535") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Port");
        pk.pack_uint32(70000);
      });
      rpc::Member m;
      CHECK_FALSE(rpc::decode(one_object(bytes).get(), m).ok());
    }
    SUBCASE("negative Seq") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Seq");
        pk.pack_int8(-1);
      });
      rpc::ResponseHeader h;
      CHECK_FALSE(rpc::decode(one_object(bytes).get(), h).ok());
    }
    SUBCASE("a header that is not a map") {
      rpc::RequestHeader h;
      CHECK_FALSE(rpc::decode(one_object(pack([](auto& pk) { pk.pack_nil(); })).get(), h).ok());
    }
    SUBCASE("Members that is a map") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Members");
        pk.pack_map(0);
      });
      rpc::MembersResponse m;
      CHECK_FALSE(rpc::decode(one_object(bytes).get(), m).ok());
    }
  }

  TEST_CASE("every truncation of a request either waits for bytes or yields it once complete") {
    const auto bytes = rpc::encode_request(rpc::Command::join, 8,
                                           rpc::JoinRequest{{"127.0.0.9:1"}, false});
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      rpc::RequestReader r;
      r.feed(util::ByteView(bytes).first(n));
      auto got = r.next_request();
      REQUIRE(got.ok());
      CHECK_FALSE(got->has_value());
      r.feed(util::ByteView(bytes).subspan(n));
      auto done = r.next_request();
      REQUIRE(done.ok());
      REQUIRE(done->has_value());
      CHECK((*done)->seq == 8);
      CHECK(std::get<rpc::JoinRequest>((*done)->body).existing.size() == 1);
    }
  }

  TEST_CASE("requests fed one byte at a time come out in order, bodiless ones included") {
    util::Bytes stream = rpc::encode_request(rpc::Command::handshake, 1, rpc::HandshakeRequest{1});
    auto more = rpc::encode_request(rpc::Command::members, 2, {});
    stream.insert(stream.end(), more.begin(), more.end());
    more = rpc::encode_request(rpc::Command::stop, 3, rpc::StopRequest{2});
    stream.insert(stream.end(), more.begin(), more.end());
    rpc::RequestReader r;
    std::vector<rpc::Request> got;
    for (auto b : stream) {
      r.feed(util::ByteView(&b, 1));
      auto req = r.next_request();
      REQUIRE(req.ok());
      if (req->has_value()) got.push_back(std::move(**req));
    }
    REQUIRE(got.size() == 3);
    CHECK(got[0].command == rpc::Command::handshake);
    CHECK(std::get<rpc::HandshakeRequest>(got[0].body).version == 1);
    CHECK(got[1].command == rpc::Command::members);
    CHECK(std::holds_alternative<std::monostate>(got[1].body));
    CHECK(got[2].seq == 3);
    CHECK(std::get<rpc::StopRequest>(got[2].body).stop == 2);
  }

  TEST_CASE("an unknown command is reported as unsupported with its Seq") {
    rpc::RequestReader r;
    r.feed(rpc::encode(rpc::RequestHeader{"frobnicate", 42}));
    auto got = r.next_request();
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == util::Errc::unsupported);
    CHECK(got.error().detail == rpc::errors::unsupported_command);
    CHECK(r.last_seq() == 42);
  }

  TEST_CASE("a body of the wrong shape is a malformed request") {
    rpc::RequestReader r;
    r.feed(rpc::encode(rpc::RequestHeader{"handshake", 1}));
    r.feed(pack([](auto& pk) { pk.pack_array(0); }));
    auto got = r.next_request();
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == util::Errc::malformed);
  }

  TEST_CASE("bytes that are not msgpack fail the stream, and it stays failed") {
    rpc::Decoder d;
    const util::Bytes garbage = {0xc1};  // the one byte msgpack never uses
    d.feed(garbage);
    CHECK_FALSE(d.next_object().ok());
    d.feed(rpc::encode(rpc::LogRecord{"x"}));
    CHECK_FALSE(d.next_object().ok());
  }

  TEST_CASE("limits: nesting depth, container counts, ext types and oversized strings") {
    SUBCASE("nine nested arrays") {
      util::Bytes b(9, 0x91);
      b.push_back(0xc0);
      rpc::Decoder d;
      d.feed(b);
      CHECK_FALSE(d.next_object().ok());
    }
    SUBCASE("an array header claiming 2^32-1 entries") {
      rpc::Decoder d;
      d.feed(util::Bytes{0xdd, 0xff, 0xff, 0xff, 0xff});
      auto r = d.next_object();
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == util::Errc::too_large);
    }
    SUBCASE("a str32 claiming 16 MiB") {
      rpc::Decoder d;
      d.feed(util::Bytes{0xdb, 0x01, 0x00, 0x00, 0x00, 'a'});
      auto r = d.next_object();  // incomplete, but its declared size is visible only once read
      CHECK((r.ok() ? !r->has_value() : r.error().code == util::Errc::too_large));
    }
    SUBCASE("an ext value") {
      rpc::Decoder d;
      d.feed(util::Bytes{0xd4, 0x01, 0x00});
      CHECK_FALSE(d.next_object().ok());
    }
  }

  TEST_CASE("a decoder holding more pending bytes than the limit fails") {
    rpc::Decoder d;
    d.feed(util::Bytes{0xc6, 0x7f, 0xff, 0xff, 0xff});  // bin32 of 2 GiB, never completes
    util::Bytes chunk(1 << 20, 0);
    util::Result<std::optional<msgpack::object_handle>> r = std::optional<msgpack::object_handle>{};
    for (int i = 0; i < 20 && r.ok(); ++i) {
      d.feed(chunk);
      r = d.next_object();
      if (r.ok()) CHECK_FALSE(r->has_value());
    }
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("every prefix of every response body and record is 'need more', never an error") {
    const std::vector<util::Bytes> messages = {
        rpc::encode(rpc::MembersResponse{{sample_member(), sample_member()}}),
        rpc::encode(rpc::KeyResponse{{{"n1", "x"}}, {{"k", 1}}, 1, 1, 0}),
        rpc::encode(rpc::StatsResponse{{"agent", {{"name", "n1"}}}}),
        rpc::encode(rpc::CoordinateResponse{{{1.0, 2.0}, 0.1, 0.2, 0.3}, true}),
        rpc::encode(rpc::UserEventRecord{"user", 1, "e", {'p'}, false}),
        rpc::encode(rpc::QueryRequest{{"a"}, {{"t", "v"}}, true, 1, 5, "q", {'x'}}),
    };
    for (std::size_t m = 0; m < messages.size(); ++m) {
      for (std::size_t n = 0; n < messages[m].size(); ++n) {
        CAPTURE(m);
        CAPTURE(n);
        rpc::Decoder d;
        d.feed(util::ByteView(messages[m]).first(n));
        auto r = d.next_object();
        REQUIRE(r.ok());
        CHECK_FALSE(r->has_value());
      }
    }
  }

  TEST_CASE("random bytes never crash the reader, and an error is final") {
    util::Rng rng(0x5eed);
    for (int round = 0; round < 300; ++round) {
      CAPTURE(round);
      rpc::RequestReader r;
      bool failed = false;
      for (int chunk = 0; chunk < 8; ++chunk) {
        util::Bytes bytes(rng.below(40));
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng.next_u32());
        r.feed(bytes);
        for (int i = 0; i < 4; ++i) {
          auto got = r.next_request();
          if (failed) CHECK_FALSE(got.ok());
          if (!got.ok()) failed = true;
          if (!got.ok() || !got->has_value()) break;
        }
      }
    }
  }

  TEST_CASE("the request reader gives up on a request that keeps growing past 1 MiB") {
    rpc::RequestReader r;
    r.feed(rpc::encode(rpc::RequestHeader{"event", 1}));
    r.feed(util::Bytes{0x81, 0xa7, 'P', 'a', 'y', 'l', 'o', 'a', 'd',  // {Payload: bin32 of 2 MiB
                       0xc6, 0x00, 0x20, 0x00, 0x00});
    util::Bytes chunk(64 << 10, 'x');
    util::Result<std::optional<rpc::Request>> got = std::optional<rpc::Request>{};
    for (int i = 0; i < 20 && got.ok(); ++i) {
      r.feed(chunk);
      got = r.next_request();
    }
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == util::Errc::too_large);
  }

  TEST_CASE("response header then body, as the client reads them") {
    rpc::Decoder d;
    d.feed(rpc::encode_response(rpc::ResponseHeader{8, "1 error occurred"},
                                rpc::JoinResponse{0}));
    auto h = d.next_object();
    REQUIRE(h.ok());
    REQUIRE(h->has_value());
    rpc::ResponseHeader header;
    REQUIRE(rpc::decode((*h)->get(), header).ok());
    CHECK(header.seq == 8);
    CHECK(header.error == "1 error occurred");
    auto b = d.next_object();
    REQUIRE(b.ok());
    REQUIRE(b->has_value());
    rpc::JoinResponse body;
    REQUIRE(rpc::decode((*b)->get(), body).ok());
    CHECK(body.num == 0);
    auto none = d.next_object();
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
  }
}
