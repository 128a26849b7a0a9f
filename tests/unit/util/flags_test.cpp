#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "util/flags.h"

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

namespace {

// One FlagSet with a flag of every kind, as Serf's commands declare them.
struct Fixture {
  std::string s = "dflt";
  bool b = false;
  int n = -1;
  util::Duration d = 5s;
  std::vector<std::string> list;
  util::FlagSet fs{"test"};
  Fixture() {
    fs.add_string("str", &s, "a string");
    fs.add_bool("b", &b, "a bool");
    fs.add_int("n", &n, "an int");
    fs.add_duration("timeout", &d, "a duration");
    fs.add_list("tag", &list, "repeatable");
  }
};

}  // namespace

TEST_SUITE("util.flags") {
  TEST_CASE("flags take values with = or as the next argument, with one or two dashes") {
    const Args forms[] = {
        {"-str=x"}, {"-str", "x"}, {"--str=x"}, {"--str", "x"},
    };
    for (const auto& args : forms) {
      CAPTURE(args[0]);
      Fixture f;
      auto rest = f.fs.parse(args);
      REQUIRE(rest.ok());
      CHECK(f.s == "x");
      CHECK(rest->empty());
      CHECK(f.fs.was_set("str"));
    }
  }

  TEST_CASE("unset flags keep their defaults and are not reported as set") {
    Fixture f;
    auto rest = f.fs.parse(Args{"-b"});
    REQUIRE(rest.ok());
    CHECK(f.s == "dflt");
    CHECK(f.n == -1);
    CHECK(f.d == 5s);
    CHECK_FALSE(f.fs.was_set("str"));
    CHECK(f.fs.was_set("b"));
    CHECK_FALSE(f.fs.was_set("nosuch"));
  }

  TEST_CASE("bool flags take no separate value") {
    struct Row {
      Args args;
      bool want;
      Args rest;
    };
    const Row rows[] = {
        {{"-b"}, true, {}},
        {{"-b=true"}, true, {}},
        {{"-b=false"}, false, {}},
        {{"-b=1"}, true, {}},
        {{"-b=F"}, false, {}},
        {{"-b=True"}, true, {}},
        {{"--b=FALSE"}, false, {}},
        {{"-b", "false"}, true, {"false"}},  // "false" is a positional argument
    };
    for (const auto& row : rows) {
      CAPTURE(row.args[0]);
      Fixture f;
      f.b = !row.want;
      auto rest = f.fs.parse(row.args);
      REQUIRE(rest.ok());
      CHECK(f.b == row.want);
      CHECK(*rest == row.rest);
    }
  }

  TEST_CASE("ints parse with go's base prefixes") {
    struct Row {
      const char* text;
      int want;
    };
    const Row rows[] = {{"0", 0},       {"42", 42},       {"-7", -7},     {"+3", 3},
                        {"0x1f", 31},   {"0X1F", 31},     {"010", 8},     {"0o17", 15},
                        {"0b101", 5},   {"1_000", 1000},  {"0x_ff", 255}, {"2147483647", 2147483647},
                        {"-2147483648", -2147483647 - 1}};
    for (const auto& row : rows) {
      CAPTURE(row.text);
      Fixture f;
      auto rest = f.fs.parse(Args{"-n", row.text});
      REQUIRE(rest.ok());
      CHECK(f.n == row.want);
    }
  }

  TEST_CASE("durations parse with go syntax") {
    Fixture f;
    auto rest = f.fs.parse(Args{"-timeout=1m30s"});
    REQUIRE(rest.ok());
    CHECK(f.d == 90s);
  }

  TEST_CASE("list flags append every occurrence") {
    Fixture f;
    f.list = {"pre"};
    auto rest = f.fs.parse(Args{"-tag", "a=1", "-tag=b=2", "--tag", "c"});
    REQUIRE(rest.ok());
    CHECK(f.list == Args{"pre", "a=1", "b=2", "c"});
  }

  TEST_CASE("a later string flag overrides an earlier one") {
    Fixture f;
    auto rest = f.fs.parse(Args{"-str=a", "-str=b", "-str="});
    REQUIRE(rest.ok());
    CHECK(f.s.empty());
  }

  TEST_CASE("parsing stops at the first non-flag argument") {
    struct Row {
      Args args;
      Args rest;
    };
    const Row rows[] = {
        {{}, {}},
        {{"pos"}, {"pos"}},
        {{"-b", "pos", "-str=x"}, {"pos", "-str=x"}},
        {{"-", "-b"}, {"-", "-b"}},
        {{"-b", "--", "-str=x"}, {"-str=x"}},
        {{"--", "--"}, {"--"}},
        {{"-str", "-b"}, {}},  // a non-bool flag takes the next argument, whatever it is
    };
    for (const auto& row : rows) {
      CAPTURE(row.args.size());
      Fixture f;
      auto rest = f.fs.parse(row.args);
      REQUIRE(rest.ok());
      CHECK(*rest == row.rest);
    }
  }

  TEST_CASE("bad command lines fail with go's error texts") {
    struct Row {
      Args args;
      const char* error;
    };
    const Row rows[] = {
        {{"-x"}, "flag provided but not defined: -x"},
        {{"--nope=1"}, "flag provided but not defined: -nope"},
        {{"-str"}, "flag needs an argument: -str"},
        {{"-n", "abc"}, "invalid value \"abc\" for flag -n: parse error"},
        {{"-n=1.5"}, "invalid value \"1.5\" for flag -n: parse error"},
        {{"-n=_1"}, "invalid value \"_1\" for flag -n: parse error"},
        {{"-n=1_"}, "invalid value \"1_\" for flag -n: parse error"},
        {{"-n=0x"}, "invalid value \"0x\" for flag -n: parse error"},
        {{"-n=09"}, "invalid value \"09\" for flag -n: parse error"},
        {{"-n=2147483648"}, "invalid value \"2147483648\" for flag -n: value out of range"},
        {{"-n=99999999999999999999999"},
         "invalid value \"99999999999999999999999\" for flag -n: value out of range"},
        {{"-b=x"}, "invalid boolean value \"x\" for -b: parse error"},
        {{"-b="}, "invalid boolean value \"\" for -b: parse error"},
        {{"-timeout=10x"}, "invalid value \"10x\" for flag -timeout: parse error"},
        {{"---b"}, "bad flag syntax: ---b"},
        {{"-=b"}, "bad flag syntax: -=b"},
        {{"-b", "-x", "pos"}, "flag provided but not defined: -x"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.error);
      Fixture f;
      auto rest = f.fs.parse(row.args);
      REQUIRE_FALSE(rest.ok());
      CHECK(rest.error().detail == row.error);
      CHECK_FALSE(util::FlagSet::is_help(rest.error()));
    }
  }

  TEST_CASE("-h, -help and --help report that help was requested") {
    for (const char* arg : {"-h", "-help", "--help", "--h", "-help=1"}) {
      CAPTURE(arg);
      Fixture f;
      auto rest = f.fs.parse(Args{"-b", arg});
      REQUIRE_FALSE(rest.ok());
      CHECK(util::FlagSet::is_help(rest.error()));
      CHECK(rest.error().code == util::Errc::not_found);
    }
  }

  TEST_CASE("a flag named h is an ordinary flag") {
    bool h = false;
    util::FlagSet fs("x");
    fs.add_bool("h", &h, "");
    auto rest = fs.parse(Args{"-h"});
    REQUIRE(rest.ok());
    CHECK(h);
  }

  TEST_CASE("usage text is kept per flag") {
    Fixture f;
    REQUIRE(f.fs.usage("tag") != nullptr);
    CHECK(*f.fs.usage("tag") == "repeatable");
    CHECK(f.fs.usage("nope") == nullptr);
  }

  TEST_CASE("go's boolean spellings") {
    bool v = false;
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
      CAPTURE(t);
      CHECK(util::parse_go_bool(t, v));
      CHECK(v);
    }
    for (const char* t : {"0", "f", "F", "FALSE", "false", "False"}) {
      CAPTURE(t);
      CHECK(util::parse_go_bool(t, v));
      CHECK_FALSE(v);
    }
    for (const char* t : {"", "yes", "tRUE", "on", "2"}) {
      CAPTURE(t);
      CHECK_FALSE(util::parse_go_bool(t, v));
    }
  }
}
