// The agent's RPC server: Serf's IPC protocol on a TCP listener (default 127.0.0.1:7373),
// one RpcConn per client, requests answered in order; streams and monitors push records
// tagged with the Seq that opened them (serf-behaviour.md §4).
#pragma once

#include <uv.h>

#include <map>
#include <memory>

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
  void close();
  void forget(RpcConn& conn);

 private:
  RpcServer(uv_loop_t* loop, AgentApi& agent, util::Logger& log);
  void on_connection(int status);

  uv_loop_t* loop_;
  AgentApi& agent_;
  util::Logger& log_;
  runtime::UvHandle<uv_tcp_t> listener_;
  std::map<RpcConn*, std::unique_ptr<RpcConn>> conns_;
  std::uint16_t port_ = 0;
};

}  // namespace agent
