// A Go regular expression (package regexp: RE2 syntax), compiled with RE2 under serf's caps
// (serf/limits.h). Serf matches query tag filters with Go's regexp, which runs in time linear
// in pattern and text and refuses deep nesting; RE2 gives the same syntax and guarantee, where
// std::regex backtracks and recurses (a peer's `(.*.*)*Z` stalls it, thousands of nested
// groups overflow the stack). Any peer-supplied pattern goes through here.
#pragma once

#include <memory>
#include <string_view>

#include "util/result.h"

namespace re2 {
class RE2;
}

namespace serf {

class GoRegexp {
 public:
  // Refuses a pattern over limits::tag_filter_pattern_bytes_max (too_large) and one RE2 cannot
  // compile within limits::tag_filter_regex_memory_bytes_max or does not accept (malformed,
  // with RE2's reason).
  static util::Result<GoRegexp> compile(std::string_view pattern);

  GoRegexp(GoRegexp&&) noexcept;
  GoRegexp& operator=(GoRegexp&&) noexcept;
  ~GoRegexp();

  // Go's regexp.MatchString: a match anywhere in `text`.
  [[nodiscard]] bool search(std::string_view text) const;
  // The whole of `text` matches (what Serf's RPC members filters ask: ^(?:expr)$).
  [[nodiscard]] bool full_match(std::string_view text) const;

 private:
  explicit GoRegexp(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace serf
