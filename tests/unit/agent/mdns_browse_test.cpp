// Tests of the browsing half: entries assembled from hashicorp/mdns-shaped responses (host
// aliases, several instances on one host), reported once per poll, follow-ups for incomplete
// entries, and what is ignored (queries, other services, the entry cap).
#include <doctest/doctest.h>

#include <string>

#include "agent/mdns_browse.h"
#include "agent/mdns_service.h"
#include "mdns_names.h"

namespace {

// The response a hashicorp/mdns responder for `node` sends to serf's service query.
mdns::Message response_from(const std::string& node, util::Bytes ip, std::uint16_t port,
                            const std::string& cluster = "c", const std::string& host = "box") {
  auto service = mdns::Service::make({.instance = node,
                                      .service = mdns::serf_service(cluster),
                                      .domain = "local.",
                                      .host = host,
                                      .port = port,
                                      .ips = {std::move(ip)},
                                      .txt = {mdns::serf_txt(cluster)}});
  REQUIRE(service.ok());
  auto query = mdns::question_message(service->service_name(), mdns::rrtype::ptr);
  auto replies = service->respond(query);
  REQUIRE(replies.ok());
  REQUIRE(replies->size() == 1);
  auto m = mdns::decode(replies->front());
  REQUIRE(m.ok());
  return *m;
}

mdns::Browse browse() { return mdns::Browse(name("_serf_c._tcp.local.")); }

}  // namespace

TEST_SUITE("agent.mdns_browse") {
  TEST_CASE("the poll's query is serf's: one PTR question, id 0, no RD, no QU") {
    auto m = mdns::question_message(name("_serf_c._tcp.local."), mdns::rrtype::ptr);
    CHECK(m.id == 0);
    CHECK_FALSE(m.response);
    CHECK_FALSE(m.recursion_desired);
    REQUIRE(m.questions.size() == 1);
    CHECK(m.questions[0].type == mdns::rrtype::ptr);
    CHECK(m.questions[0].klass == mdns::class_in);
  }

  TEST_CASE("a complete response yields the instance's address and port once") {
    auto b = browse();
    auto step = b.on_message(response_from("n1", {198, 19, 53, 2}, 7946));
    REQUIRE(step.found.size() == 1);
    CHECK(step.found[0].instance == name("n1._serf_c._tcp.local."));
    CHECK(step.found[0].ip == util::Bytes{198, 19, 53, 2});
    CHECK(step.found[0].port == 7946);
    CHECK(step.follow_ups.empty());
    CHECK(b.on_message(response_from("n1", {198, 19, 53, 2}, 7946)).found.empty());
    b.reset();
    CHECK(b.on_message(response_from("n1", {198, 19, 53, 2}, 7946)).found.size() == 1);
  }

  TEST_CASE("several instances on one host each get their own address through the alias") {
    auto b = browse();
    auto one = b.on_message(response_from("n1", {198, 19, 53, 1}, 7946));
    auto two = b.on_message(response_from("n2", {198, 19, 53, 2}, 7947));
    REQUIRE(one.found.size() == 1);
    REQUIRE(two.found.size() == 1);
    CHECK(one.found[0].ip == util::Bytes{198, 19, 53, 1});
    CHECK(two.found[0].ip == util::Bytes{198, 19, 53, 2});
    CHECK(two.found[0].port == 7947);
  }

  TEST_CASE("an IPv6 responder yields its AAAA address") {
    util::Bytes v6{0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
    auto step = browse().on_message(response_from("n6", v6, 7946));
    REQUIRE(step.found.size() == 1);
    CHECK(step.found[0].ip == v6);
  }

  TEST_CASE("records arriving in separate messages complete the entry") {
    auto b = browse();
    auto whole = response_from("n1", {198, 19, 53, 1}, 7946);
    mdns::Message first{.response = true};
    first.answers = {whole.answers[0], whole.answers[1]};  // PTR, SRV
    auto step = b.on_message(first);
    CHECK(step.found.empty());
    REQUIRE(step.follow_ups.size() == 1);
    CHECK(step.follow_ups[0] == name("n1._serf_c._tcp.local."));
    CHECK(b.on_message(first).follow_ups.empty());  // asked once per poll
    mdns::Message second{.response = true};
    second.additionals = {whole.answers[2], whole.answers[3]};  // A, TXT
    step = b.on_message(second);
    REQUIRE(step.found.size() == 1);
    CHECK(step.found[0].port == 7946);
  }

  TEST_CASE("queries, other clusters and unrelated records are ignored") {
    auto b = browse();
    auto as_query = response_from("n1", {198, 19, 53, 1}, 7946);
    as_query.response = false;  // a query carrying known answers
    CHECK(b.on_message(as_query).found.empty());
    auto other = b.on_message(response_from("n1", {198, 19, 53, 1}, 7946, "d"));
    CHECK(other.found.empty());
    CHECK(other.follow_ups.empty());
    mdns::Message junk{.response = true};
    junk.answers.push_back(mdns::Record{.name = name("x.local."), .type = 99, .rdata = {1}});
    auto step = b.on_message(junk);
    CHECK(step.found.empty());
    CHECK(step.follow_ups.empty());
  }

  TEST_CASE("a missing TXT, port or address keeps the entry incomplete") {
    auto whole = response_from("n1", {198, 19, 53, 1}, 7946);
    for (std::size_t drop = 1; drop < whole.answers.size(); ++drop) {
      CAPTURE(drop);
      auto b = browse();
      auto m = whole;
      m.answers.erase(m.answers.begin() + static_cast<std::ptrdiff_t>(drop));
      CHECK(b.on_message(m).found.empty());
    }
  }

  TEST_CASE("names past the per-poll cap are not filed") {
    auto b = browse();
    mdns::Message flood{.response = true};
    for (std::size_t i = 0; i < agent::limits::mdns_browse_entries_max; ++i)
      flood.answers.push_back(mdns::Record{
          .name = {"h" + std::to_string(i)}, .type = mdns::rrtype::a, .address = {1, 1, 1, 1}});
    (void)b.on_message(flood);
    CHECK(b.on_message(response_from("n1", {198, 19, 53, 1}, 7946)).found.empty());
    b.reset();
    CHECK(b.on_message(response_from("n1", {198, 19, 53, 1}, 7946)).found.size() == 1);
  }

  TEST_CASE("joined addresses are remembered up to 4096, then the memory starts afresh") {
    mdns::JoinedAddresses joined;
    std::vector<std::string> batch;
    for (std::size_t i = 0; i < agent::limits::mdns_seen_max; ++i)
      batch.push_back("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":7946");
    joined.add(batch);
    CHECK(joined.size() == agent::limits::mdns_seen_max);
    CHECK(joined.contains("10.0.0.0:7946"));
    joined.add({"192.0.2.1:7946"});
    CHECK(joined.size() == 1);
    CHECK(joined.contains("192.0.2.1:7946"));
    CHECK_FALSE(joined.contains("10.0.0.0:7946"));
  }
}
