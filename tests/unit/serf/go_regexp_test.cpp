// Go regexps on RE2: Go's syntax, linear time, and the caps of serf/limits.h.
#include "serf/go_regexp.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "serf/limits.h"

namespace {

using Clock = std::chrono::steady_clock;

// Far above what RE2 needs (microseconds to a few ms) and far below what a backtracking
// engine spends on these inputs (std::regex: > 15 s, or a stack overflow).
constexpr auto prompt = std::chrono::seconds(1);

std::string nested_groups(std::size_t depth) {
  return std::string(depth, '(') + "a" + std::string(depth, ')');
}

struct Outcome {
  bool compiled = false;
  bool matched = false;
  Clock::duration took{};
};

Outcome search(const std::string& pattern, const std::string& text) {
  const auto start = Clock::now();
  auto re = serf::GoRegexp::compile(pattern);
  Outcome o;
  o.compiled = re.ok();
  o.matched = o.compiled && re->search(text);
  o.took = Clock::now() - start;
  return o;
}

}  // namespace

TEST_SUITE("serf.go_regexp") {
  TEST_CASE("Go syntax that ECMAScript regexps read differently is understood as Go reads it") {
    struct Row {
      const char* pattern;
      const char* text;
      bool matches;
    };
    const Row rows[] = {
        {"(?i)WEB", "web-1", true},          // inline flags: an error in ECMAScript
        {"\\pL", "\xc3\xa9", true},          // Unicode letter class (é)
        {"^\\pL+$", "web1", false},
        {"\\p{Greek}", "\xce\xb1", true},    // α
        {"[[:alpha:]]+", "abc", true},       // POSIX class inside brackets
        {"^[[:digit:]]+$", "12a", false},
        {"\\Qa.b\\E", "axb", false},         // \Q...\E quotes
        {"\\Qa.b\\E", "a.b", true},
        {"\\x{41}", "A", true},              // Go's hex escape
        {"(?s)a.b", "a\nb", true},           // dot matches newline only with s
        {"a.b", "a\nb", false},
        {"[^x]", "\n", true},                // negated classes match newline
        {"^b", "a\nb", false},               // ^ is the text start, not a line start
        {"(?m)^b", "a\nb", true},
        {"\\bweb\\b", "a web b", true},      // word boundary
        {"(?P<role>web)", "web", true},      // named group
        {"db|web", "web-server", true},      // unanchored, leftmost-first
        {"^$", "", true},
    };
    for (const auto& row : rows) {
      CAPTURE(row.pattern);
      CAPTURE(row.text);
      const Outcome o = search(row.pattern, row.text);
      REQUIRE(o.compiled);
      CHECK(o.matched == row.matches);
    }
  }

  TEST_CASE("patterns Go's regexp refuses do not compile") {
    for (const char* pattern : {"(", "a{1001}", "(?=web)", "(a)\\1", "a**", "\\8", "[z-a]",
                                "\xff"}) {
      CAPTURE(pattern);
      auto re = serf::GoRegexp::compile(pattern);
      REQUIRE_FALSE(re.ok());
      CHECK(re.error().code == util::Errc::malformed);
      CHECK_FALSE(re.error().detail.empty());
    }
  }

  TEST_CASE("a catastrophic backtracking pattern is answered in linear time") {
    const std::string pattern = "(.*.*)*Z";
    const std::string long_value(500, 'w');
    const Outcome tag = search(pattern, "role=web-server-eu-west-1");
    const Outcome miss = search(pattern, long_value);
    const Outcome hit = search(pattern, long_value + "Z");
    CHECK(tag.compiled);
    CHECK_FALSE(tag.matched);
    CHECK_FALSE(miss.matched);
    CHECK(hit.matched);
    CHECK(tag.took < prompt);
    CHECK(miss.took < prompt);
    CHECK(hit.took < prompt);
  }

  TEST_CASE("nesting as deep as the size cap allows compiles and matches without recursion") {
    const std::size_t depth = (serf::limits::tag_filter_pattern_bytes_max - 1) / 2;
    const std::string pattern = nested_groups(depth);
    REQUIRE(pattern.size() <= serf::limits::tag_filter_pattern_bytes_max);
    const Outcome o = search(pattern, "xa");
    CHECK(o.compiled);
    CHECK(o.matched);
    CHECK(o.took < prompt);
  }

  TEST_CASE("thousands of nested groups are refused at once, without a crash") {
    for (std::size_t depth : {5000u, 100000u}) {
      CAPTURE(depth);
      const auto start = Clock::now();
      auto re = serf::GoRegexp::compile(nested_groups(depth));
      const auto took = Clock::now() - start;
      REQUIRE_FALSE(re.ok());
      CHECK(re.error().code == util::Errc::too_large);
      CHECK(took < prompt);
    }
  }

  TEST_CASE("a pattern one byte over the size cap is refused, one at the cap is not") {
    const std::size_t cap = serf::limits::tag_filter_pattern_bytes_max;
    CHECK(serf::GoRegexp::compile(std::string(cap, 'a')).ok());
    auto over = serf::GoRegexp::compile(std::string(cap + 1, 'a'));
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().code == util::Errc::too_large);
    CHECK(over.error().detail == "regexp of 1025 bytes exceeds limit of 1024 bytes");
  }

  TEST_CASE("a short pattern whose program exceeds RE2's memory cap is refused promptly") {
    const auto start = Clock::now();
    auto re = serf::GoRegexp::compile("(?:\\pL|\\pN){1000}");
    const auto took = Clock::now() - start;
    REQUIRE_FALSE(re.ok());
    CHECK(re.error().code == util::Errc::malformed);
    CHECK(took < prompt);
    // Within the cap, the same construct compiles: the cap is not a blanket refusal.
    CHECK(serf::GoRegexp::compile("(?:\\pL|\\pN){10}").ok());
  }

  TEST_CASE("full_match needs the whole text, search any part of it") {
    auto re = serf::GoRegexp::compile("web|db");
    REQUIRE(re.ok());
    CHECK(re->full_match("web"));
    CHECK_FALSE(re->full_match("webserver"));
    CHECK(re->search("webserver"));
    CHECK_FALSE(re->search("cache"));
  }
}
