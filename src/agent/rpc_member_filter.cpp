// filter_members: see rpc_member_filter.h.
//
// Anchoring: every pattern must match the whole text, as ^(?:expr)$ would (RE2::FullMatch
// anchors the entire expression). Serf documents "anchored, full match" but builds "^expr$",
// which anchors only the first and last branch of a top-level alternation (`n1|n2` also lists
// "n10"); we anchor the whole expression, as documented. Validity is RE2's verdict on `expr`
// itself, so a pattern that only compiles once wrapped (`a)|(b`) is refused, as by Go.
#include "agent/rpc_member_filter.h"

#include <algorithm>
#include <memory>
#include <string>

#include <re2/re2.h>

#include "rpc/limits.h"

namespace agent {

namespace {

util::Result<std::unique_ptr<RE2>> compile(const std::string& expr) {
  if (expr.size() > rpc::limits::filter_pattern_bytes_max) {
    return util::Error{util::Errc::invalid_argument, "Failed to compile regex: pattern too long"};
  }
  RE2::Options options;
  options.set_log_errors(false);  // the error goes to the caller, not to stderr
  options.set_never_capture(true);
  options.set_max_mem(rpc::limits::filter_program_bytes_max);
  auto re = std::make_unique<RE2>(expr, options);
  if (!re->ok()) {
    return util::Error{util::Errc::invalid_argument, "Failed to compile regex: " + re->error()};
  }
  return re;
}

// Compiles `expr` and keeps the members for which text_of(member) fully matches it. One
// pattern is compiled at a time, so a request costs the memory of its largest pattern.
template <typename TextOf>
util::Status keep_matching(std::vector<serf::Member>& members, const std::string& expr,
                           TextOf&& text_of) {
  auto re = compile(expr);
  if (!re.ok()) return re.error();
  std::erase_if(members, [&](const serf::Member& m) { return !RE2::FullMatch(text_of(m), **re); });
  return {};
}

}  // namespace

util::Result<std::vector<serf::Member>> filter_members(std::vector<serf::Member> members,
                                                       const rpc::MembersFilteredRequest& req) {
  if (req.tags.size() > rpc::limits::filter_tags_max) {
    return util::Error{util::Errc::too_large, "too many tag filters"};
  }
  for (const auto& filter : req.tags) {
    const std::string& tag = filter.first;  // not a structured binding: clang 14 cannot capture it
    auto st = keep_matching(members, filter.second, [&tag](const serf::Member& m) {
      auto it = m.tags.find(tag);
      return it == m.tags.end() ? std::string_view() : std::string_view(it->second);
    });
    if (!st.ok()) return st.error();
  }
  // Serf compiles the status and name patterns even when empty (no filter): "" is valid.
  if (!req.status.empty()) {
    auto st = keep_matching(members, req.status,
                            [](const serf::Member& m) { return serf::status_name(m.status); });
    if (!st.ok()) return st.error();
  }
  if (!req.name.empty()) {
    auto st = keep_matching(members, req.name,
                            [](const serf::Member& m) -> const std::string& { return m.name; });
    if (!st.ok()) return st.error();
  }
  return members;
}

}  // namespace agent
