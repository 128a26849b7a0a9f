// Tests of the CLI's Go-compatible output helpers: the exact bytes Serf's CLI prints.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"

namespace {

rpc::Member member(std::string name, std::uint8_t last_octet, rpc::StringMap tags,
                   std::string status = "alive") {
  rpc::Member m;
  m.name = std::move(name);
  m.addr = {127, 0, 0, last_octet};
  m.port = 7946;
  m.tags = std::move(tags);
  m.status = std::move(status);
  m.delegate_min = 2;
  m.delegate_max = 5;
  m.delegate_cur = 4;
  return m;
}

msgpack::object_handle unpack(const util::Bytes& b) {
  return msgpack::unpack(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

TEST_SUITE("cli.output") {
  TEST_CASE("columnize aligns cells with two spaces and pads every cell but the last") {
    const std::string out =
        cli::columnize({"n1|127.0.0.1:7946|alive|", "node2|1.2.3.4:1|failed|a=b"});
    CHECK(out == "n1     127.0.0.1:7946  alive   \nnode2  1.2.3.4:1       failed  a=b");
  }

  TEST_CASE("columnize trims cells, counts code points and keeps short rows short") {
    CHECK(cli::columnize({" é | x ", "ab|y|z"}) == "é   x\nab  y  z");
    CHECK(cli::columnize({}).empty());
  }

  TEST_CASE("members text output matches serf's rows, with sorted tags") {
    std::vector<rpc::Member> ms = {member("n1", 1, {{"role", "web"}, {"dc", "east"}}),
                                   member("n3", 3, {}, "left")};
    CHECK(cli::format_members(ms, false, false) ==
          "n1  127.0.0.1:7946  alive  dc=east,role=web\nn3  127.0.0.3:7946  left   ");
    CHECK(cli::format_members(ms, true, false) ==
          "n1  127.0.0.1:7946  alive  dc=east,role=web  Protocol Version: 4  Available Protocol "
          "Range: [2, 5]\n"
          "n3  127.0.0.3:7946  left                     Protocol Version: 4  Available Protocol "
          "Range: [2, 5]");
  }

  TEST_CASE("members JSON keeps Go's field order and sorts map keys") {
    const std::string json = cli::format_members({member("n2", 2, {{"role", "db"}})}, true, true);
    CHECK(json ==
          "{\n"
          "  \"members\": [\n"
          "    {\n"
          "      \"name\": \"n2\",\n"
          "      \"addr\": \"127.0.0.2:7946\",\n"
          "      \"port\": 7946,\n"
          "      \"tags\": {\n"
          "        \"role\": \"db\"\n"
          "      },\n"
          "      \"status\": \"alive\",\n"
          "      \"protocol\": {\n"
          "        \"max\": 5,\n"
          "        \"min\": 2,\n"
          "        \"version\": 4\n"
          "      }\n"
          "    }\n"
          "  ]\n"
          "}");
  }

  TEST_CASE("no members is {\"members\": null} in JSON and nothing in text") {
    CHECK(cli::format_members({}, false, true) == "{\n  \"members\": null\n}");
    CHECK(cli::format_members({}, false, false).empty());
  }

  TEST_CASE("empty maps and arrays print as {} and []") {
    const auto empty =
        cli::Json::object({{"a", cli::Json::object({})}, {"b", cli::Json::array({})}});
    CHECK(cli::to_json(empty) ==
          "{\n  \"a\": {},\n  \"b\": []\n}");
  }

  TEST_CASE("JSON strings escape like Go: HTML characters, controls, invalid UTF-8") {
    CHECK(cli::json_quote("a<b>&\"\\") == "\"a\\u003cb\\u003e\\u0026\\\"\\\\\"");
    CHECK(cli::json_quote("x\ny\t\x01") == "\"x\\ny\\t\\u0001\"");
    CHECK(cli::json_quote("\xff") == "\"\\ufffd\"");
    CHECK(cli::json_quote("é\u2028") == "\"é\\u2028\"");
  }

  TEST_CASE("info text is sorted sections of tab-indented key = value") {
    rpc::StatsResponse st{{"serf", {{"members", "3"}, {"failed", "0"}}},
                                 {"agent", {{"name", "n1"}}}};
    CHECK(cli::format_stats(st, false) ==
          "agent:\n\tname = n1\nserf:\n\tfailed = 0\n\tmembers = 3\n");
    CHECK(cli::format_stats(st, true) ==
          "{\n  \"agent\": {\n    \"name\": \"n1\"\n  },\n  \"serf\": {\n    \"failed\": \"0\",\n"
          "    \"members\": \"3\"\n  }\n}");
  }

  TEST_CASE("base64 matches the standard alphabet with padding") {
    CHECK(cli::base64_encode(util::to_bytes("")) == "");
    CHECK(cli::base64_encode(util::to_bytes("f")) == "Zg==");
    CHECK(cli::base64_encode(util::to_bytes("fo")) == "Zm8=");
    CHECK(cli::base64_encode(util::to_bytes("foo")) == "Zm9v");
    CHECK(cli::base64_encode(util::Bytes{0xfb, 0xff}) == "+/8=");
  }

  TEST_CASE("go_quote follows strconv.Quote") {
    CHECK(cli::go_quote("x") == "\"x\"");
    CHECK(cli::go_quote("a\"b\\\n") == "\"a\\\"b\\\\\\n\"");
    CHECK(cli::go_quote("\x01\x7f") == "\"\\x01\\x7f\"");
    CHECK(cli::go_quote("\xfe") == "\"\\xfe\"");
    CHECK(cli::go_quote("é") == "\"é\"");
  }

  TEST_CASE("go_syntax prints decoded msgpack like Go's %#v") {
    CHECK(cli::go_syntax(unpack(rpc::encode(rpc::LogRecord{"hi"})).get()) ==
          "map[interface {}]interface {}{\"Log\":\"hi\"}");
    auto rec =
        unpack(rpc::encode(rpc::UserEventRecord{"user", 300, "d", {'h', 'i'}, true}));
    const auto& o = rec.get();
    REQUIRE(o.type == msgpack::type::MAP);
    CHECK(cli::go_syntax(o.via.map.ptr[1].val) == "0x12c");  // LTime 300: uint16 on the wire
    CHECK(cli::go_syntax(o.via.map.ptr[3].val) == "[]byte{0x68, 0x69}");
    CHECK(cli::go_syntax(o.via.map.ptr[4].val) == "true");
    auto small = unpack(rpc::encode(rpc::StopRequest{5}));
    CHECK(cli::go_syntax(small.get().via.map.ptr[0].val) == "5");
    auto nil = unpack(rpc::encode(rpc::QueryRecord{"done", "", {}}));
    CHECK(cli::go_syntax(nil.get().via.map.ptr[2].val) == "<nil>");
  }

  TEST_CASE("go_syntax of a member event matches serf monitor's line byte for byte") {
    rpc::Member m;
    m.name = "m2";
    m.addr = {127, 0, 0, 82};
    m.port = 17946;
    m.status = "alive";
    m.protocol_min = 1;
    m.protocol_max = 5;
    m.protocol_cur = 2;
    m.delegate_min = 2;
    m.delegate_max = 5;
    m.delegate_cur = 5;
    auto rec = unpack(rpc::encode(rpc::MemberEventRecord{"member-join", {m}}));
    // Observed from `serf monitor` (serf 0.9.4) for the same member.
    CHECK(cli::go_syntax(rec.get().via.map.ptr[1].val) ==
          "[]interface {}{map[interface {}]interface {}{\"Addr\":[]uint8{0x7f, 0x0, 0x0, 0x52}, "
          "\"DelegateCur\":5, \"DelegateMax\":5, \"DelegateMin\":2, \"Name\":\"m2\", "
          "\"Port\":0x461a, \"ProtocolCur\":2, \"ProtocolMax\":5, \"ProtocolMin\":1, "
          "\"Status\":\"alive\", \"Tags\":map[interface {}]interface {}{}}}");
  }

  TEST_CASE("TCP addresses print like Go's net.TCPAddr") {
    CHECK(cli::format_tcp_addr(util::Bytes{10, 0, 0, 1}, 80) == "10.0.0.1:80");
    util::Bytes v6(16, 0);
    v6[15] = 1;
    CHECK(cli::format_tcp_addr(v6, 7951) == "[::1]:7951");
    util::Bytes mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 2};
    CHECK(cli::format_tcp_addr(mapped, 1) == "192.168.1.2:1");
    CHECK(cli::format_tcp_addr({}, 5) == ":5");
  }

  TEST_CASE("tag pairs split at the first '=' and reject a missing key or '='") {
    auto t = cli::parse_tags({"a=b=c", "e="});
    REQUIRE(t.ok());
    CHECK(t->at("a") == "b=c");
    CHECK(t->at("e").empty());
    auto bad = cli::parse_tags({"nokey"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().detail == "Invalid tag: 'nokey'");
    CHECK_FALSE(cli::parse_tags({"=v"}).ok());
  }

  TEST_CASE("rtt distance adds heights and applies a positive adjustment") {
    rpc::Coordinate a{{0.003, 0.004}, 0, 0.0001, 0.001};
    rpc::Coordinate b{{0, 0}, 0, 0.0001, 0.001};
    CHECK(cli::coordinate_distance_s(a, b) == doctest::Approx(0.005 + 0.002 + 0.0002));
    rpc::Coordinate c{{0, 0}, 0, -1.0, 0};
    CHECK(cli::coordinate_distance_s(c, b) == doctest::Approx(0.001));  // adjusted < 0: ignored
  }

  TEST_CASE("with SIGPIPE ignored, writing to a stdout nobody reads ends the CLI by SIGPIPE") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    close(fds[0]);  // the reader is gone before anything is written
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // as main() sets it up
      std::signal(SIGPIPE, SIG_IGN);
      dup2(fds[1], STDOUT_FILENO);
      cli::StdUi ui;
      ui.out("nobody reads this");
      _exit(0);
    }
    close(fds[1]);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGPIPE);
  }

  TEST_CASE("printable spells what a terminal acts on as Go's strconv.Quote does") {
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"plain-name_1", "plain-name_1"},
        {std::string("a\0b", 3), "a\\x00b"},
        {"\n==> FAKE", "\\n==> FAKE"},
        {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},
        {"\a\b\f\r\t\v\x7f", "\\a\\b\\f\\r\\t\\v\\x7f"},
        {"\xc2\x85\xc2\x9b", "\\u0085\\u009b"},        // C1 controls: NEL, CSI
        {"\xe2\x80\xae" "evil\xe2\x80\xa8", "\\u202eevil\\u2028"},  // bidi override, separator
        {"\xff\xc3", "\\xff\\xc3"},                      // not UTF-8
        {"caf\xc3\xa9 \"q\" back\\slash", "caf\xc3\xa9 \"q\" back\\slash"},  // as Serf prints
    };
    for (const auto& row : rows) {
      CAPTURE(row.second);
      CHECK(cli::printable(row.first) == row.second);
    }
  }

  TEST_CASE("printable_lines keeps line breaks and tabs, and escapes the rest") {
    CHECK(cli::printable_lines("up 3 days\n\tload 0.1\x1b[2J") == "up 3 days\n\tload 0.1\\x1b[2J");
  }

  TEST_CASE("members text escapes peer-supplied names and tags, one row each; JSON stays exact") {
    std::vector<rpc::Member> ms = {
        member("n1", 1, {}),
        member(std::string("bad\0na\nme", 9), 2, {}),
        member("\x1b[2Jwipe", 3, {{"role", "\n==> FAKE"}}),
        member(std::string(1, '\0'), 4, {}),
        member("n5", 5, {{"k\r", "v"}}),
    };
    const std::string text = cli::format_members(ms, false, false);
    CHECK(std::count(text.begin(), text.end(), '\n') == 4);  // five rows, none split or lost
    CHECK(text.find("bad\\x00na\\nme  127.0.0.2:7946") != std::string::npos);
    CHECK(text.find("\\x1b[2Jwipe") != std::string::npos);
    CHECK(text.find("role=\\n==> FAKE") != std::string::npos);
    CHECK(text.find("\\x00           127.0.0.4:7946") != std::string::npos);
    CHECK(text.find("k\\r=v") != std::string::npos);
    const std::string json = cli::format_members(ms, false, true);
    CHECK(json.find("\"name\": \"bad\\u0000na\\nme\"") != std::string::npos);
    CHECK(json.find("\"role\": \"\\n==\\u003e FAKE\"") != std::string::npos);
    CHECK(json.find("\"name\": \"\\u001b[2Jwipe\"") != std::string::npos);
  }

  TEST_CASE("info text escapes keys and values") {
    rpc::StatsResponse st{{"tags", {{"role", "\x1b]0;title\a"}}}};
    CHECK(cli::format_stats(st, false) == "tags:\n\trole = \\x1b]0;title\\a\n");
  }
}
