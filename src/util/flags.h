// util::FlagSet: a work-alike of Go's `flag` package (ContinueOnError mode), because Serf's
// agent and CLI parse their arguments with it and users see its syntax and error texts:
//   -name=value, -name value, --name works the same as -name;
//   bool flags take no separate value: -b, -b=true, -b=false (Go's ParseBool spellings);
//   parsing stops at the first non-flag argument ("-" counts as one) or after "--";
//   -h / -help / --help, when not defined as flags, end parsing with "flag: help requested".
// Error texts are Go's: "flag provided but not defined: -x", "flag needs an argument: -x",
// `invalid value "abc" for flag -n: parse error`, `invalid boolean value "x" for -b: parse error`,
// "bad flag syntax: ---x". Callers print them, then their usage text.
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/time.h"

namespace util {

class FlagSet {
 public:
  // The detail of the error parse() returns for -h/-help (code Errc::not_found).
  static constexpr std::string_view help_requested = "flag: help requested";
  [[nodiscard]] static bool is_help(const Error& e) {
    return e.code == Errc::not_found && e.detail == help_requested;
  }

  explicit FlagSet(std::string name);

  // The target's value when added is the default; parse() only writes flags that appear.
  // Adding the same name twice is a programming error (ASSERT), as in Go (panic).
  void add_string(std::string name, std::string* target, std::string usage);
  void add_bool(std::string name, bool* target, std::string usage);
  void add_int(std::string name, int* target, std::string usage);  // Go ParseInt base 0
  void add_duration(std::string name, Duration* target, std::string usage);  // Go syntax
  // Repeatable: every occurrence appends (Serf's AppendSliceValue).
  void add_list(std::string name, std::vector<std::string>* target, std::string usage);

  // Returns the positional arguments (everything after the flags). Stops at the first error;
  // targets set before the error keep their new values.
  Result<std::vector<std::string>> parse(std::span<const std::string> args);

  [[nodiscard]] bool was_set(std::string_view name) const;
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string* usage(std::string_view flag) const;  // nullptr if unknown

 private:
  enum class Kind { string, boolean, integer, duration, list };
  struct Flag {
    Kind kind;
    void* target;
    std::string usage;
  };

  void add(std::string name, Kind kind, void* target, std::string usage);
  Status set(const std::string& name, Flag& flag, const std::string& value);

  std::string name_;
  std::map<std::string, Flag, std::less<>> flags_;
  std::set<std::string, std::less<>> set_;
};

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
bool parse_go_bool(std::string_view s, bool& out);

}  // namespace util
