// Query filters: node lists and tag regexps, all of which must match.
#include "serf/query_filter.h"

#include <doctest/doctest.h>

#include "wire/serf_codec.h"

namespace {
util::Bytes encode_node_filter(std::vector<std::string> nodes) {
  return wire::serf::encode_filter(wire::serf::NodeFilter{std::move(nodes)});
}
util::Bytes encode_tag_filter(std::string tag, std::string expr) {
  return wire::serf::encode_filter(wire::serf::TagFilter{std::move(tag), std::move(expr)});
}
}  // namespace

TEST_SUITE("serf.query_filter") {
  TEST_CASE("no filters means the query applies") {
    CHECK(serf::query_applies({}, "a", {}).applies);
  }

  TEST_CASE("a node filter applies only to the listed names") {
    const auto f = encode_node_filter({"a", "b"});
    CHECK(serf::query_applies({f}, "a", {}).applies);
    CHECK(serf::query_applies({f}, "b", {}).applies);
    CHECK_FALSE(serf::query_applies({f}, "c", {}).applies);
  }

  TEST_CASE("tag filters match unanchored regexps against our tag value") {
    struct Row {
      const char* expr;
      const char* value;  // nullptr: tag unset
      bool applies;
    };
    const Row rows[] = {
        {"web", "web", true},        {"web", "webserver", true}, {"^web$", "webserver", false},
        {"db|web", "db", true},      {"^$", nullptr, true},      {"web", nullptr, false},
        {"w.b[0-9]+", "wab12", true}, {"^web", "my-web", false},
    };
    for (const auto& row : rows) {
      CAPTURE(row.expr);
      CAPTURE(row.value ? row.value : "<unset>");
      serf::Tags tags;
      if (row.value) tags["role"] = row.value;
      CHECK(serf::query_applies({encode_tag_filter("role", row.expr)}, "a", tags).applies ==
            row.applies);
    }
  }

  TEST_CASE("every filter must match") {
    const serf::Tags tags{{"role", "web"}};
    const auto node = encode_node_filter({"a"});
    CHECK(serf::query_applies({node, encode_tag_filter("role", "web")}, "a", tags).applies);
    CHECK_FALSE(serf::query_applies({node, encode_tag_filter("role", "db")}, "a", tags).applies);
    CHECK_FALSE(serf::query_applies({node, encode_tag_filter("role", "web")}, "b", tags).applies);
  }

  TEST_CASE("unusable filters mean the query does not apply, with a warning") {
    const util::Bytes unknown_type{0x07, 0x90};
    const util::Bytes truncated{0x00, 0x91};
    const util::Bytes empty;
    for (const auto& f : {unknown_type, truncated, empty}) {
      auto v = serf::query_applies({f}, "a", {});
      CHECK_FALSE(v.applies);
      CHECK_FALSE(v.warning.empty());
    }
    auto bad_regex = serf::query_applies({encode_tag_filter("role", "(")}, "a", {{"role", "x"}});
    CHECK_FALSE(bad_regex.applies);
    CHECK(bad_regex.warning == "failed to compile filter regex ((): missing ): (");
  }

  TEST_CASE("a filter regex over the size cap does not apply, and its warning is short") {
    const std::string huge(5000, '(');
    auto v = serf::query_applies({encode_tag_filter("role", huge)}, "a", {{"role", "x"}});
    CHECK_FALSE(v.applies);
    CHECK(v.warning.size() < 300);
    CHECK(v.warning.find("exceeds limit of 1024 bytes") != std::string::npos);
  }

  TEST_CASE("tag filters use Go's regexp syntax") {
    const serf::Tags tags{{"role", "Web-Server"}};
    CHECK(serf::query_applies({encode_tag_filter("role", "(?i)^web-")}, "a", tags).applies);
    CHECK(serf::query_applies({encode_tag_filter("role", "^\\pL+-")}, "a", tags).applies);
    CHECK_FALSE(serf::query_applies({encode_tag_filter("role", "^web")}, "a", tags).applies);
  }
}
