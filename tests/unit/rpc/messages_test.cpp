// Tests of the command table: names on the wire and which messages carry a body.
#include <doctest/doctest.h>

#include <string>

#include "rpc/messages.h"

TEST_SUITE("rpc.messages") {
  TEST_CASE("command names round trip and unknown names are rejected") {
    for (int i = 0; i <= static_cast<int>(rpc::Command::get_coordinate); ++i) {
      auto c = static_cast<rpc::Command>(i);
      CAPTURE(rpc::command_name(c));
      CHECK(rpc::parse_command(rpc::command_name(c)) == c);
    }
    CHECK(std::string(rpc::command_name(rpc::Command::members_filtered)) == "members-filtered");
    CHECK_FALSE(rpc::parse_command("Members").has_value());
    CHECK_FALSE(rpc::parse_command("").has_value());
  }

  TEST_CASE("only members, leave, list-keys and stats requests come without a body") {
    CHECK_FALSE(rpc::request_has_body(rpc::Command::members));
    CHECK_FALSE(rpc::request_has_body(rpc::Command::leave));
    CHECK_FALSE(rpc::request_has_body(rpc::Command::list_keys));
    CHECK_FALSE(rpc::request_has_body(rpc::Command::stats));
    CHECK(rpc::request_has_body(rpc::Command::handshake));
    CHECK(rpc::request_has_body(rpc::Command::members_filtered));
    CHECK(rpc::response_has_body(rpc::Command::join));
    CHECK(rpc::response_has_body(rpc::Command::install_key));
    CHECK_FALSE(rpc::response_has_body(rpc::Command::event));
    CHECK_FALSE(rpc::response_has_body(rpc::Command::query));
  }

}
