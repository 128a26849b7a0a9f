// One RPC client connection: reads requests with rpc::RequestReader, enforces the handshake and
// auth rules, answers each command, and pushes stream/monitor records (serf-behaviour.md §4.2).
//
// Backpressure: replies and records go into one outgoing buffer with at most one uv_write in
// flight. While the bytes queued for this client (or for all clients together) are over
// rpc::limits, the connection stops taking requests out of its buffer and stops reading the
// socket; it resumes once its writes drain. Replies are never dropped; stream and monitor
// records that do not fit are dropped and counted, as Serf drops them from its 512-slot buffers.
//
// Lifetime: a connection never destroys itself. close_now() hands it to the server, which
// destroys it from a timer callback, outside every callback of this connection (libuv's, the
// logger's and the agent's event listeners, which may still be iterating over it).
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
  RpcConn(RpcServer& server, AgentApi& agent, util::Logger& log);
  ~RpcConn();
  RpcConn(const RpcConn&) = delete;
  RpcConn& operator=(const RpcConn&) = delete;

  // Initialises the socket on `loop`, accepts the pending connection and starts reading.
  util::Status accept(uv_loop_t* loop, uv_stream_t* listener);
  // Stops reading, flushes what is queued, then closes (agent shutdown, protocol errors).
  void close_gracefully();
  // Stops everything now; the server destroys the connection soon, outside our callbacks.
  void close_now();

  // Bytes of replies and records not yet written to the socket.
  [[nodiscard]] std::size_t queued_bytes() const { return in_flight_bytes_ + pending_.size(); }
  [[nodiscard]] bool reading_for_test() const { return reading_; }
  [[nodiscard]] std::uint64_t dropped_records_for_test() const { return dropped_records_; }

 private:
  enum class State { open, flushing, closed };

  // --- I/O (rpc_conn.cpp) -----------------------------------------------------------------
  void on_read(ssize_t nread, const uv_buf_t* buf);
  // Handles buffered requests while the queue allows, then starts or stops reading.
  void pump();
  [[nodiscard]] bool may_take_request() const;
  util::Status set_reading(bool on);
  void queue(util::Bytes bytes);
  void start_write();
  void on_written(std::size_t bytes, int status);
  void start_shutdown();
  void release_subscriptions();

  // --- commands (rpc_commands.cpp) --------------------------------------------------------
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
  // Records of streams and monitors: dropped (counted, warned about) when they do not fit.
  template <typename Body>
  void push_record(std::uint64_t seq, const Body& body);

  RpcServer& server_;
  AgentApi& agent_;
  util::Logger& log_;
  runtime::UvHandle<uv_tcp_t> tcp_;
  rpc::RequestReader reader_;
  State state_ = State::open;
  bool reading_ = false;
  bool input_ended_ = false;  // the client sent EOF: answer what is buffered, then close
  bool handshake_done_ = false;
  bool authenticated_ = false;
  util::Bytes pending_;              // queued, not yet handed to libuv
  std::size_t in_flight_bytes_ = 0;  // handed to the one uv_write in flight
  std::map<std::uint64_t, std::uint64_t> streams_;  // Seq -> agent subscription
  std::optional<std::pair<std::uint64_t, std::uint64_t>> monitor_;  // Seq, logger listener
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);      // for async callbacks
  std::uint64_t dropped_records_ = 0;
};

}  // namespace agent
