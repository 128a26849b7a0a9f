// StreamSplitter and RequestReader (see stream_splitter.h).
#include "rpc/stream_splitter.h"

#include <utility>

#include "rpc/codec.h"

namespace rpc {

namespace {

constexpr wire::mp::ObjectLimits object_limits{
    .depth_max = limits::depth_max,
    .items_max = limits::container_entries_max,
    .item_bytes_max = limits::str_bytes_max,
};

}  // namespace

void StreamSplitter::feed(util::ByteView bytes) {
  if (off_ > 0 && off_ >= buf_.size() / 2) {  // compact: the consumed prefix is dead
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(off_));
    off_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

util::Result<std::optional<wire::mp::Document>> StreamSplitter::next_object() {
  using Next = std::optional<wire::mp::Document>;
  if (failed_) return util::Error{util::Errc::malformed, "stream already failed"};
  const util::ByteView rest = util::ByteView(buf_).subspan(off_);
  auto length = wire::mp::object_length(rest, object_limits);
  if (length.ok() && *length == 0) {
    if (rest.size() <= pending_max_) return Next{};
    length = util::Error{util::Errc::too_large, "pending object too large"};
  }
  if (!length.ok()) {
    failed_ = true;
    return length.error();
  }
  auto doc = wire::mp::Document::parse_copy(rest.first(*length));
  if (!doc.ok()) {
    failed_ = true;
    return doc.error();
  }
  off_ += *length;
  return Next(std::move(*doc));
}

util::Result<std::optional<Request>> RequestReader::next_request() {
  if (failed_) return util::Error{util::Errc::malformed, "request stream already failed"};
  auto r = read();
  if (!r.ok()) failed_ = true;
  return r;
}

util::Result<std::optional<Request>> RequestReader::read() {
  if (!pending_) {
    auto head = splitter_.next_object();
    if (!head.ok()) return head.error();
    if (!head->has_value()) return std::optional<Request>{};
    RequestHeader h;
    if (auto s = decode((*head)->root(), h); !s.ok()) return s.error();
    last_seq_ = h.seq;
    auto command = parse_command(h.command);
    if (!command) {
      return util::Error{util::Errc::unsupported, std::string(errors::unsupported_command)};
    }
    if (!request_has_body(*command)) return std::optional<Request>(Request{*command, h.seq, {}});
    pending_ = command;
  }
  auto body = splitter_.next_object();
  if (!body.ok()) return body.error();
  if (!body->has_value()) return std::optional<Request>{};
  const Command command = *std::exchange(pending_, std::nullopt);
  auto decoded = decode_request_body(command, (*body)->root());
  if (!decoded.ok()) return decoded.error();
  return std::optional<Request>(Request{command, last_seq_, std::move(*decoded)});
}

}  // namespace rpc
