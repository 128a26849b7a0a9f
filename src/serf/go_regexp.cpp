// Go regexps on RE2; see go_regexp.h. RE2's defaults outside POSIX mode are Go's syntax.Perl
// flags: Perl classes (\d \s \w), \b, Unicode classes (\pL), ^ and $ at text ends only, `.`
// not matching \n, classes like [^a] matching \n, leftmost-first (not longest) matching.
#include "serf/go_regexp.h"

#include <re2/re2.h>

#include <fmt/format.h>

#include "serf/limits.h"

namespace serf {

namespace {

re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

}  // namespace

util::Result<GoRegexp> GoRegexp::compile(std::string_view pattern) {
  if (pattern.size() > limits::tag_filter_pattern_bytes_max) {
    return util::Error{util::Errc::too_large,
                       fmt::format("regexp of {} bytes exceeds limit of {} bytes", pattern.size(),
                                   limits::tag_filter_pattern_bytes_max)};
  }
  RE2::Options options;
  options.set_log_errors(false);  // RE2 would print to stderr; the caller decides what to log
  options.set_max_mem(limits::tag_filter_regex_memory_bytes_max);
  options.set_never_capture(true);  // only "does it match" is asked: a smaller program
  auto re = std::make_unique<RE2>(piece(pattern), options);
  if (!re->ok()) return util::Error{util::Errc::malformed, re->error()};
  return GoRegexp(std::move(re));
}

GoRegexp::GoRegexp(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
GoRegexp::GoRegexp(GoRegexp&&) noexcept = default;
GoRegexp& GoRegexp::operator=(GoRegexp&&) noexcept = default;
GoRegexp::~GoRegexp() = default;

bool GoRegexp::search(std::string_view text) const { return RE2::PartialMatch(piece(text), *re_); }

bool GoRegexp::full_match(std::string_view text) const {
  return RE2::FullMatch(piece(text), *re_);
}

}  // namespace serf
