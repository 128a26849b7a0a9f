// Tests of the mDNS responder's zone: the answers hashicorp/mdns's MDNSService.Records gives
// per question name and type, the unicast/multicast reply split, ignored queries, and names
// that cannot be advertised.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "agent/mdns_service.h"
#include "mdns_names.h"

namespace {

mdns::ServiceSpec spec() {
  return {.instance = "n1",
          .service = mdns::serf_service("c"),
          .domain = "local.",
          .host = "box",
          .port = 7946,
          .ips = {{198, 19, 53, 1}},
          .txt = {mdns::serf_txt("c")}};
}

mdns::Service service(mdns::ServiceSpec s = spec()) {
  auto made = mdns::Service::make(s);
  REQUIRE(made.ok());
  return *made;
}

// "PTR SRV A TXT" for the records answering a question.
std::string kinds(const std::vector<mdns::Record>& records) {
  std::string out;
  for (auto& r : records) {
    if (!out.empty()) out += ' ';
    switch (r.type) {
      case mdns::rrtype::ptr: out += "PTR"; break;
      case mdns::rrtype::srv: out += "SRV"; break;
      case mdns::rrtype::txt: out += "TXT"; break;
      case mdns::rrtype::a: out += "A"; break;
      case mdns::rrtype::aaaa: out += "AAAA"; break;
      default: out += "?";
    }
  }
  return out;
}

std::string answer(const mdns::Service& s, std::string_view q, std::uint16_t type) {
  return kinds(s.records({name(q), type}));
}

}  // namespace

TEST_SUITE("agent.mdns_service") {
  TEST_CASE("serf's names: service _serf_<cluster>._tcp and TXT Serf '<cluster>' cluster") {
    CHECK(mdns::serf_service("dc1") == "_serf_dc1._tcp");
    CHECK(mdns::serf_txt("dc1") == "Serf 'dc1' cluster");
    auto s = service();
    CHECK(mdns::to_string(s.service_name()) == "_serf_c._tcp.local.");
    CHECK(mdns::to_string(s.instance_name()) == "n1._serf_c._tcp.local.");
  }

  TEST_CASE("answers follow MDNSService.Records for each name and type") {
    auto dual = spec();
    dual.ips.push_back({0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    auto s = service(dual);
    struct Row {
      const char* name;
      std::uint16_t type;
      const char* want;
    };
    const Row rows[] = {
        {"_services._dns-sd._udp.local.", mdns::rrtype::ptr, "PTR"},
        {"_services._dns-sd._udp.local.", mdns::rrtype::any, "PTR"},
        {"_services._dns-sd._udp.local.", mdns::rrtype::srv, ""},
        {"_serf_c._tcp.local.", mdns::rrtype::ptr, "PTR SRV A AAAA TXT"},
        {"_serf_c._tcp.local.", mdns::rrtype::any, "PTR SRV A AAAA TXT"},
        {"_serf_c._tcp.local.", mdns::rrtype::txt, ""},
        {"n1._serf_c._tcp.local.", mdns::rrtype::any, "SRV A AAAA TXT"},
        {"n1._serf_c._tcp.local.", mdns::rrtype::srv, "SRV A AAAA"},
        {"n1._serf_c._tcp.local.", mdns::rrtype::txt, "TXT"},
        {"n1._serf_c._tcp.local.", mdns::rrtype::a, "A"},
        {"n1._serf_c._tcp.local.", mdns::rrtype::aaaa, "AAAA"},
        {"n1._serf_c._tcp.local.", mdns::rrtype::ptr, ""},  // the Go client's follow-up
        {"box.", mdns::rrtype::a, "A"},
        {"box.", mdns::rrtype::aaaa, "AAAA"},
        {"box.", mdns::rrtype::any, ""},
        {"N1._SERF_C._tcp.LOCAL.", mdns::rrtype::txt, "TXT"},
        {"_serf_d._tcp.local.", mdns::rrtype::ptr, ""},
        {"n2._serf_c._tcp.local.", mdns::rrtype::any, ""},
    };
    for (const auto& row : rows) {
      CAPTURE(row.name);
      CAPTURE(row.type);
      CHECK(answer(s, row.name, row.type) == row.want);
    }
  }

  TEST_CASE("record contents: SRV at the host and port, A/AAAA owned by the host, TTL 120") {
    auto recs = service().records({name("_serf_c._tcp.local."), mdns::rrtype::ptr});
    REQUIRE(kinds(recs) == "PTR SRV A TXT");
    CHECK(recs[0].name == name("_serf_c._tcp.local."));
    CHECK(recs[0].target == name("n1._serf_c._tcp.local."));
    CHECK(recs[1].name == name("n1._serf_c._tcp.local."));
    CHECK(recs[1].priority == 10);
    CHECK(recs[1].weight == 1);
    CHECK(recs[1].port == 7946);
    CHECK(recs[1].target == name("box."));
    CHECK(recs[2].name == name("box."));
    CHECK(recs[2].address == util::Bytes{198, 19, 53, 1});
    CHECK(recs[3].txt == std::vector<std::string>{"Serf 'c' cluster"});
    for (auto& r : recs) {
      CHECK(r.ttl == 120);
      CHECK(r.klass == mdns::class_in);
    }
  }

  TEST_CASE("a dotted node name becomes several labels, as miekg/dns packs it") {
    auto s = spec();
    s.instance = "web1.example.com";
    CHECK(service(s).instance_name() == name("web1.example.com._serf_c._tcp.local."));
  }

  TEST_CASE("replies: id 0 for plain questions, the query's id for QU questions") {
    mdns::Message query{.id = 77};
    query.questions.push_back({name("_serf_c._tcp.local."), mdns::rrtype::ptr, mdns::class_in});
    SUBCASE("plain") {
      auto replies = service().respond(query);
      REQUIRE(replies.ok());
      REQUIRE(replies->size() == 1);
      auto m = mdns::decode(replies->front());
      REQUIRE(m.ok());
      CHECK(m->id == 0);
      CHECK(m->response);
      CHECK(m->authoritative);
      CHECK(m->questions.empty());
      CHECK(kinds(m->answers) == "PTR SRV A TXT");
    }
    SUBCASE("unicast requested") {
      query.questions[0].klass |= mdns::class_top_bit;
      auto replies = service().respond(query);
      REQUIRE(replies.ok());
      REQUIRE(replies->size() == 1);
      CHECK(mdns::decode(replies->front())->id == 77);
    }
    SUBCASE("both kinds give two replies") {
      query.questions.push_back({name("n1._serf_c._tcp.local."), mdns::rrtype::txt,
                                 static_cast<std::uint16_t>(mdns::class_in | mdns::class_top_bit)});
      auto replies = service().respond(query);
      REQUIRE(replies.ok());
      REQUIRE(replies->size() == 2);
      CHECK(mdns::decode((*replies)[0])->id == 0);
      CHECK(kinds(mdns::decode((*replies)[1])->answers) == "TXT");
    }
    SUBCASE("repeated questions do not repeat answers") {
      for (int i = 0; i < 60; ++i) query.questions.push_back(query.questions[0]);
      query.questions.push_back(
          {name("n1._serf_c._tcp.local."), mdns::rrtype::any, mdns::class_in});
      auto replies = service().respond(query);
      REQUIRE(replies.ok());
      CHECK(kinds(mdns::decode(replies->front())->answers) == "PTR SRV A TXT");
    }
    SUBCASE("nothing to say, no reply") {
      query.questions[0].name = name("_http._tcp.local.");
      auto replies = service().respond(query);
      REQUIRE(replies.ok());
      CHECK(replies->empty());
    }
  }

  TEST_CASE("responses, odd opcodes and rcodes, and TC queries get no reply") {
    mdns::Message query;
    query.questions.push_back({name("_serf_c._tcp.local."), mdns::rrtype::ptr, mdns::class_in});
    auto r = query;
    r.response = true;
    auto replies = service().respond(r);
    REQUIRE(replies.ok());
    CHECK(replies->empty());
    auto bad_opcode = query;
    bad_opcode.opcode = 2;
    CHECK_FALSE(service().respond(bad_opcode).ok());
    auto bad_rcode = query;
    bad_rcode.rcode = 1;
    CHECK_FALSE(service().respond(bad_rcode).ok());
    auto tc = query;
    tc.truncated = true;
    CHECK_FALSE(service().respond(tc).ok());
  }

  TEST_CASE("names and texts a DNS message cannot hold are refused at start") {
    auto long_node = spec();
    long_node.instance = std::string(64, 'n');
    auto made = mdns::Service::make(long_node);
    REQUIRE_FALSE(made.ok());
    CHECK(made.error().detail.find("Node name") != std::string::npos);
    auto long_cluster = spec();
    long_cluster.service = mdns::serf_service(std::string(60, 'c'));
    CHECK_FALSE(mdns::Service::make(long_cluster).ok());
    auto long_txt = spec();
    long_txt.txt = {mdns::serf_txt(std::string(250, 'c'))};
    CHECK_FALSE(mdns::Service::make(long_txt).ok());
    auto no_port = spec();
    no_port.port = 0;
    CHECK_FALSE(mdns::Service::make(no_port).ok());
    auto empty_node = spec();
    empty_node.instance = "";
    CHECK_FALSE(mdns::Service::make(empty_node).ok());
    auto bad_ip = spec();
    bad_ip.ips = {{1, 2, 3}};
    CHECK_FALSE(mdns::Service::make(bad_ip).ok());
    auto too_big = spec();
    for (int i = 0; i < 2500; ++i) {
      util::Bytes ip(16, 0);
      ip[0] = static_cast<std::uint8_t>(i >> 8);
      ip[1] = static_cast<std::uint8_t>(i);
      too_big.ips.push_back(ip);
    }
    CHECK_FALSE(mdns::Service::make(too_big).ok());
  }
}
