#include <doctest/doctest.h>

#include <unistd.h>

#include <climits>
#include <string>
#include <vector>

#include "agent/config.h"
#include "temp_dir.h"
#include "util/flags.h"

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

namespace {

util::Result<agent::Config> load(const Args& args) { return agent::load_config(args); }

std::string load_error(const Args& args) {
  auto c = load(args);
  return c.ok() ? std::string("<ok>") : c.error().detail;
}

std::string hostname() {
  char buf[HOST_NAME_MAX + 1] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

TEST_SUITE("agent.config") {
  TEST_CASE("no arguments give serf's defaults") {
    auto c = load({});
    REQUIRE(c.ok());
    CHECK(c->node_name == hostname());
    CHECK(c->bind == "0.0.0.0");
    CHECK(c->bind_addr == agent::HostPort{"0.0.0.0", 7946, ""});
    CHECK_FALSE(c->advertise_addr.has_value());
    CHECK(c->rpc_addr == "127.0.0.1:7373");
    CHECK(c->log_level == "INFO");
    CHECK(c->level == util::LogLevel::info);
    CHECK(c->profile == "lan");
    CHECK(c->protocol == 5);
    CHECK(c->retry_interval == 30s);
    CHECK(c->retry_max_attempts == 0);
    CHECK(c->broadcast_timeout == 5s);
    CHECK(c->reconnect_interval == 30s);
    CHECK(c->reconnect_timeout == 24h);
    CHECK(c->tombstone_timeout == 24h);
    CHECK(c->enable_compression);
    CHECK(c->syslog_facility == "LOCAL0");
    CHECK(c->query_response_size_limit == 1024);
    CHECK(c->query_size_limit == 1024);
    CHECK(c->user_event_size_limit == 512);
    CHECK(c->tags.empty());
    CHECK(c->encrypt_key_bytes.empty());
    CHECK(c->warnings.empty());
  }

  TEST_CASE("every agent flag sets its field") {
    auto c = load({"-bind=127.0.0.1:7950", "-advertise=10.0.0.1", "-encrypt=AAAAAAAAAAAAAAAAAAAAAA==",
                   "-event-handler=a.sh", "-event-handler=user:x=b.sh", "-join=j1", "-join=j2",
                   "-replay", "-log-level=debug", "-node=n1", "-protocol=3", "-rpc-addr=127.0.0.1:1",
                   "-profile=wan", "-snapshot=/tmp/snap", "-tag", "a=1", "-tag=b=", "-discover=c",
                   "-syslog", "-retry-join=r1", "-retry-max=4", "-retry-interval=2s", "-rejoin",
                   "-disable-compression", "-broadcast-timeout=7s", "-mdns-disable-ipv6"});
    REQUIRE(c.ok());
    CHECK(c->bind_addr == agent::HostPort{"127.0.0.1", 7950, ""});
    REQUIRE(c->advertise_addr.has_value());
    CHECK(*c->advertise_addr == agent::HostPort{"10.0.0.1", 7946, ""});
    CHECK(c->encrypt_key_bytes == util::Bytes(16, 0));
    CHECK(c->event_handlers == Args{"a.sh", "user:x=b.sh"});
    CHECK(c->start_join == Args{"j1", "j2"});
    CHECK(c->replay_on_join);
    CHECK(c->level == util::LogLevel::debug);
    CHECK(c->node_name == "n1");
    CHECK(c->protocol == 3);
    CHECK(c->rpc_addr == "127.0.0.1:1");
    CHECK(c->profile == "wan");
    CHECK(c->snapshot_path == "/tmp/snap");
    CHECK(c->tags == serf::Tags{{"a", "1"}, {"b", ""}});
    CHECK(c->discover == "c");
    CHECK(c->enable_syslog);
    CHECK(c->retry_join == Args{"r1"});
    CHECK(c->retry_max_attempts == 4);
    CHECK(c->retry_interval == 2s);
    CHECK(c->rejoin_after_leave);
    CHECK_FALSE(c->enable_compression);
    CHECK(c->broadcast_timeout == 7s);
    CHECK(c->mdns.disable_ipv6);
    CHECK(c->warnings.empty());
  }

  TEST_CASE("protocol 0 or a negative protocol flag keeps the default") {
    for (const char* p : {"-protocol=0", "-protocol=-1"}) {
      CAPTURE(p);
      auto c = load({p, "-node=n"});
      REQUIRE(c.ok());
      CHECK(c->protocol == 5);
    }
  }
}

TEST_SUITE("agent.config.merge") {
  TEST_CASE("a later non-empty string or non-zero number overrides") {
    agent::Config a = agent::blank_config(), b = agent::blank_config();
    a.node_name = "a";
    a.rpc_auth = "secret";
    a.retry_max_attempts = 3;
    a.query_size_limit = 100;
    a.reconnect_timeout = 1h;
    b.node_name = "b";
    b.retry_max_attempts = -1;
    b.user_event_size_limit = 9;
    auto r = agent::merge_config(a, b);
    CHECK(r.node_name == "b");
    CHECK(r.rpc_auth == "secret");
    CHECK(r.retry_max_attempts == -1);
    CHECK(r.query_size_limit == 100);
    CHECK(r.user_event_size_limit == 9);
    CHECK(r.reconnect_timeout == 1h);
  }

  TEST_CASE("protocol overrides only when positive") {
    agent::Config a = agent::blank_config(), b = agent::blank_config();
    a.protocol = 4;
    b.protocol = -1;
    CHECK(agent::merge_config(a, b).protocol == 4);
    b.protocol = 2;
    CHECK(agent::merge_config(a, b).protocol == 2);
  }

  TEST_CASE("a later true turns a bool on and a later false cannot turn it off") {
    agent::Config a = agent::blank_config(), b = agent::blank_config();
    a.leave_on_terminate = true;
    b.skip_leave_on_interrupt = true;
    b.mdns.disable_ipv4 = true;
    auto r = agent::merge_config(a, b);
    CHECK(r.leave_on_terminate);
    CHECK(r.skip_leave_on_interrupt);
    CHECK(r.mdns.disable_ipv4);
    CHECK_FALSE(r.mdns.disable_ipv6);
  }

  TEST_CASE("enable_compression always comes from the later layer") {
    agent::Config a = agent::blank_config(), b = agent::blank_config();
    a.enable_compression = true;
    b.enable_compression = false;
    CHECK_FALSE(agent::merge_config(a, b).enable_compression);
  }

  TEST_CASE("tags merge key by key and lists are appended") {
    agent::Config a = agent::blank_config(), b = agent::blank_config();
    a.tags = {{"x", "1"}, {"y", "1"}};
    b.tags = {{"y", "2"}, {"z", "2"}};
    a.event_handlers = {"h1"};
    b.event_handlers = {"h2"};
    a.start_join = {"j1"};
    b.start_join = {"j2"};
    a.retry_join = {"r1"};
    b.retry_join = {"r2", "r3"};
    auto r = agent::merge_config(a, b);
    CHECK(r.tags == serf::Tags{{"x", "1"}, {"y", "2"}, {"z", "2"}});
    CHECK(r.event_handlers == Args{"h1", "h2"});
    CHECK(r.start_join == Args{"j1", "j2"});
    CHECK(r.retry_join == Args{"r1", "r2", "r3"});
  }

  TEST_CASE("flags override config files, files override defaults") {
    test::TempDir dir;
    auto f = dir.write("a.json", R"({"node_name": "file", "log_level": "warn", "protocol": 4,
                                     "tags": {"a": "file", "b": "file"}, "start_join": ["f1"],
                                     "replay_on_join": true})");
    auto c = load({"-config-file=" + f, "-node=flag", "-tag=b=flag", "-join=c1", "-replay=false"});
    REQUIRE(c.ok());
    CHECK(c->node_name == "flag");
    CHECK(c->level == util::LogLevel::warn);
    CHECK(c->protocol == 4);
    CHECK(c->tags == serf::Tags{{"a", "file"}, {"b", "flag"}});
    CHECK(c->start_join == Args{"f1", "c1"});
    CHECK(c->replay_on_join);  // -replay=false cannot turn it off
    CHECK(c->config_paths == Args{f});
  }

  TEST_CASE("enable_compression in a file is ignored, -disable-compression is not") {
    test::TempDir dir;
    auto off = dir.write("off.json", R"({"enable_compression": false})");
    auto c = load({"-config-file=" + off, "-node=n"});
    REQUIRE(c.ok());
    CHECK(c->enable_compression);
    c = load({"-config-file=" + off, "-node=n", "-disable-compression"});
    REQUIRE(c.ok());
    CHECK_FALSE(c->enable_compression);
  }

  TEST_CASE("role is copied into the role tag with a deprecation warning") {
    auto c = load({"-role=web", "-tag=role=db", "-node=n"});
    REQUIRE(c.ok());
    CHECK(c->tags == serf::Tags{{"role", "web"}});
    CHECK(c->warnings == Args{"Deprecation warning: 'Role' has been replaced with 'Tags'"});
  }

  TEST_CASE("an empty node name becomes the hostname") {
    test::TempDir dir;
    auto f = dir.write("a.json", R"({"node_name": ""})");
    auto c = load({"-config-file=" + f});
    REQUIRE(c.ok());
    CHECK(c->node_name == hostname());
  }
}

TEST_SUITE("agent.config.files") {
  TEST_CASE("a config dir is read in lexical order, without subfolders or other files") {
    test::TempDir dir;
    dir.write("conf/2-b.json", R"({"node_name": "two", "start_join": ["b"]})");
    dir.write("conf/10-a.json", R"({"node_name": "ten", "rpc_auth": "x", "start_join": ["a"]})");
    dir.write("conf/3.yaml", "start_join: [c]\n");
    dir.write("conf/4.yml", "start_join:\n  - d\n");
    dir.write("conf/5.txt", "not config");
    dir.write("conf/sub/9.json", R"({"node_name": "sub"})");
    auto c = load({"-config-dir=" + dir.file("conf")});
    REQUIRE(c.ok());
    CHECK(c->node_name == "two");
    CHECK(c->rpc_auth == "x");
    CHECK(c->start_join == Args{"a", "b", "c", "d"});
  }

  TEST_CASE("config files and dirs are read in command-line order") {
    test::TempDir dir;
    auto first = dir.write("first.json", R"({"node_name": "first", "retry_join": ["f"]})");
    dir.write("d/x.json", R"({"node_name": "dir", "retry_join": ["d"]})");
    auto last = dir.write("last.json", R"({"retry_join": ["l"]})");
    auto c = load({"-config-file", first, "-config-dir", dir.file("d"), "-config-file=" + last});
    REQUIRE(c.ok());
    CHECK(c->node_name == "dir");
    CHECK(c->retry_join == Args{"f", "d", "l"});
  }

  TEST_CASE("a json file sets every key") {
    auto layer = agent::decode_config(R"({
      "node_name": "n", "role": "r", "disable_coordinates": true, "tags": {"k": "v"},
      "tags_file": "/t", "bind": "1.2.3.4", "advertise": "5.6.7.8:9", "encrypt_key": "k",
      "keyring_file": "/k", "log_level": "err", "rpc_addr": "a:1", "rpc_auth": "s",
      "protocol": 3, "replay_on_join": true, "query_response_size_limit": 11,
      "query_size_limit": 12, "user_event_size_limit": 13, "start_join": ["s"],
      "event_handlers": ["e"], "profile": "local", "snapshot_path": "/s",
      "leave_on_terminate": true, "skip_leave_on_interrupt": true, "discover": "d",
      "mdns": {"interface": "eth9", "disable_ipv4": true, "disable_ipv6": false},
      "interface": "i", "reconnect_interval": "1m", "reconnect_timeout": "2h",
      "tombstone_timeout": "3h", "disable_name_resolution": true, "enable_syslog": true,
      "syslog_facility": "LOCAL3", "retry_join": ["rj"], "retry_max_attempts": 5,
      "retry_interval": "4s", "rejoin_after_leave": true, "enable_compression": true,
      "statsite_addr": "st:1", "statsd_addr": "sd:2", "broadcast_timeout": "6s",
      "validate_node_names": true})");
    REQUIRE(layer.ok());
    const auto& c = *layer;
    CHECK(c.node_name == "n");
    CHECK(c.role == "r");
    CHECK(c.disable_coordinates);
    CHECK(c.tags == serf::Tags{{"k", "v"}});
    CHECK(c.tags_file == "/t");
    CHECK(c.bind == "1.2.3.4");
    CHECK(c.advertise == "5.6.7.8:9");
    CHECK(c.encrypt_key == "k");
    CHECK(c.keyring_file == "/k");
    CHECK(c.log_level == "err");
    CHECK(c.rpc_addr == "a:1");
    CHECK(c.rpc_auth == "s");
    CHECK(c.protocol == 3);
    CHECK(c.replay_on_join);
    CHECK(c.query_response_size_limit == 11);
    CHECK(c.query_size_limit == 12);
    CHECK(c.user_event_size_limit == 13);
    CHECK(c.start_join == Args{"s"});
    CHECK(c.event_handlers == Args{"e"});
    CHECK(c.profile == "local");
    CHECK(c.snapshot_path == "/s");
    CHECK(c.leave_on_terminate);
    CHECK(c.skip_leave_on_interrupt);
    CHECK(c.discover == "d");
    CHECK(c.mdns.interface == "eth9");
    CHECK(c.mdns.disable_ipv4);
    CHECK_FALSE(c.mdns.disable_ipv6);
    CHECK(c.interface == "i");
    CHECK(c.reconnect_interval == 1min);
    CHECK(c.reconnect_timeout == 2h);
    CHECK(c.tombstone_timeout == 3h);
    CHECK(c.disable_name_resolution);
    CHECK(c.enable_syslog);
    CHECK(c.syslog_facility == "LOCAL3");
    CHECK(c.retry_join == Args{"rj"});
    CHECK(c.retry_max_attempts == 5);
    CHECK(c.retry_interval == 4s);
    CHECK(c.rejoin_after_leave);
    CHECK(c.enable_compression);
    CHECK(c.statsite_addr == "st:1");
    CHECK(c.statsd_addr == "sd:2");
    CHECK(c.broadcast_timeout == 6s);
    CHECK(c.validate_node_names);
  }

  TEST_CASE("a yaml file is read like json") {
    auto layer = agent::decode_config(
        "node_name: y1\nprotocol: 4\nreplay_on_join: true\ntags:\n  role: web\n  dc: \"1\"\n"
        "retry_interval: 10s\nevent_handlers:\n  - member-join=join.sh\n");
    REQUIRE(layer.ok());
    CHECK(layer->node_name == "y1");
    CHECK(layer->protocol == 4);
    CHECK(layer->replay_on_join);
    CHECK(layer->tags == serf::Tags{{"role", "web"}, {"dc", "1"}});
    CHECK(layer->retry_interval == 10s);
    CHECK(layer->event_handlers == Args{"member-join=join.sh"});
  }

  TEST_CASE("keys match case-insensitively, nulls are skipped, numbers truncate to ints") {
    auto layer = agent::decode_config(
        R"({"Node_Name": "n", "protocol": 3.5, "rpc_addr": null, "tags": null,
            "start_join": ["a", null], "mdns": null})");
    REQUIRE(layer.ok());
    CHECK(layer->node_name == "n");
    CHECK(layer->protocol == 3);
    CHECK(layer->rpc_addr.empty());
    CHECK(layer->start_join == Args{"a", ""});
  }

  TEST_CASE("a repeated key takes its last value, as go's decoder does") {
    auto layer = agent::decode_config(R"({"node_name": "a", "node_name": "b"})");
    REQUIRE(layer.ok());
    CHECK(layer->node_name == "b");
  }

  TEST_CASE("a quoted yaml number is a string") {
    auto layer = agent::decode_config("protocol: '3'\n");
    REQUIRE_FALSE(layer.ok());
    CHECK(layer.error().detail ==
          "1 error(s) decoding:\n\n* 'protocol' expected type 'int', got unconvertible type "
          "'string', value: '3'");
  }

  TEST_CASE("a file that is json null or an empty object sets nothing") {
    for (const char* text : {"null", "{}"}) {
      CAPTURE(text);
      auto layer = agent::decode_config(text);
      REQUIRE(layer.ok());
      CHECK(layer->node_name.empty());
      CHECK(layer->protocol == 0);
    }
  }

  TEST_CASE("bad config documents fail with serf's texts") {
    struct Row {
      const char* text;
      const char* error;
    };
    const Row rows[] = {
        {R"({"bogus_key": 1, "node_name": "x"})",
         "1 error(s) decoding:\n\n* '' has invalid keys: bogus_key"},
        {R"({"zz": 1, "bogus": 2})", "1 error(s) decoding:\n\n* '' has invalid keys: bogus, zz"},
        {R"({"protocol": "abc"})",
         "1 error(s) decoding:\n\n* 'protocol' expected type 'int', got unconvertible type "
         "'string', value: 'abc'"},
        {R"({"tags": {"a": 1}})",
         "1 error(s) decoding:\n\n* 'tags[a]' expected type 'string', got unconvertible type "
         "'float64', value: '1'"},
        {R"({"replay_on_join": "yes"})",
         "1 error(s) decoding:\n\n* 'replay_on_join' expected type 'bool', got unconvertible "
         "type 'string', value: 'yes'"},
        {R"({"start_join": "a"})",
         "1 error(s) decoding:\n\n* 'start_join': source data must be an array or slice, got "
         "string"},
        {R"({"event_handlers": [1, "a"]})",
         "1 error(s) decoding:\n\n* 'event_handlers[0]' expected type 'string', got "
         "unconvertible type 'float64', value: '1'"},
        {R"({"tags": ["a"]})", "1 error(s) decoding:\n\n* 'tags' expected a map, got 'slice'"},
        {R"({"mdns": {"x": 1}})", "1 error(s) decoding:\n\n* 'mdns' has invalid keys: x"},
        {R"({"mdns": {"disable_ipv4": "t"}})",
         "1 error(s) decoding:\n\n* 'mdns.disable_ipv4' expected type 'bool', got unconvertible "
         "type 'string', value: 't'"},
        {"[1]", "'' expected a map, got 'slice'"},
        {"", "EOF"},
        {"  # only a comment\n", "EOF"},
        {",", "invalid character ',' looking for beginning of value"},
        {" \n,{}", "invalid character ',' looking for beginning of value"},
        {R"({"reconnect_interval": "10x"})", "time: unknown unit \"x\" in duration \"10x\""},
        {R"({"retry_interval": "abc", "broadcast_timeout": "1"})",
         "time: invalid duration \"abc\""},
    };
    for (const auto& row : rows) {
      CAPTURE(row.text);
      auto layer = agent::decode_config(row.text);
      REQUIRE_FALSE(layer.ok());
      CHECK(layer.error().detail == row.error);
    }
  }

  // Go's json.Decoder reads one value and ignores what follows; yaml-cpp 0.7's LoadAll would
  // loop forever allocating on the stray commas (found by fuzz_config).
  TEST_CASE("only the first document is read, so trailing commas and documents are ignored") {
    for (const std::string text : {R"({"node_name": "n1"},)", "{\"node_name\": \"n1\"}\n,,,\n",
                                   "{\"node_name\": \"n1\"}\n{\"node_name\": \"n2\"}"}) {
      CAPTURE(text);
      auto layer = agent::decode_config(text);
      REQUIRE(layer.ok());
      CHECK(layer->node_name == "n1");
    }
  }

  TEST_CASE("several decoding errors are listed sorted, like mapstructure") {
    auto layer = agent::decode_config(
        R"({"zz":1,"protocol": "abc", "bogus":2, "node_name": 5, "tags": {"b": true, "a": 1},
            "retry_interval": 5})");
    REQUIRE_FALSE(layer.ok());
    CHECK(layer.error().detail ==
          "6 error(s) decoding:\n\n"
          "* '' has invalid keys: bogus, zz\n"
          "* 'node_name' expected type 'string', got unconvertible type 'float64', value: '5'\n"
          "* 'protocol' expected type 'int', got unconvertible type 'string', value: 'abc'\n"
          "* 'retry_interval' expected type 'string', got unconvertible type 'float64', value: "
          "'5'\n"
          "* 'tags[a]' expected type 'string', got unconvertible type 'float64', value: '1'\n"
          "* 'tags[b]' expected type 'string', got unconvertible type 'bool', value: 'true'");
  }

  TEST_CASE("file errors name the file") {
    test::TempDir dir;
    auto bad = dir.write("bad.json", R"({"bogus_key": 1})");
    CHECK(load_error({"-config-file=" + bad}) ==
          "Error decoding '" + bad + "': 1 error(s) decoding:\n\n* '' has invalid keys: bogus_key");
    auto dur = dir.write("d/dur.json", R"({"tombstone_timeout": "10x"})");
    CHECK(load_error({"-config-dir=" + dir.file("d")}) ==
          "Error decoding '" + dur + "': time: unknown unit \"x\" in duration \"10x\"");
    auto missing = dir.file("missing.json");
    CHECK(load_error({"-config-file=" + missing}) ==
          "Error reading '" + missing + "': open " + missing + ": no such file or directory");
    auto empty = dir.write("empty.json", "  \n");
    CHECK(load_error({"-config-file=" + empty}) == "Error decoding '" + empty + "': EOF");
  }

  TEST_CASE("a json syntax error names the file and the position") {
    test::TempDir dir;
    auto bad = dir.write("bad.json", "{\"node_name\": ");
    auto err = load_error({"-config-file=" + bad});
    CHECK(err.rfind("Error decoding '" + bad + "': ", 0) == 0);
    CHECK(err.find("line 1") != std::string::npos);
  }
}

TEST_SUITE("agent.config.validation") {
  TEST_CASE("invalid settings fail with serf's messages") {
    struct Row {
      Args args;
      const char* error;
    };
    const Row rows[] = {
        {{"-tag=x"}, "Error: Invalid tag: 'x'"},
        {{"-tag", "=v"}, "Error: Invalid tag: '=v'"},
        {{"-retry-interval=abc"}, "Error: time: invalid duration \"abc\""},
        {{"-broadcast-timeout=5"}, "Error: time: missing unit in duration \"5\""},
        {{"-log-level=foo"},
         "Invalid log level: FOO. Valid log levels are: [TRACE DEBUG INFO WARN ERR]"},
        {{"-log-level=error"},
         "Invalid log level: ERROR. Valid log levels are: [TRACE DEBUG INFO WARN ERR]"},
        {{"-profile=foo"}, "Unknown profile: foo"},
        {{"-bind=::1"}, "Invalid bind address: address ::1: too many colons in address"},
        {{"-advertise=1.2.3.4:x"}, "Invalid advertise address: lookup tcp/x: unknown port"},
        {{"-encrypt=abc"}, "Invalid encryption key: illegal base64 data at input byte 0"},
        {{"-encrypt=ab!d"}, "Invalid encryption key: illegal base64 data at input byte 2"},
        {{"-encrypt=ab=d"}, "Invalid encryption key: illegal base64 data at input byte 2"},
        {{"-encrypt=a==="}, "Invalid encryption key: illegal base64 data at input byte 1"},
        {{"-encrypt=ab="}, "Invalid encryption key: illegal base64 data at input byte 3"},
        {{"-encrypt=AAAA===="}, "Invalid encryption key: illegal base64 data at input byte 4"},
        {{"-encrypt=ab=="}, "<ok>"},
        {{"-encrypt=abc=x"}, "Invalid encryption key: illegal base64 data at input byte 4"},
        {{"-protocol=1"},
         "Failed to start the Serf agent: Error creating Serf: Protocol version '1' too low. "
         "Must be in range: [2, 5]"},
        {{"-protocol=9"},
         "Failed to start the Serf agent: Error creating Serf: Protocol version '9' too high. "
         "Must be in range: [2, 5]"},
        {{"-tags-file=/tmp/x", "-tag=a=b"},
         "Failed to setup the Serf agent: Tags config not allowed while using tag files"},
        {{"-tags-file=/tmp/x", "-role=r"},
         "Failed to setup the Serf agent: Tags config not allowed while using tag files"},
        {{"-keyring-file=/tmp/k", "-encrypt=AAAA"},
         "Failed to setup the Serf agent: Encryption key not allowed while using a keyring"},
        {{"-event-handler=foo=bar"}, "Invalid event script: Event 'foo' invoking 'bar'"},
        {{"-event-handler=user:x,member-joins=bar"},
         "Invalid event script: Event 'member-joins' invoking 'bar'"},
        {{"-event-handler=member-join,user:deploy,query:q,*=ok.sh"}, "<ok>"},
        {{"-event-handler=a=b=c"}, "Invalid event script: Event 'a' invoking 'b=c'"},
        {{"-iface=shoal-no-such-if0"},
         "Invalid network interface: route ip+net: no such network interface"},
        {{"-mdns-iface=lo"}, "mDNS interface specified without enabling mDNS discovery"},
        {{"-mdns-iface=shoal-no-such-if0", "-discover=c"},
         "Invalid mDNS network interface: route ip+net: no such network interface"},
        {{"-mdns-disable-ipv4", "-mdns-disable-ipv6"},
         "Invalid mDNS configuration: both IPv4 and IPv6 are disabled"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.args[0]);
      Args args = row.args;
      args.push_back("-node=n");
      CHECK(load_error(args) == row.error);
    }
  }

  TEST_CASE("a user event size limit above the hard cap is refused") {
    test::TempDir dir;
    auto f = dir.write("a.json", R"({"user_event_size_limit": 9217})");
    CHECK(load_error({"-config-file=" + f, "-node=n"}) ==
          "Failed to start the Serf agent: Error creating Serf: user event size limit exceeds "
          "limit of 9216 bytes");
  }

  TEST_CASE("log levels are case-insensitive") {
    auto c = load({"-log-level=trace", "-node=n"});
    REQUIRE(c.ok());
    CHECK(c->level == util::LogLevel::trace);
  }

  TEST_CASE("too short retry interval and broadcast timeout are raised to 1s with warnings") {
    auto c = load({"-retry-interval=100ms", "-broadcast-timeout=1ms", "-rejoin", "-node=n"});
    REQUIRE(c.ok());
    CHECK(c->retry_interval == 1s);
    CHECK(c->broadcast_timeout == 1s);
    CHECK(c->warnings == Args{"Warning: 'RetryInterval' is too low. Setting to 1s",
                              "Warning: 'BroadcastTimeout' is too low. Setting to 1s",
                              "Warning: 'RejoinAfterLeave' enabled without snapshot file"});
  }

  TEST_CASE("flag syntax errors are told apart from config errors") {
    auto c = load({"-nope"});
    REQUIRE_FALSE(c.ok());
    CHECK(agent::is_flag_error(c.error()));
    CHECK(c.error().detail == "flag provided but not defined: -nope");
    c = load({"-protocol=x"});
    REQUIRE_FALSE(c.ok());
    CHECK(agent::is_flag_error(c.error()));
    CHECK(c.error().detail == "invalid value \"x\" for flag -protocol: parse error");
    c = load({"-profile=foo", "-node=n"});
    REQUIRE_FALSE(c.ok());
    CHECK_FALSE(agent::is_flag_error(c.error()));
  }

  TEST_CASE("-h asks for help") {
    auto c = load({"-h"});
    REQUIRE_FALSE(c.ok());
    CHECK(util::FlagSet::is_help(c.error()));
    CHECK_FALSE(agent::is_flag_error(c.error()));
  }

  TEST_CASE("tag arguments split on the first equals sign") {
    auto tags = agent::parse_tag_args(Args{"a=1", "b=x=y", "c="});
    REQUIRE(tags.ok());
    CHECK(*tags == serf::Tags{{"a", "1"}, {"b", "x=y"}, {"c", ""}});
    auto bad = agent::parse_tag_args(Args{"a=1", "nokey"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().detail == "Invalid tag: 'nokey'");
  }

  TEST_CASE("the usage text is serf's, named shoal") {
    auto usage = agent::agent_usage();
    CHECK(usage.rfind("Usage: shoal agent [options]\n", 0) == 0);
    for (const char* flag : {"-bind=", "-advertise=", "-config-file=", "-config-dir=",
                             "-encrypt=", "-keyring-file", "-event-handler=", "-join=",
                             "-log-level=", "-node=", "-profile=", "-protocol=", "-rejoin",
                             "-retry-join=", "-retry-interval=", "-retry-max=", "-role=",
                             "-rpc-addr=", "-snapshot=", "-tag ", "-tags-file=", "-syslog",
                             "-broadcast-timeout=", "-disable-compression", "-iface",
                             "-mdns-iface", "-discover="}) {
      CAPTURE(flag);
      CHECK(usage.find("  " + std::string(flag)) != std::string::npos);
    }
  }
}

TEST_SUITE("agent.config.serf") {
  TEST_CASE("the serf config takes the profile's timings and the agent's settings") {
    test::TempDir dir;
    auto f = dir.write("a.json", R"({"reconnect_timeout": "1h", "disable_name_resolution": true,
                                     "disable_coordinates": true, "query_size_limit": 2000})");
    auto c = load({"-config-file=" + f, "-node=n1", "-profile=wan", "-protocol=4", "-tag=a=b",
                   "-broadcast-timeout=9s", "-disable-compression"});
    REQUIRE(c.ok());
    swim::Address adv{{127, 0, 0, 1}, 7946};
    auto s = agent::to_serf_config(*c, adv);
    CHECK(s.memberlist.name == "n1");
    CHECK(s.memberlist.advertise == adv);
    CHECK(s.memberlist.probe_interval == swim::Config::wan().probe_interval);
    CHECK(s.memberlist.gossip_nodes == swim::Config::wan().gossip_nodes);
    CHECK_FALSE(s.memberlist.enable_compression);
    CHECK(s.memberlist.vsn.dcur == 4);
    CHECK(s.protocol == 4);
    CHECK(s.tags == serf::Tags{{"a", "b"}});
    CHECK(s.broadcast_timeout == 9s);
    CHECK(s.reconnect_interval == 30s);
    CHECK(s.reconnect_timeout == 1h);
    CHECK(s.tombstone_timeout == 24h);
    CHECK_FALSE(s.enable_name_conflict_resolution);
    CHECK(s.disable_coordinates);
    CHECK(s.query_size_limit == 2000);
    CHECK(s.query_response_size_limit == 1024);
    CHECK(s.user_event_size_limit == 512);
  }

  TEST_CASE("each profile selects its memberlist timings") {
    struct Row {
      const char* profile;
      swim::Config want;
    };
    const Row rows[] = {{"lan", swim::Config::lan()},
                        {"wan", swim::Config::wan()},
                        {"local", swim::Config::local()}};
    for (const auto& row : rows) {
      CAPTURE(row.profile);
      auto c = load({std::string("-profile=") + row.profile, "-node=n"});
      REQUIRE(c.ok());
      auto s = agent::to_serf_config(*c, swim::Address{{10, 0, 0, 1}, 1});
      CHECK(s.memberlist.gossip_interval == row.want.gossip_interval);
      CHECK(s.memberlist.probe_timeout == row.want.probe_timeout);
      CHECK(s.memberlist.tcp_timeout == row.want.tcp_timeout);
    }
  }
}
