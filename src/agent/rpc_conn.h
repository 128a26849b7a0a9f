// One RPC client connection: reads requests with rpc::RequestReader, enforces the handshake and
// auth rules, answers each command, and pushes stream/monitor records (serf-behaviour.md §4.2).
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "agent/agent_api.h"
#include "agent/event_filter.h"
#include "rpc/stream_splitter.h"
#include "runtime/uv_handle.h"
#include "util/log.h"

namespace agent {

class RpcServer;

class RpcConn {
 public:
  RpcConn(RpcServer& server, uv_loop_t* loop, AgentApi& agent, util::Logger& log);
  ~RpcConn();
  RpcConn(const RpcConn&) = delete;
  RpcConn& operator=(const RpcConn&) = delete;

  util::Status accept(uv_stream_t* listener);
  // Flush what is queued, then close (agent shutdown).
  void close_gracefully();

 private:
  void on_read(ssize_t nread, const uv_buf_t* buf);
  void handle(rpc::Request& request);
  void handle_members_filtered(std::uint64_t seq, const rpc::MembersFilteredRequest& req);
  void handle_stream(std::uint64_t seq, const rpc::StreamRequest& req);
  void handle_monitor(std::uint64_t seq, const rpc::MonitorRequest& req);
  void handle_stop(std::uint64_t seq, std::uint64_t target);
  void handle_join(std::uint64_t seq, const rpc::JoinRequest& req);
  void handle_leave(std::uint64_t seq);
  void handle_unsupported_feature(const rpc::Request& request);
  void on_event(std::uint64_t seq, const std::vector<EventFilter>& filters, const serf::Event& e);

  void reply(std::uint64_t seq, std::string_view error);
  template <typename Body>
  void reply(std::uint64_t seq, std::string_view error, const Body& body);
  // Records of streams and monitors; dropped (with a warning) when the client reads too slowly.
  template <typename Body>
  void push_record(std::uint64_t seq, const Body& body);
  void write(util::Bytes bytes);
  void close_now();

  RpcServer& server_;
  AgentApi& agent_;
  util::Logger& log_;
  runtime::UvHandle<uv_tcp_t> tcp_;
  rpc::RequestReader reader_;
  bool handshake_done_ = false;
  bool authenticated_ = false;
  bool closing_ = false;
  std::map<std::uint64_t, std::uint64_t> streams_;  // Seq -> agent subscription
  std::optional<std::pair<std::uint64_t, std::uint64_t>> monitor_;  // Seq, logger listener
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);      // for async callbacks
  std::uint64_t dropped_records_ = 0;
  char read_buf_[65536];
};

}  // namespace agent
