// The agent's RPC server: Serf's IPC protocol on a TCP listener (default 127.0.0.1:7373),
// one RpcConn per client, requests answered in order; streams and monitors push records
// tagged with the Seq that opened them (serf-behaviour.md §4).
//
// The server owns every connection. A connection that is done asks to be destroyed
// (retire()); the server does it from a zero-delay timer, so that no connection is ever
// destroyed inside one of its own callbacks. It also keeps the total of bytes queued for all
// clients, which each connection checks against rpc::limits::total_queue_bytes_max.
#pragma once

#include <uv.h>

#include <array>
#include <map>
#include <memory>
#include <vector>

#include "agent/agent_api.h"
#include "runtime/uv_handle.h"
#include "swim/address.h"
#include "util/log.h"
#include "util/result.h"

namespace agent {

class RpcConn;

class RpcServer {
 public:
  static util::Result<std::unique_ptr<RpcServer>> start(uv_loop_t* loop, const swim::Address& addr,
                                                        AgentApi& agent, util::Logger& log);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  [[nodiscard]] std::uint16_t bound_port() const { return port_; }
  // Stops accepting; each connection flushes its replies and closes, or is closed after
  // rpc::limits::close_flush_ms.
  void close();

  // --- for the connections ---------------------------------------------------------------
  // Destroys `conn` soon, from the server's own timer callback.
  void retire(RpcConn& conn);
  // One read buffer for every connection: libuv reads one socket at a time, and a connection
  // copies what it read before the next read starts.
  uv_buf_t read_buffer() { return uv_buf_init(read_buf_.data(), read_buf_.size()); }
  void add_queued(std::size_t bytes) { queued_total_ += bytes; }
  void remove_queued(std::size_t bytes) { queued_total_ -= bytes; }
  [[nodiscard]] std::size_t queued_total() const { return queued_total_; }
  // "Client is reading too slowly" at warn. The warning feeds the monitors, whose records may be
  // dropped again: a warning raised while one is being written is left out.
  void warn_slow_client();

  [[nodiscard]] std::size_t connections_for_test() const { return conns_.size(); }
  [[nodiscard]] RpcConn* connection_for_test(std::size_t i) const;

 private:
  RpcServer(uv_loop_t* loop, AgentApi& agent, util::Logger& log);
  util::Status listen(const swim::Address& addr);
  void on_connection(int status);
  void reap();
  void on_close_deadline();

  uv_loop_t* loop_;
  AgentApi& agent_;
  util::Logger& log_;
  runtime::UvHandle<uv_tcp_t> listener_;
  runtime::UvHandle<uv_timer_t> reap_timer_;   // destroys retired connections
  runtime::UvHandle<uv_timer_t> close_timer_;  // bounds close()'s flush
  std::map<RpcConn*, std::unique_ptr<RpcConn>> conns_;
  std::vector<std::unique_ptr<RpcConn>> retired_;
  std::array<char, 65536> read_buf_{};
  std::size_t queued_total_ = 0;
  std::uint16_t port_ = 0;
  bool closing_ = false;
  bool warning_ = false;  // inside warn_slow_client
};

}  // namespace agent
