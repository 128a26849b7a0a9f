// TCP-stream side of swim::Core (memberlist net.go handleConn/sendAndReceiveState/
// mergeRemoteState, memberlist.go Join; gossip-wire.md §6.3-§6.6): joins and periodic push/pull
// as StreamCalls, and the answers to inbound push/pulls, stream pings and user messages.
#include <type_traits>

#include "swim/core_impl.h"
#include "wire/codec.h"

namespace swim {

using util::LogLevel;

namespace {

int stream_type(const wire::StreamMessage& m) {
  return std::visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, wire::Ping>) return 0;
        if constexpr (std::is_same_v<T, wire::Ack>) return 2;
        if constexpr (std::is_same_v<T, wire::PushPull>) return 6;
        if constexpr (std::is_same_v<T, wire::UserMsg>) return 8;
        return 13;
      },
      m);
}

}  // namespace

util::Bytes Core::Impl::frame_stream_msg(const wire::StreamMessage& m) const {
  return wire::frame_stream(wire::encode_stream(m), cfg.enable_compression);
}

// Every node we know (self and not-yet-reaped dead/left ones included), then the delegate's
// state.
wire::PushPull Core::Impl::local_state(bool join_flag) {
  wire::PushPull pp;
  pp.join = join_flag;
  pp.nodes.reserve(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Node& n = members.at(i);
    wire::PushNodeState s;
    s.name = n.name;
    s.addr = n.addr.ip;
    s.port = n.addr.port;
    s.meta = n.meta;
    s.incarnation = n.incarnation;
    s.state = static_cast<wire::NodeState>(static_cast<int>(n.state));
    s.vsn = n.vsn;
    pp.nodes.push_back(std::move(s));
  }
  pp.user_state = delegate.local_state(join_flag);
  return pp;
}

JoinId Core::Impl::join(std::span<const Address> seeds, util::Instant now, Outbox& out) {
  if (seeds.empty()) {
    out.joins.push_back(calls.empty_join());
    return out.joins.back().id;
  }
  const JoinId id = calls.start_join(static_cast<int>(seeds.size()));
  for (const Address& seed : seeds) {
    PendingStream call;
    call.purpose = StreamPurpose::join;
    call.join = id;
    call.to = seed;
    start_push_pull(std::move(call), true, now, out);
  }
  return id;
}

void Core::Impl::start_push_pull(PendingStream call, bool join_flag, util::Instant now,
                                 Outbox& out) {
  logf(LogLevel::debug, "Initiating push/pull sync with: {} {}", call.node, to_string(call.to));
  const Address to = call.to;
  const StreamId id = calls.open(std::move(call));
  out.streams.push_back(
      StreamCall{id, to, frame_stream_msg(local_state(join_flag)), true, now + cfg.tcp_timeout});
}

void Core::Impl::on_stream_reply(StreamId id, util::Result<util::Bytes> reply, util::Instant now,
                                 Outbox& out) {
  const std::optional<PendingStream> call = calls.close(id);
  if (!call) {
    logf(LogLevel::debug, "Reply for unknown stream {}", id);
    return;
  }
  if (call->purpose == StreamPurpose::tcp_ping) {
    on_tcp_ping_reply(*call, std::move(reply));
  } else {
    on_push_pull_reply(*call, std::move(reply), now, out);
  }
}

void Core::Impl::on_push_pull_reply(const PendingStream& call, util::Result<util::Bytes> reply,
                                    util::Instant now, Outbox& out) {
  const bool join_flag = call.purpose == StreamPurpose::join;
  auto exchange = [&]() -> util::Status {
    if (!reply.ok()) return reply.error();
    auto plain = wire::unframe_stream(*reply);
    if (!plain.ok()) return plain.error();
    auto msg = wire::decode_stream(*plain);
    if (!msg.ok()) return msg.error();
    if (const auto* e = std::get_if<wire::ErrResp>(&*msg)) {
      return util::Error{util::Errc::refused, "remote error: " + e->error};
    }
    const auto* pp = std::get_if<wire::PushPull>(&*msg);
    if (pp == nullptr) {
      return util::Error{util::Errc::malformed,
                         fmt::format("received invalid msgType ({}), expected pushPullMsg (6)",
                                     stream_type(*msg))};
    }
    local.catching_up = join_flag;  // swim/incarnation.h rule 2: a join reply may move us far up
    util::Status merged = merge_remote_state(*pp, join_flag, call.to, now);
    local.catching_up = false;
    return merged;
  };
  const util::Status st = exchange();

  if (!join_flag) {
    if (!st.ok()) logf(LogLevel::err, "Push/Pull with {} failed: {}", call.node, st.error().detail);
    return;
  }
  std::optional<std::string> error;
  if (!st.ok()) {
    error = fmt::format("Failed to join {}: {}", ip_string(call.to.ip), st.error().detail);
    logf(LogLevel::debug, "{}", *error);
  }
  if (auto done = calls.seed_done(call.join, std::move(error))) {
    out.joins.push_back(std::move(*done));
  }
}

util::Status Core::Impl::merge_remote_state(const wire::PushPull& remote, bool join_flag,
                                            const Address& from, util::Instant now) {
  if (auto st = verify_push_pull(remote); !st.ok()) return st;
  merge_state(remote.nodes, from, now);
  if (!remote.user_state.empty()) delegate.merge_remote_state(remote.user_state, join_flag, now);
  return {};
}

void Core::Impl::on_stream_request(StreamId id, const Address& from, util::ByteView bytes,
                                   util::Instant now, Outbox& out) {
  auto close = [&] { out.stream_replies.push_back(StreamReply{id, {}}); };
  auto fail = [&](const util::Error& e) {
    logf(LogLevel::err, "failed to receive: {} from={}", e.detail, to_string(from));
    out.stream_replies.push_back(StreamReply{id, frame_stream_msg(wire::ErrResp{e.detail})});
  };
  auto plain = wire::unframe_stream(bytes);
  if (!plain.ok()) return fail(plain.error());
  auto msg = wire::decode_stream(*plain);
  if (!msg.ok()) return fail(msg.error());

  if (const auto* pp = std::get_if<wire::PushPull>(&*msg)) {
    // memberlist v0.2.2 replies first and only logs a failed version check; we check first and
    // answer `err` instead, so the initiator learns why (its join fails either way).
    if (auto st = verify_push_pull(*pp); !st.ok()) {
      logf(LogLevel::err, "Failed push/pull merge: {} from={}", st.error().detail, to_string(from));
      out.stream_replies.push_back(
          StreamReply{id, frame_stream_msg(wire::ErrResp{st.error().detail})});
      return;
    }
    out.stream_replies.push_back(StreamReply{id, frame_stream_msg(local_state(pp->join))});
    (void)merge_remote_state(*pp, pp->join, from, now);  // verified above against the same state
  } else if (const auto* p = std::get_if<wire::Ping>(&*msg)) {
    if (!p->node.empty() && p->node != cfg.name) {
      logf(LogLevel::warn, "Got ping for unexpected node {} from={}", p->node, to_string(from));
      return close();
    }
    out.stream_replies.push_back(StreamReply{id, frame_stream_msg(wire::Ack{p->seq_no, {}})});
  } else if (const auto* u = std::get_if<wire::UserMsg>(&*msg)) {
    delegate.notify_msg(u->payload, now);
    close();
  } else {
    logf(LogLevel::err, "Received invalid msgType ({}) from={}", stream_type(*msg),
         to_string(from));
    close();
  }
}

}  // namespace swim
