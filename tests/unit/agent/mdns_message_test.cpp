// Tests of the DNS message codec: byte-exact queries, round trips of every record type, name
// compression both ways, and the negative space (truncation, trailing bytes, oversized counts,
// pointer loops, bad labels, random input).
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "agent/mdns_message.h"
#include "mdns_names.h"
#include "util/rng.h"

namespace {

util::Bytes encoded(const mdns::Message& m) {
  auto bytes = mdns::encode(m);
  REQUIRE(bytes.ok());
  return *bytes;
}

// Appends a name in uncompressed wire form.
void put_name(util::Bytes& out, std::string_view dotted) {
  for (auto& label : name(dotted)) {
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
  }
  out.push_back(0);
}

util::Bytes header(std::uint16_t qd, std::uint16_t an, std::uint16_t ns = 0, std::uint16_t ar = 0) {
  util::Bytes b{0, 0, 0x84, 0};
  for (auto n : {qd, an, ns, ar}) util::put_u16be(b, n);
  return b;
}

void put_record_head(util::Bytes& b, std::uint16_t type, std::uint16_t rdlength) {
  util::put_u16be(b, type);
  util::put_u16be(b, mdns::class_in);
  util::put_u32be(b, 120);
  util::put_u16be(b, rdlength);
}

// A response like hashicorp/mdns sends for a service PTR question.
mdns::Message service_response() {
  mdns::Message m{.response = true, .authoritative = true};
  mdns::Record ptr{.name = name("_serf_c._tcp.local."), .type = mdns::rrtype::ptr, .ttl = 120};
  ptr.target = name("n1._serf_c._tcp.local.");
  mdns::Record srv{.name = ptr.target, .type = mdns::rrtype::srv, .ttl = 120};
  srv.priority = 10;
  srv.weight = 1;
  srv.port = 7946;
  srv.target = name("host.");
  mdns::Record a{.name = name("host."), .type = mdns::rrtype::a, .ttl = 120};
  a.address = {198, 19, 53, 1};
  mdns::Record aaaa{.name = name("host."), .type = mdns::rrtype::aaaa, .ttl = 120};
  aaaa.address = {0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  mdns::Record txt{.name = ptr.target, .type = mdns::rrtype::txt, .ttl = 120};
  txt.txt = {"Serf 'c' cluster"};
  m.answers = {ptr, srv, a, aaaa, txt};
  return m;
}

// The error code decode gives, or nothing when it succeeds.
std::optional<util::Errc> failure(const util::Bytes& bytes) {
  auto m = mdns::decode(bytes);
  if (m.ok()) return std::nullopt;
  return m.error().code;
}

}  // namespace

TEST_SUITE("agent.mdns_message") {
  TEST_CASE("serf's service query encodes byte for byte") {
    mdns::Message query{.id = 0x1234};
    query.questions.push_back({name("_serf_c._tcp.local."), mdns::rrtype::ptr});
    auto bytes = encoded(query);
    util::Bytes want{0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    put_name(want, "_serf_c._tcp.local.");
    want.insert(want.end(), {0, 12, 0, 1});
    CHECK(bytes == want);
  }

  TEST_CASE("header flags survive a round trip") {
    mdns::Message m{.id = 7,
                    .response = true,
                    .opcode = 5,
                    .authoritative = true,
                    .truncated = true,
                    .recursion_desired = true,
                    .rcode = 3};
    auto back = mdns::decode(encoded(m));
    REQUIRE(back.ok());
    CHECK(back->id == 7);
    CHECK(back->response);
    CHECK(back->opcode == 5);
    CHECK(back->authoritative);
    CHECK(back->truncated);
    CHECK(back->recursion_desired);
    CHECK(back->rcode == 3);
  }

  TEST_CASE("every record type survives a round trip") {
    auto m = service_response();
    mdns::Record other{.name = name("x.local."), .type = 99, .klass = 0x8001, .ttl = 5};
    other.rdata = {1, 2, 3};
    m.additionals.push_back(other);
    m.authorities.push_back(m.answers[0]);
    m.questions.push_back({name("Q.local."), mdns::rrtype::any, 0x8001});
    auto back = mdns::decode(encoded(m));
    REQUIRE(back.ok());
    CHECK(back->answers == m.answers);
    CHECK(back->authorities == m.authorities);
    CHECK(back->additionals == m.additionals);
    REQUIRE(back->questions.size() == 1);
    CHECK(back->questions[0].name == name("Q.local."));
    CHECK(back->questions[0].klass == 0x8001);
  }

  TEST_CASE("repeated suffixes are compressed, SRV targets are not") {
    auto m = service_response();
    auto bytes = encoded(m);
    // "_serf_c" is written once; "host" twice: in full as the SRV target, then as a pointer
    // target for the A and AAAA owners, which point at the SRV target's copy.
    const std::string text(bytes.begin(), bytes.end());
    CHECK(text.find("_serf_c") == text.rfind("_serf_c"));
    CHECK(text.find("\x04host") == text.rfind("\x04host"));
    CHECK(bytes.size() < 150);
    auto back = mdns::decode(bytes);
    REQUIRE(back.ok());
    CHECK(back->answers == m.answers);
  }

  TEST_CASE("compression keeps each name's spelling") {
    mdns::Message m;
    m.questions = {{name("a.LOCAL."), 1}, {name("b.local."), 1}, {name("c.local."), 1}};
    auto bytes = encoded(m);
    auto back = mdns::decode(bytes);
    REQUIRE(back.ok());
    CHECK(back->questions[1].name == name("b.local."));
    CHECK(back->questions[2].name == name("c.local."));
    CHECK(bytes.size() == 12 + (1 + 1 + 1 + 5 + 1 + 4) + (2 + 1 + 5 + 1 + 4) + (2 + 2 + 4));
  }

  TEST_CASE("a chain of backward pointers decodes") {
    // question 1: "local."; question 2: "a" + pointer to question 1; question 3: pointer to 2.
    util::Bytes b = header(3, 0);
    put_name(b, "local.");
    b.insert(b.end(), {0, 1, 0, 1});
    b.insert(b.end(), {1, 'a', 0xc0, 12, 0, 1, 0, 1});
    b.insert(b.end(), {0xc0, 23, 0, 1, 0, 1});
    auto m = mdns::decode(b);
    REQUIRE(m.ok());
    CHECK(m->questions[1].name == name("a.local."));
    CHECK(m->questions[2].name == name("a.local."));
  }

  TEST_CASE("pointer loops and forward pointers are refused") {
    SUBCASE("a pointer to itself") {
      util::Bytes b = header(1, 0);
      b.insert(b.end(), {0xc0, 12, 0, 1, 0, 1});
      CHECK(failure(b) == util::Errc::malformed);
    }
    SUBCASE("a pointer into its own labels") {
      util::Bytes b = header(1, 0);
      b.insert(b.end(), {1, 'a', 0xc0, 12, 0, 1, 0, 1});
      CHECK(failure(b) == util::Errc::malformed);
    }
    SUBCASE("a forward pointer") {
      util::Bytes b = header(2, 0);
      b.insert(b.end(), {0xc0, 18, 0, 1, 0, 1});
      b.insert(b.end(), {0xc0, 12, 0, 1, 0, 1});
      CHECK(failure(b) == util::Errc::malformed);
    }
    SUBCASE("a pointer past the end") {
      util::Bytes b = header(1, 0);
      b.insert(b.end(), {0xff, 0xff, 0, 1, 0, 1});
      CHECK_FALSE(mdns::decode(b).ok());
    }
  }

  TEST_CASE("long pointer chains stop at the hop cap") {
    // An unknown record's rdata holds "\0" then pointers, each to the one before; a second
    // record's owner points at the last, which takes hops + 1 jumps to resolve.
    auto chain = [](std::size_t hops) {
      util::Bytes b = header(0, 2);
      b.push_back(0);
      put_record_head(b, 99, static_cast<std::uint16_t>(1 + 2 * hops));
      const std::size_t first = b.size();
      b.push_back(0);
      for (std::size_t i = 0; i < hops; ++i) {
        const std::size_t target = first + (i == 0 ? 0 : 2 * i - 1);
        b.push_back(static_cast<std::uint8_t>(0xc0 | (target >> 8)));
        b.push_back(static_cast<std::uint8_t>(target));
      }
      const std::size_t last = first + 2 * hops - 1;
      b.push_back(static_cast<std::uint8_t>(0xc0 | (last >> 8)));
      b.push_back(static_cast<std::uint8_t>(last));
      put_record_head(b, 99, 0);
      return b;
    };
    CHECK(mdns::decode(chain(agent::limits::mdns_pointer_hops_max - 1)).ok());
    auto over = mdns::decode(chain(agent::limits::mdns_pointer_hops_max));
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().detail.find("too many name pointers") != std::string::npos);
  }

  TEST_CASE("any truncation of a valid response fails cleanly") {
    auto bytes = encoded(service_response());
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(mdns::decode(util::ByteView(bytes).first(n)).ok());
    }
  }

  TEST_CASE("trailing bytes are refused") {
    auto bytes = encoded(service_response());
    bytes.push_back(0);
    CHECK(failure(bytes) == util::Errc::malformed);
  }

  TEST_CASE("oversized counts are refused before reading on") {
    const auto too_many = static_cast<std::uint16_t>(agent::limits::mdns_questions_max + 1);
    util::Bytes many_questions = header(too_many, 0);
    CHECK(failure(many_questions) == util::Errc::too_large);
    util::Bytes many_records = header(0, 100, 100, 57);
    CHECK(failure(many_records) == util::Errc::too_large);
    util::Bytes claims_more = header(0, 5);
    CHECK(failure(claims_more) == util::Errc::truncated);
    util::Bytes huge(agent::limits::mdns_message_bytes_max + 1, 0);
    CHECK(failure(huge) == util::Errc::too_large);
  }

  TEST_CASE("bad labels and over-long names are refused") {
    SUBCASE("extended label types") {
      for (std::uint8_t kind : {0x40, 0x80}) {
        util::Bytes b = header(1, 0);
        b.insert(b.end(), {kind, 0, 0, 1, 0, 1});
        CHECK(failure(b) == util::Errc::malformed);
      }
    }
    SUBCASE("a name of more than 255 bytes") {
      util::Bytes b = header(1, 0);
      for (int i = 0; i < 5; ++i) {
        b.push_back(63);
        b.insert(b.end(), 63, 'x');
      }
      b.insert(b.end(), {0, 0, 1, 0, 1});
      CHECK(failure(b) == util::Errc::too_large);
    }
  }

  TEST_CASE("record data must match its type and length") {
    auto with_record = [](std::uint16_t type, util::Bytes rdata, std::uint16_t rdlength) {
      util::Bytes b = header(0, 1);
      b.push_back(0);
      put_record_head(b, type, rdlength);
      b.insert(b.end(), rdata.begin(), rdata.end());
      return mdns::decode(b);
    };
    CHECK_FALSE(with_record(mdns::rrtype::a, {1, 2, 3}, 3).ok());
    CHECK_FALSE(with_record(mdns::rrtype::aaaa, {1, 2, 3, 4}, 4).ok());
    CHECK_FALSE(with_record(mdns::rrtype::ptr, {1, 'a', 0, 9}, 4).ok());  // name short of rdata
    CHECK_FALSE(with_record(mdns::rrtype::ptr, {1, 'a', 0}, 2).ok());     // name past rdata
    CHECK_FALSE(with_record(mdns::rrtype::srv, {0, 1, 0}, 3).ok());       // fixed part cut short
    CHECK_FALSE(with_record(mdns::rrtype::txt, {5, 'a', 'b'}, 3).ok());   // string overruns
    CHECK_FALSE(with_record(99, {1, 2}, 3).ok());                         // rdata past the end
    auto empty_txt = with_record(mdns::rrtype::txt, {}, 0);
    REQUIRE(empty_txt.ok());
    CHECK(empty_txt->answers[0].txt.empty());
    auto empty_strings = [&](std::size_t n) {
      return with_record(mdns::rrtype::txt, util::Bytes(n, 0), static_cast<std::uint16_t>(n));
    };
    CHECK(empty_strings(agent::limits::mdns_txt_strings_max).ok());
    CHECK_FALSE(empty_strings(agent::limits::mdns_txt_strings_max + 1).ok());
    auto two = with_record(mdns::rrtype::txt, {1, 'a', 0}, 3);
    REQUIRE(two.ok());
    CHECK(two->answers[0].txt == std::vector<std::string>{"a", ""});
  }

  TEST_CASE("encode refuses what a DNS message cannot hold") {
    // A record of `type` owned by `owner`, with `txt` or a 4-byte address.
    auto with = [](mdns::Name owner, std::uint16_t type, std::string txt = "",
                   std::size_t ip_bytes = 4) {
      mdns::Record r{.name = std::move(owner), .type = type};
      if (type == mdns::rrtype::txt) r.txt = {std::move(txt)};
      if (type == mdns::rrtype::a) r.address = util::Bytes(ip_bytes, 1);
      return mdns::encode(mdns::Message{.answers = {std::move(r)}});
    };
    CHECK_FALSE(with({std::string(64, 'x')}, mdns::rrtype::a).ok());
    CHECK_FALSE(with({""}, mdns::rrtype::a).ok());
    CHECK_FALSE(with({"a"}, mdns::rrtype::a, "", 3).ok());
    CHECK_FALSE(with({"a"}, mdns::rrtype::txt, std::string(256, 't')).ok());
    CHECK_FALSE(with(mdns::Name(5, std::string(60, 'n')), 99).ok());
    CHECK(with({std::string(63, 'x')}, mdns::rrtype::txt, std::string(255, 't')).ok());
  }

  TEST_CASE("names parse from dotted text and print back") {
    CHECK(name("a.b.local.") == mdns::Name{"a", "b", "local"});
    CHECK(name("a.b.local") == mdns::Name{"a", "b", "local"});
    CHECK(name(".").empty());
    CHECK_FALSE(mdns::parse_name("a..b").ok());
    CHECK_FALSE(mdns::parse_name(".a").ok());
    CHECK_FALSE(mdns::parse_name("a..").ok());
    CHECK_FALSE(mdns::parse_name(std::string(64, 'x')).ok());
    CHECK(mdns::parse_name(std::string(63, 'x')).ok());
    CHECK(mdns::to_string({"a.b", "c\\d", "sp ce", "local"}) == "a\\.b.c\\\\d.sp\\032ce.local.");
    CHECK(mdns::to_string({}) == ".");
  }

  TEST_CASE("name comparison ignores ASCII case; is_below needs a label more") {
    CHECK(mdns::same_name(name("A.Local."), name("a.local.")));
    CHECK_FALSE(mdns::same_name(name("a.local."), name("b.local.")));
    CHECK_FALSE(mdns::same_name(name("a.local."), name("local.")));
    CHECK(mdns::is_below(name("n1._serf_c._tcp.local."), name("_serf_C._tcp.local.")));
    CHECK_FALSE(mdns::is_below(name("_serf_c._tcp.local."), name("_serf_c._tcp.local.")));
    CHECK_FALSE(mdns::is_below(name("n1._serf_d._tcp.local."), name("_serf_c._tcp.local.")));
  }

  TEST_CASE("random bytes and mutated responses never crash the decoder") {
    util::Rng rng(0x6d646e73);
    const auto valid = encoded(service_response());
    for (int i = 0; i < 20000; ++i) {
      util::Bytes b;
      if (i % 2 == 0) {
        b.resize(rng.below(300));
        for (auto& x : b) x = static_cast<std::uint8_t>(rng.next_u32());
        if (b.size() >= 12) b[4] = b[6] = b[8] = b[10] = 0;  // small counts reach the body
      } else {
        b = valid;
        for (int flips = 1 + static_cast<int>(rng.below(4)); flips > 0; --flips)
          b[rng.below(b.size())] = static_cast<std::uint8_t>(rng.next_u32());
      }
      auto m = mdns::decode(b);
      if (m.ok()) {
        // Whatever decodes re-encodes to something that decodes to the same records.
        auto again = mdns::encode(*m);
        if (again.ok()) {
          auto back = mdns::decode(*again);
          REQUIRE(back.ok());
          CHECK(back->answers == m->answers);
        }
      }
    }
  }
}
