// Tests of the byte-stream side: the object splitter (truncation, garbage, limits) and the
// server's request reader (bodies, order, unknown commands).
#include <doctest/doctest.h>

#include <string>

#include "rpc/stream_splitter.h"
#include "rpc_test_support.h"
#include "util/rng.h"

using rpc_test::pack;
using rpc_test::sample_member;

TEST_SUITE("rpc.stream_splitter") {
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
    rpc::StreamSplitter d;
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
      rpc::StreamSplitter d;
      d.feed(b);
      CHECK_FALSE(d.next_object().ok());
    }
    SUBCASE("an array header claiming 2^32-1 entries") {
      rpc::StreamSplitter d;
      d.feed(util::Bytes{0xdd, 0xff, 0xff, 0xff, 0xff});
      auto r = d.next_object();
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == util::Errc::too_large);
    }
    SUBCASE("a str32 claiming 16 MiB") {
      rpc::StreamSplitter d;
      d.feed(util::Bytes{0xdb, 0x01, 0x00, 0x00, 0x00, 'a'});
      auto r = d.next_object();  // incomplete, but its declared size is visible only once read
      CHECK((r.ok() ? !r->has_value() : r.error().code == util::Errc::too_large));
    }
    SUBCASE("an ext value") {
      rpc::StreamSplitter d;
      d.feed(util::Bytes{0xd4, 0x01, 0x00});
      CHECK_FALSE(d.next_object().ok());
    }
  }

  TEST_CASE("a decoder holding more pending bytes than the limit fails") {
    rpc::StreamSplitter d;
    d.feed(util::Bytes{0xc6, 0x7f, 0xff, 0xff, 0xff});  // bin32 of 2 GiB, never completes
    util::Bytes chunk(1 << 20, 0);
    util::Result<std::optional<wire::mp::Document>> r = std::optional<wire::mp::Document>{};
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
        rpc::StreamSplitter d;
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
    rpc::StreamSplitter d;
    d.feed(rpc::encode_response(rpc::ResponseHeader{8, "1 error occurred"},
                                rpc::JoinResponse{0}));
    auto h = d.next_object();
    REQUIRE(h.ok());
    REQUIRE(h->has_value());
    rpc::ResponseHeader header;
    REQUIRE(rpc::decode((*h)->root(), header).ok());
    CHECK(header.seq == 8);
    CHECK(header.error == "1 error occurred");
    auto b = d.next_object();
    REQUIRE(b.ok());
    REQUIRE(b->has_value());
    rpc::JoinResponse body;
    REQUIRE(rpc::decode((*b)->root(), body).ok());
    CHECK(body.num == 0);
    auto none = d.next_object();
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
  }

  TEST_CASE("an object handed out stays valid after the splitter's buffer is reused") {
    rpc::StreamSplitter d;
    d.feed(rpc::encode(rpc::LogRecord{"first line"}));
    auto first = d.next_object();
    REQUIRE(first.ok());
    REQUIRE(first->has_value());
    for (int i = 0; i < 64; ++i) d.feed(rpc::encode(rpc::LogRecord{std::string(1000, 'x')}));
    while (d.buffered_bytes() > 0) REQUIRE(d.next_object().ok());
    d.feed(rpc::encode(rpc::LogRecord{"second line"}));  // compacts over the first object
    rpc::LogRecord rec;
    REQUIRE(rpc::decode((*first)->root(), rec).ok());
    CHECK(rec.log == "first line");
  }

  TEST_CASE("a query's reply stream split at any byte boundary yields the same records") {
    // As a Serf agent writes them (Go sorts the keys): a header {Error, Seq}, then a record
    // {From, Payload, Type}; here three records of query Seq 2.
    util::Bytes stream;
    auto append_hex = [&stream](std::string_view hex) {
      for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        const std::string pair(hex.substr(i, 2));
        stream.push_back(static_cast<std::uint8_t>(std::stoi(pair, nullptr, 16)));
      }
    };
    const std::string_view header = "82a54572726f72a0a353657102";  // {Error: "", Seq: 2}
    append_hex(header);
    append_hex("83a446726f6da26e31a75061796c6f6164c0a454797065a361636b");  // From n1, ack
    append_hex(header);
    append_hex("83a446726f6da26e32a75061796c6f6164c4026e32"  // From n2, Payload "n2",
               "a454797065a8726573706f6e7365");               // response
    append_hex(header);
    append_hex("83a446726f6da0a75061796c6f6164c0a454797065a4646f6e65");  // From "", done
    const std::vector<rpc::QueryRecord> expected = {
        {"ack", "n1", {}}, {"response", "n2", util::to_bytes("n2")}, {"done", "", {}}};
    // Reads header/record pairs; false on any error or a header that is not Seq 2.
    auto drain = [](rpc::StreamSplitter& d, std::vector<rpc::QueryRecord>& got,
                    bool& header_next) {
      for (auto obj = d.next_object(); obj.ok(); obj = d.next_object()) {
        if (!obj->has_value()) return true;
        if (header_next) {
          rpc::ResponseHeader h;
          if (!rpc::decode((*obj)->root(), h).ok() || h.seq != 2 || !h.error.empty()) return false;
        } else {
          got.emplace_back();
          if (!rpc::decode((*obj)->root(), got.back()).ok()) return false;
        }
        header_next = !header_next;
      }
      return false;
    };
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
      CAPTURE(cut);
      rpc::StreamSplitter d;
      std::vector<rpc::QueryRecord> got;
      bool header_next = true;
      d.feed(util::ByteView(stream).first(cut));
      REQUIRE(drain(d, got, header_next));
      d.feed(util::ByteView(stream).subspan(cut));
      REQUIRE(drain(d, got, header_next));
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].type == expected[i].type);
        CHECK(got[i].from == expected[i].from);
        CHECK(got[i].payload == expected[i].payload);
      }
    }
  }
}
