// Tests of members-filtered's filters: full-match anchoring, Serf's rules for absent tags and
// empty filters, refusal of bad patterns, the caps of rpc/limits.h, and hostile patterns that
// would crash or stall a backtracking engine.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "agent/rpc_member_filter.h"
#include "rpc/limits.h"

namespace {

serf::Member member(std::string name, serf::Tags tags = {},
                    serf::MemberStatus status = serf::MemberStatus::alive) {
  serf::Member m;
  m.name = std::move(name);
  m.tags = std::move(tags);
  m.status = status;
  return m;
}

const std::vector<serf::Member> cluster = {
    member("n1", {{"role", "web"}}),
    member("n10", {{"role", "db"}}),
    member("xn2", {}, serf::MemberStatus::failed),
    member("n2", {{"role", "web-eu"}}, serf::MemberStatus::left),
};

// The names filter_members keeps, or "error".
std::string kept(const rpc::MembersFilteredRequest& req) {
  auto r = agent::filter_members(cluster, req);
  if (!r.ok()) return "error";
  std::string names;
  for (const auto& m : *r) names += (names.empty() ? "" : ",") + m.name;
  return names;
}

rpc::MembersFilteredRequest by_name(std::string expr) { return {{}, "", std::move(expr)}; }

}  // namespace

TEST_SUITE("agent.rpc_member_filter") {
  TEST_CASE("patterns must match the whole text, alternatives included") {
    CHECK(kept(by_name("n1")) == "n1");
    CHECK(kept(by_name("n.")) == "n1,n2");
    CHECK(kept(by_name("n1|n2")) == "n1,n2");  // Serf's ^n1|n2$ would also keep n10 and xn2
    CHECK(kept(by_name("1")) == "");
  }

  TEST_CASE("empty status and name filters keep every member, in order") {
    CHECK(kept({}) == "n1,n10,xn2,n2");
  }

  TEST_CASE("empty filters keep members whose names hold a NUL or a line break") {
    // std::regex's ".*" did not match across "\n": `members` listed 4 of the agent's 5.
    const std::vector<serf::Member> odd = {member(std::string("bad\0na\nme", 9)),
                                           member(std::string(1, '\0')), member("\r\n")};
    auto r = agent::filter_members(odd, rpc::MembersFilteredRequest{});
    REQUIRE(r.ok());
    CHECK(r->size() == 3);
  }

  TEST_CASE("status filters match the status names") {
    CHECK(kept({{}, "alive", ""}) == "n1,n10");
    CHECK(kept({{}, "left|failed", ""}) == "xn2,n2");
  }

  TEST_CASE("a tag the member lacks is matched as the empty string, as in Serf") {
    CHECK(kept({{{"role", "web"}}, "", ""}) == "n1");
    CHECK(kept({{{"role", "web.*"}}, "", ""}) == "n1,n2");
    CHECK(kept({{{"role", ".*"}}, "", ""}) == "n1,n10,xn2,n2");
    CHECK(kept({{{"role", ""}}, "", ""}) == "xn2");
    CHECK(kept({{{"role", "web|db"}, {"dc", ""}}, "", ""}) == "n1,n10");
  }

  TEST_CASE("a pattern RE2 refuses is an error, wherever it is") {
    CHECK(kept(by_name("(")) == "error");
    CHECK(kept({{}, "[a-", ""}) == "error");
    CHECK(kept({{{"role", "*"}}, "", ""}) == "error");
    CHECK(kept(by_name("a)|(b")) == "error");  // valid only once wrapped: refused, as by Go
    auto r = agent::filter_members(cluster, by_name("("));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::invalid_argument);
  }

  TEST_CASE("a pattern longer than filter_pattern_bytes_max is refused, one at the limit is not") {
    const std::string at_limit(rpc::limits::filter_pattern_bytes_max, 'n');
    CHECK(kept(by_name(at_limit)) == "");
    CHECK(kept(by_name(at_limit + "n")) == "error");
  }

  TEST_CASE("a pattern needing more than filter_program_bytes_max is refused") {
    CHECK(kept(by_name("((((a{100}){100}){100}){100})")) == "error");
  }

  TEST_CASE("more than filter_tags_max tag filters are refused, that many are not") {
    rpc::MembersFilteredRequest req;
    for (std::size_t i = 0; i < rpc::limits::filter_tags_max; ++i) {
      req.tags["t" + std::to_string(i)] = ".*";
    }
    CHECK(kept(req) == "n1,n10,xn2,n2");
    req.tags["one-more"] = ".*";
    auto r = agent::filter_members(cluster, req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == util::Errc::too_large);
  }

  TEST_CASE("hostile patterns neither crash nor stall: deep nesting, catastrophic backtracking") {
    // As deep as the length cap allows (std::regex overflows the stack on a few thousand).
    const std::size_t depth = (rpc::limits::filter_pattern_bytes_max - 1) / 2;
    const std::string deep = std::string(depth, '(') + "a" + std::string(depth, ')');
    const std::string verdict = kept(by_name(deep));
    CHECK((verdict == "" || verdict == "error"));
    std::vector<serf::Member> long_names;
    for (int i = 0; i < 50; ++i) long_names.push_back(member(std::string(500, 'a')));
    const auto start = std::chrono::steady_clock::now();
    auto r = agent::filter_members(long_names, by_name("(.*.*)*Z"));
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(r.ok());
    CHECK(r->empty());
    CHECK(took < std::chrono::seconds(1));  // a backtracking engine needs longer than the universe
  }
}
