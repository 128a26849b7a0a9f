#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "agent/tags_file.h"
#include "agent/yaml_json.h"
#include "temp_dir.h"

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_SUITE("agent.tags_file") {
  TEST_CASE("tags are written as indented json with sorted keys") {
    CHECK(agent::encode_tags_file({}) == "{}");
    CHECK(agent::encode_tags_file({{"role", "web"}}) == "{\n  \"role\": \"web\"\n}");
    CHECK(agent::encode_tags_file({{"b", "2"}, {"a", ""}}) ==
          "{\n  \"a\": \"\",\n  \"b\": \"2\"\n}");
  }

  TEST_CASE("json strings are escaped like go's encoder") {
    CHECK(agent::json_quote("plain") == "\"plain\"");
    CHECK(agent::json_quote("q\"b\\") == "\"q\\\"b\\\\\"");
    CHECK(agent::json_quote("a\nb\tc\r") == "\"a\\nb\\tc\\r\"");
    CHECK(agent::json_quote(std::string("\x01", 1)) == "\"\\u0001\"");
    CHECK(agent::json_quote("<a&b>") == "\"\\u003ca\\u0026b\\u003e\"");
    CHECK(agent::json_quote("\xE2\x80\xA8") == "\"\\u2028\"");
    CHECK(agent::json_quote("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  }

  TEST_CASE("a written tags file reads back the same tags, with mode 0600") {
    test::TempDir dir;
    const std::string path = dir.file("tags.json");
    const serf::Tags tags{{"role", "db"}, {"dc", "east<1>"}, {"empty", ""}, {"q", "a\"b"}};
    REQUIRE(agent::write_tags_file(path, tags).ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto back = agent::read_tags_file(path);
    REQUIRE(back.ok());
    REQUIRE(back->has_value());
    CHECK(**back == tags);
  }

  TEST_CASE("rewriting a tags file replaces its content") {
    test::TempDir dir;
    const std::string path = dir.file("tags.json");
    REQUIRE(agent::write_tags_file(path, {{"a", "a-very-long-value"}}).ok());
    REQUIRE(agent::write_tags_file(path, {}).ok());
    CHECK(slurp(path) == "{}");
  }

  TEST_CASE("a missing tags file means no stored tags") {
    test::TempDir dir;
    auto tags = agent::read_tags_file(dir.file("nope.json"));
    REQUIRE(tags.ok());
    CHECK_FALSE(tags->has_value());
  }

  TEST_CASE("an unwritable tags file path fails with serf's text") {
    test::TempDir dir;
    auto st = agent::write_tags_file(dir.file("no/such/dir.json"), {});
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().detail == "Failed to write tags file: open " + dir.file("no/such/dir.json") +
                                   ": no such file or directory");
  }

  TEST_CASE("tags files decode like go's json into map[string]string") {
    struct Row {
      const char* text;
      bool ok;
      const char* error;
    };
    const Row rows[] = {
        {"{\"a\": \"1\"}", true, ""},
        {"null", true, ""},
        {"{}", true, ""},
        {"{\"a\": null}", true, ""},
        {"{\"a\": 1}", false,
         "Failed to decode tags file: json: cannot unmarshal number into Go value of type string"},
        {"{\"a\": true}", false,
         "Failed to decode tags file: json: cannot unmarshal bool into Go value of type string"},
        {"{\"a\": {}}", false,
         "Failed to decode tags file: json: cannot unmarshal object into Go value of type string"},
        {"[1]", false,
         "Failed to decode tags file: json: cannot unmarshal array into Go value of type "
         "map[string]string"},
        {"\"x\"", false,
         "Failed to decode tags file: json: cannot unmarshal string into Go value of type "
         "map[string]string"},
        {"", false, "Failed to decode tags file: unexpected end of JSON input"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      auto tags = agent::parse_tags_file(row.text);
      CHECK(tags.ok() == row.ok);
      if (!row.ok && !tags.ok()) CHECK(tags.error().detail == row.error);
    }
  }

  TEST_CASE("a truncated tags file is a decode error") {
    auto tags = agent::parse_tags_file("{\"a\": \"b\"");
    REQUIRE_FALSE(tags.ok());
    CHECK(tags.error().detail.rfind("Failed to decode tags file: ", 0) == 0);
  }

  TEST_CASE("a stray comma after the tags object is ignored, not an endless parse") {
    auto tags = agent::parse_tags_file("{\"a\": \"b\"},\n,");
    REQUIRE(tags.ok());
    CHECK(*tags == serf::Tags{{"a", "b"}});
    CHECK_FALSE(agent::parse_tags_file(",").ok());
  }

  TEST_CASE("null tag values decode as empty strings") {
    auto tags = agent::parse_tags_file("{\"a\": null, \"b\": \"x\"}");
    REQUIRE(tags.ok());
    CHECK(*tags == serf::Tags{{"a", ""}, {"b", "x"}});
  }
}
