#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "runtime/logger.h"

namespace {
std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}
}  // namespace

TEST_SUITE("runtime.logger") {
  TEST_CASE("lines use Serf's format, indented by four spaces") {
    std::FILE* f = std::tmpfile();
    runtime::AgentLogger log(f);
    log.log(util::LogLevel::info, "serf", "EventMemberJoin: {} {}", "n1", "127.0.0.1");
    auto text = read_all(f);
    CHECK(text.rfind("    20", 0) == 0);  // "    YYYY/..."
    CHECK(text.find(" [INFO] serf: EventMemberJoin: n1 127.0.0.1\n") != std::string::npos);
    std::fclose(f);
  }

  TEST_CASE("lines below the level are not written") {
    std::FILE* f = std::tmpfile();
    runtime::AgentLogger log(f);
    log.set_level(util::LogLevel::warn);
    log.log(util::LogLevel::info, "agent", "quiet");
    log.log(util::LogLevel::err, "agent", "loud");
    auto text = read_all(f);
    CHECK(text.find("quiet") == std::string::npos);
    CHECK(text.find("[ERR] agent: loud") != std::string::npos);
    std::fclose(f);
  }

  TEST_CASE("held lines wait for flush_held, after raw prints") {
    std::FILE* f = std::tmpfile();
    runtime::AgentLogger log(f);
    log.hold();
    log.log(util::LogLevel::info, "agent", "early");
    log.print("==> banner\n");
    CHECK(read_all(f) == "==> banner\n");
    log.flush_held();
    auto text = read_all(f);
    CHECK(text.find("==> banner\n") == 0);
    CHECK(text.find("early") != std::string::npos);
    std::fclose(f);
  }

  TEST_CASE("a listener gets the recent lines first, then new ones, filtered by level") {
    std::FILE* f = std::tmpfile();
    runtime::AgentLogger log(f);
    log.set_level(util::LogLevel::debug);
    log.log(util::LogLevel::debug, "x", "old-debug");
    log.log(util::LogLevel::warn, "x", "old-warn");
    std::vector<std::string> got;
    auto id = log.add_listener(util::LogLevel::warn, [&](util::LogLevel, const std::string& l) { got.push_back(l); });
    log.log(util::LogLevel::err, "x", "new-err");
    log.remove_listener(id);
    log.log(util::LogLevel::err, "x", "after-remove");
    REQUIRE(got.size() == 2);
    CHECK(got[0].find("old-warn") != std::string::npos);
    CHECK(got[1].find("new-err") != std::string::npos);
    std::fclose(f);
  }

  TEST_CASE("the ring keeps only the last 512 lines") {
    std::FILE* f = std::tmpfile();
    runtime::AgentLogger log(f);
    for (int i = 0; i < 600; ++i) log.log(util::LogLevel::info, "x", "line {}", i);
    std::vector<std::string> got;
    log.add_listener(util::LogLevel::trace, [&](util::LogLevel, const std::string& l) { got.push_back(l); });
    REQUIRE(got.size() == runtime::AgentLogger::ring_lines_max);
    CHECK(got.front().find("line 88") != std::string::npos);
    std::fclose(f);
  }
}
