// swim::StreamTable: ids for stream calls in flight, and the books of a join over its seeds.
#include <doctest/doctest.h>

#include "swim/stream_table.h"

namespace {

swim::PendingStream push_pull_to(std::uint8_t host) {
  swim::PendingStream call;
  call.to = swim::Address{{10, 0, 0, host}, 7946};
  return call;
}

}  // namespace

TEST_SUITE("swim.stream_table") {
  TEST_CASE("each call gets its own id and is handed back once") {
    swim::StreamTable t;
    const swim::StreamId a = t.open(push_pull_to(2));
    const swim::StreamId b = t.open(push_pull_to(3));
    CHECK(a != b);
    CHECK(t.size() == 2);
    const auto got = t.close(b);
    REQUIRE(got.has_value());
    CHECK(got->to.ip == util::Bytes{10, 0, 0, 3});
    CHECK_FALSE(t.close(b).has_value());
    CHECK_FALSE(t.close(999).has_value());
    CHECK(t.size() == 1);
  }

  TEST_CASE("a join reports once, after its last seed, with every error line") {
    swim::StreamTable t;
    const swim::JoinId id = t.start_join(3);
    CHECK_FALSE(t.seed_done(id, std::nullopt).has_value());
    CHECK_FALSE(t.seed_done(id, std::string("Failed to join 10.0.0.9: refused")).has_value());
    const auto done = t.seed_done(id, std::nullopt);
    REQUIRE(done.has_value());
    CHECK(done->id == id);
    CHECK(done->joined == 2);
    CHECK(done->errors == std::vector<std::string>{"Failed to join 10.0.0.9: refused"});
    CHECK_FALSE(t.seed_done(id, std::nullopt).has_value());  // over and forgotten
  }

  TEST_CASE("a join without seeds is over at once and still uses a fresh id") {
    swim::StreamTable t;
    const swim::JoinResult empty = t.empty_join();
    CHECK(empty.joined == 0);
    CHECK(empty.errors.empty());
    CHECK(t.start_join(1) != empty.id);
  }
}
