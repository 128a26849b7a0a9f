// RpcServer: see rpc_server.h.
#include "agent/rpc_server.h"

#include "agent/rpc_conn.h"
#include "runtime/sockaddr.h"

namespace agent {

util::Result<std::unique_ptr<RpcServer>> RpcServer::start(uv_loop_t* loop, const swim::Address& addr,
                                                          AgentApi& agent, util::Logger& log) {
  std::unique_ptr<RpcServer> s(new RpcServer(loop, agent, log));
  sockaddr_storage ss;
  if (auto st = runtime::to_sockaddr(addr, ss); !st.ok()) return st.error();
  uv_tcp_init(loop, s->listener_.get());
  s->listener_.get()->data = s.get();
  int rc = uv_tcp_bind(s->listener_.get(), reinterpret_cast<const sockaddr*>(&ss), 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(s->listener_.get()), 64, [](uv_stream_t* l, int status) {
      if (auto* self = runtime::owner_of<RpcServer>(l)) self->on_connection(status);
    });
  if (rc != 0) {
    // Go names the failing syscall; with libuv a bind error may only surface at listen.
    const bool bind_error = rc == UV_EADDRINUSE || rc == UV_EADDRNOTAVAIL || rc == UV_EACCES;
    return util::Error{util::Errc::io, "Error starting RPC listener: listen tcp " + swim::to_string(addr) +
                                           ": " + (bind_error ? "bind: " : "") + uv_strerror(rc)};
  }
  sockaddr_storage bound;
  int len = sizeof bound;
  uv_tcp_getsockname(s->listener_.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  if (auto a = runtime::from_sockaddr(reinterpret_cast<sockaddr*>(&bound)); a.ok()) s->port_ = a->port;
  return s;
}

RpcServer::RpcServer(uv_loop_t* loop, AgentApi& agent, util::Logger& log)
    : loop_(loop), agent_(agent), log_(log) {}

RpcServer::~RpcServer() { close(); }

void RpcServer::on_connection(int status) {
  if (status != 0) return;
  auto conn = std::make_unique<RpcConn>(*this, loop_, agent_, log_);
  auto* raw = conn.get();
  conns_.emplace(raw, std::move(conn));
  if (!raw->accept(reinterpret_cast<uv_stream_t*>(listener_.get())).ok()) conns_.erase(raw);
}

void RpcServer::forget(RpcConn& conn) { conns_.erase(&conn); }

void RpcServer::close() {
  listener_.reset();
  // Each connection flushes its pending replies, then removes itself.
  std::vector<RpcConn*> open;
  for (auto& [raw, owned] : conns_) open.push_back(raw);
  for (auto* c : open) c->close_gracefully();
}

}  // namespace agent
