// Tests of the RPC codec: round trips of every body, Go-compatible shapes (str vs bin, field
// names), and tolerance (any int width, key order, unknown keys, nil) and its limits.
#include <doctest/doctest.h>

#include <string>

#include "rpc/codec.h"
#include "rpc_test_support.h"

using rpc_test::one_object;
using rpc_test::pack;
using rpc_test::pack_str;
using rpc_test::round_trip;
using rpc_test::sample_member;

TEST_SUITE("rpc.codec") {
  TEST_CASE("a response header encodes Seq then Error with Go's key names") {
    // {Seq: 1, Error: ""} = 82 a3 'Seq' 01 a5 'Error' a0
    const util::Bytes expected = {0x82, 0xa3, 'S', 'e', 'q', 0x01,
                                  0xa5, 'E',  'r', 'r', 'o', 'r', 0xa0};
    CHECK(rpc::encode(rpc::ResponseHeader{1, ""}) == expected);
  }

  TEST_CASE("payloads are bin, names are str, empty payloads are nil") {
    auto oh = one_object(rpc::encode(rpc::EventRequest{"deploy", {1, 2}, true}));
    const auto& o = oh.root();
    REQUIRE(o.type == msgpack::type::MAP);
    CHECK(o.via.map.ptr[0].val.type == msgpack::type::STR);
    CHECK(o.via.map.ptr[1].val.type == msgpack::type::BIN);
    auto empty = one_object(rpc::encode(rpc::EventRequest{"x", {}, false}));
    CHECK(empty.root().via.map.ptr[1].val.type == msgpack::type::NIL);
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
    const auto& coord = oh.root().via.map.ptr[0].val;
    REQUIRE(coord.type == msgpack::type::MAP);
    CHECK(coord.via.map.ptr[0].val.type == msgpack::type::NIL);
    rpc::CoordinateResponse out;
    REQUIRE(rpc::decode(oh.root(), out).ok());
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
    REQUIRE(rpc::decode(one_object(bytes).root(), r).ok());
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
      CHECK_FALSE(rpc::decode(one_object(bytes).root(), e).ok());
    }
    SUBCASE("port above 65535") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Port");
        pk.pack_uint32(70000);
      });
      rpc::Member m;
      CHECK_FALSE(rpc::decode(one_object(bytes).root(), m).ok());
    }
    SUBCASE("negative Seq") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Seq");
        pk.pack_int8(-1);
      });
      rpc::ResponseHeader h;
      CHECK_FALSE(rpc::decode(one_object(bytes).root(), h).ok());
    }
    SUBCASE("a header that is not a map") {
      rpc::RequestHeader h;
      CHECK_FALSE(rpc::decode(one_object(pack([](auto& pk) { pk.pack_nil(); })).root(), h).ok());
    }
    SUBCASE("Members that is a map") {
      auto bytes = pack([](auto& pk) {
        pk.pack_map(1);
        pack_str(pk, "Members");
        pk.pack_map(0);
      });
      rpc::MembersResponse m;
      CHECK_FALSE(rpc::decode(one_object(bytes).root(), m).ok());
    }
  }

}
