// RpcConn's commands: the handshake and auth rules, each command's answer, and the records of
// streams and monitors (serf-behaviour.md §4.2, §4.3). The I/O is in rpc_conn.cpp.
#include "agent/rpc_conn.h"
#include "agent/rpc_member_filter.h"
#include "agent/rpc_server.h"
#include "rpc/codec.h"
#include "rpc/limits.h"

namespace agent {

void RpcConn::reply(std::uint64_t seq, std::string_view error) {
  queue(rpc::encode(rpc::ResponseHeader{seq, std::string(error)}));
}

template <typename Body>
void RpcConn::reply(std::uint64_t seq, std::string_view error, const Body& body) {
  queue(rpc::encode_response(rpc::ResponseHeader{seq, std::string(error)}, body));
}

template <typename Body>
void RpcConn::push_record(std::uint64_t seq, const Body& body) {
  if (state_ != State::open) return;
  util::Bytes bytes = rpc::encode_response(rpc::ResponseHeader{seq, ""}, body);
  // A record always fits into an empty queue, so that a large one is not lost for its size.
  const std::size_t mine = queued_bytes();
  if (mine > 0 && (mine + bytes.size() > rpc::limits::conn_queue_bytes_max ||
                   server_.queued_total() + bytes.size() > rpc::limits::total_queue_bytes_max)) {
    if (dropped_records_++ % 512 == 0) server_.warn_slow_client();
    return;
  }
  queue(std::move(bytes));
}

void RpcConn::handle(rpc::Request& request) {
  const auto seq = request.seq;
  using rpc::Command;
  if (!handshake_done_ && request.command != Command::handshake) {
    reply(seq, rpc::errors::handshake_required);
    return close_gracefully();
  }
  if (request.command == Command::handshake) {
    auto& h = std::get<rpc::HandshakeRequest>(request.body);
    if (h.version != rpc::ipc_version) return reply(seq, rpc::errors::unsupported_ipc_version);
    if (handshake_done_) return reply(seq, rpc::errors::duplicate_handshake);
    handshake_done_ = true;
    return reply(seq, "");
  }
  if (request.command == Command::auth) {
    auto& a = std::get<rpc::AuthRequest>(request.body);
    if (a.auth_key != agent_.rpc_auth()) return reply(seq, rpc::errors::invalid_auth_token);
    authenticated_ = true;
    return reply(seq, "");
  }
  if (!agent_.rpc_auth().empty() && !authenticated_) return reply(seq, rpc::errors::auth_required);

  switch (request.command) {
    case Command::members: {
      rpc::MembersResponse resp;
      for (auto& m : agent_.members()) resp.members.push_back(to_rpc_member(m));
      return reply(seq, "", resp);
    }
    case Command::members_filtered:
      return handle_members_filtered(seq, std::get<rpc::MembersFilteredRequest>(request.body));
    case Command::join: return handle_join(seq, std::get<rpc::JoinRequest>(request.body));
    case Command::leave: return handle_leave(seq);
    case Command::force_leave: {
      auto& f = std::get<rpc::ForceLeaveRequest>(request.body);
      auto s = agent_.force_leave(f.node, f.prune);
      return reply(seq, s.ok() ? "" : s.error().detail);
    }
    case Command::tags: {
      auto& t = std::get<rpc::TagsRequest>(request.body);
      auto s = agent_.update_tags(t.tags, t.delete_tags);
      return reply(seq, s.ok() ? "" : s.error().detail);
    }
    case Command::event: {
      auto& e = std::get<rpc::EventRequest>(request.body);
      auto s = agent_.user_event(e.name, e.payload, e.coalesce);
      return reply(seq, s.ok() ? "" : s.error().detail);
    }
    case Command::stream: return handle_stream(seq, std::get<rpc::StreamRequest>(request.body));
    case Command::monitor: return handle_monitor(seq, std::get<rpc::MonitorRequest>(request.body));
    case Command::stop: return handle_stop(seq, std::get<rpc::StopRequest>(request.body).stop);
    case Command::stats: return reply(seq, "", agent_.stats());
    default: return handle_unsupported_feature(request);
  }
}

void RpcConn::handle_members_filtered(std::uint64_t seq, const rpc::MembersFilteredRequest& req) {
  auto members = filter_members(agent_.members(), req);
  if (!members.ok()) {  // Serf closes the connection without a reply
    log_.log(util::LogLevel::err, "agent.ipc", "Failed to evaluate request: {}",
             members.error().detail);
    return close_gracefully();
  }
  rpc::MembersResponse resp;
  for (const auto& m : *members) resp.members.push_back(to_rpc_member(m));
  reply(seq, "", resp);
}

void RpcConn::handle_join(std::uint64_t seq, const rpc::JoinRequest& req) {
  std::weak_ptr<bool> alive = alive_;
  agent_.join(req.existing, req.replay, [this, alive, seq](int num, std::string error) {
    if (alive.expired()) return;
    reply(seq, error, rpc::JoinResponse{num});
  });
}

void RpcConn::handle_leave(std::uint64_t seq) {
  std::weak_ptr<bool> alive = alive_;
  agent_.leave([this, alive, seq] {
    if (alive.expired()) return;
    reply(seq, "");
  });
}

void RpcConn::handle_stream(std::uint64_t seq, const rpc::StreamRequest& req) {
  auto filters = parse_event_filters(req.type);
  if (!filters.ok()) return reply(seq, rpc::errors::invalid_filter);
  if (streams_.count(seq)) return reply(seq, rpc::errors::stream_exists);
  reply(seq, "");
  streams_[seq] = agent_.subscribe(
      [this, seq, f = std::move(*filters)](const serf::Event& e) { on_event(seq, f, e); });
}

void RpcConn::on_event(std::uint64_t seq, const std::vector<EventFilter>& filters,
                       const serf::Event& event) {
  if (!any_matches(filters, event)) return;
  if (auto* m = std::get_if<serf::MemberEvent>(&event)) {
    rpc::MemberEventRecord rec;
    rec.event = serf::event_type_name(m->type);
    for (auto& member : m->members) rec.members.push_back(to_rpc_member(member));
    push_record(seq, rec);
  } else if (auto* u = std::get_if<serf::UserEvent>(&event)) {
    push_record(seq, rpc::UserEventRecord{"user", u->ltime, u->name, u->payload, u->coalesce});
  } else if (auto* q = std::get_if<serf::QueryEvent>(&event)) {
    push_record(seq, rpc::QueryEventRecord{"query", q->id, q->ltime, q->name, q->payload});
  }
}

void RpcConn::handle_monitor(std::uint64_t seq, const rpc::MonitorRequest& req) {
  auto level = util::parse_log_level(req.log_level.empty() ? "INFO" : req.log_level);
  if (!level) return reply(seq, "Unknown log level: " + req.log_level);
  if (monitor_) return reply(seq, rpc::errors::monitor_exists);
  reply(seq, "");
  auto id = agent_.logger().add_listener(
      *level, [this, seq](util::LogLevel, const std::string& line) {
        push_record(seq, rpc::LogRecord{line});
      });
  monitor_ = std::make_pair(seq, id);
}

void RpcConn::handle_stop(std::uint64_t seq, std::uint64_t target) {
  if (auto it = streams_.find(target); it != streams_.end()) {
    agent_.unsubscribe(it->second);
    streams_.erase(it);
  }
  if (monitor_ && monitor_->first == target) {
    agent_.logger().remove_listener(monitor_->second);
    monitor_.reset();
  }
  reply(seq, "");
}

void RpcConn::handle_unsupported_feature(const rpc::Request& request) {
  // Commands whose features land in later issues. Keep the response shape (some carry a body
  // even on error) so that clients print the error instead of waiting for a body.
  const auto seq = request.seq;
  using rpc::Command;
  switch (request.command) {
    case Command::install_key:
    case Command::use_key:
    case Command::remove_key:
    case Command::list_keys:
      return reply(seq, "No keyring to modify (encryption not enabled)", rpc::KeyResponse{});
    case Command::get_coordinate:
      return reply(seq, "", rpc::CoordinateResponse{});
    default:
      return reply(seq, std::string("command '") + rpc::command_name(request.command) +
                            "' is not supported by this agent yet");
  }
}

}  // namespace agent
