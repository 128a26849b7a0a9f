// memberlist's TransmitLimitedQueue rules (swim/broadcast_queue.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "swim/broadcast_queue.h"

namespace {

std::string text(const util::Bytes& b) { return std::string(b.begin(), b.end()); }

std::vector<std::string> texts(const std::vector<util::Bytes>& v) {
  std::vector<std::string> out;
  for (const auto& b : v) out.push_back(text(b));
  return out;
}

}  // namespace

TEST_SUITE("swim.broadcast_queue") {
  TEST_CASE("larger messages go first, then newer ones") {
    swim::BroadcastQueue q(4);
    q.queue("", util::to_bytes("aa"));
    q.queue("", util::to_bytes("bbbb"));
    q.queue("", util::to_bytes("cc"));
    CHECK(texts(q.get(2, 1000, 3)) == std::vector<std::string>{"bbbb", "cc", "aa"});
  }

  TEST_CASE("messages sent fewer times go first") {
    swim::BroadcastQueue q(4);
    q.queue("", util::to_bytes("old-and-long"));
    CHECK(q.get(0, 1000, 3).size() == 1);
    q.queue("", util::to_bytes("new"));
    CHECK(texts(q.get(0, 3, 3)) == std::vector<std::string>{"new"});
  }

  TEST_CASE("a message about the same node replaces the queued one") {
    swim::BroadcastQueue q(4);
    bool finished = false;
    q.queue("n1", util::to_bytes("suspect n1"), [&] { finished = true; });
    q.queue("n2", util::to_bytes("alive n2"));
    q.queue("n1", util::to_bytes("alive n1"));
    CHECK(finished);
    CHECK(q.size() == 2);
    CHECK(texts(q.get(0, 1000, 3)) == std::vector<std::string>{"alive n1", "alive n2"});
  }

  TEST_CASE("unnamed messages are never replaced") {
    swim::BroadcastQueue q(4);
    q.queue("", util::to_bytes("x"));
    q.queue("", util::to_bytes("x"));
    CHECK(q.size() == 2);
  }

  TEST_CASE("a message is dropped after the retransmit limit") {
    swim::BroadcastQueue q(4);  // n = 3: 4 * ceil(log10(4)) = 4 transmissions
    bool finished = false;
    q.queue("n1", util::to_bytes("dead n1"), [&] { finished = true; });
    for (int i = 0; i < 3; ++i) CHECK(q.get(2, 1000, 3).size() == 1);
    CHECK_FALSE(finished);
    CHECK(q.get(2, 1000, 3).size() == 1);
    CHECK(finished);
    CHECK(q.empty());
    CHECK(q.get(2, 1000, 3).empty());
  }

  TEST_CASE("only messages that fit the byte budget are taken, with their overhead") {
    swim::BroadcastQueue q(4);
    q.queue("", util::Bytes(10, 'a'));
    q.queue("", util::Bytes(6, 'b'));
    q.queue("", util::Bytes(3, 'c'));
    // 10+2 fits in 20, then 8 bytes left: 6+2 fits, then nothing.
    auto got = q.get(2, 20, 3);
    REQUIRE(got.size() == 2);
    CHECK(got[0].size() == 10);
    CHECK(got[1].size() == 6);
    CHECK(q.size() == 3);
  }

  TEST_CASE("the count cap limits how many messages one call takes") {
    swim::BroadcastQueue q(4);
    for (int i = 0; i < 5; ++i) q.queue("", util::to_bytes("m"));
    CHECK(q.get(2, 1000, 3, 2).size() == 2);
  }

  TEST_CASE("prune keeps the messages that would be sent first") {
    swim::BroadcastQueue q(4);
    q.queue("", util::to_bytes("old"));
    CHECK(q.get(0, 1000, 3).size() == 1);
    q.queue("", util::to_bytes("new"));
    q.prune(1);
    CHECK(texts(q.get(0, 1000, 3)) == std::vector<std::string>{"new"});
  }

  TEST_CASE("a message too large for the space left is skipped for a smaller one behind it") {
    swim::BroadcastQueue q(4);
    q.queue("", util::Bytes(10, 'a'));
    q.queue("", util::Bytes(9, 'b'));
    q.queue("", util::Bytes(2, 'c'));
    // 10+2 of 16, then 2 bytes free: 9 does not fit, 2 does (with no overhead room left).
    const auto got = q.get(2, 16, 3);
    REQUIRE(got.size() == 2);
    CHECK(got[0].size() == 10);
    CHECK(got[1].size() == 2);
  }

  TEST_CASE("ten thousand named messages replaced once each leave one per name") {
    swim::BroadcastQueue q(1);  // n = 3: one transmission each
    int finished = 0;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 10000; ++i) {
        const std::string name = "n" + std::to_string(i);
        q.queue(name, util::to_bytes(name + "/" + std::to_string(round)), [&] { ++finished; });
      }
    }
    CHECK(q.size() == 10000);
    CHECK(finished == 10000);  // the replaced first round
    std::size_t taken = 0;
    for (int i = 0; i < 10000 && !q.empty(); ++i) {
      for (const auto& m : q.get(0, 1400, 3)) taken += text(m).ends_with("/1") ? 1 : 0;
    }
    CHECK(taken == 10000);
    CHECK(finished == 20000);
    CHECK(q.empty());
  }
}
