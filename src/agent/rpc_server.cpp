// RpcServer: see rpc_server.h.
#include "agent/rpc_server.h"

#include "agent/rpc_conn.h"
#include "rpc/limits.h"
#include "runtime/sockaddr.h"

namespace agent {

namespace {

util::Error uv_error(const char* what, int rc) {
  return util::Error{util::Errc::io, std::string(what) + ": " + uv_strerror(rc)};
}

// A timer that never keeps the loop alive on its own: the connections it serves do.
util::Status init_helper_timer(uv_loop_t* loop, uv_timer_t* timer, void* owner) {
  if (int rc = uv_timer_init(loop, timer); rc != 0) return uv_error("uv_timer_init", rc);
  timer->data = owner;
  uv_unref(reinterpret_cast<uv_handle_t*>(timer));
  return {};
}

}  // namespace

util::Result<std::unique_ptr<RpcServer>> RpcServer::start(uv_loop_t* loop,
                                                          const swim::Address& addr,
                                                          AgentApi& agent, util::Logger& log) {
  std::unique_ptr<RpcServer> s(new RpcServer(loop, agent, log));
  if (auto st = init_helper_timer(loop, s->reap_timer_.get(), s.get()); !st.ok()) return st.error();
  if (auto st = init_helper_timer(loop, s->close_timer_.get(), s.get()); !st.ok()) {
    return st.error();
  }
  if (auto st = s->listen(addr); !st.ok()) return st.error();
  return s;
}

util::Status RpcServer::listen(const swim::Address& addr) {
  sockaddr_storage ss;
  if (auto st = runtime::to_sockaddr(addr, ss); !st.ok()) return st;
  if (int rc = uv_tcp_init(loop_, listener_.get()); rc != 0) return uv_error("uv_tcp_init", rc);
  listener_.get()->data = this;
  int rc = uv_tcp_bind(listener_.get(), reinterpret_cast<const sockaddr*>(&ss), 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_.get()), 64,
                   [](uv_stream_t* l, int status) {
                     if (auto* self = runtime::owner_of<RpcServer>(l)) self->on_connection(status);
                   });
  }
  if (rc != 0) {
    // Go names the failing syscall; with libuv a bind error may only surface at listen.
    const bool bind_error = rc == UV_EADDRINUSE || rc == UV_EADDRNOTAVAIL || rc == UV_EACCES;
    return util::Error{util::Errc::io, "Error starting RPC listener: listen tcp " +
                                           swim::to_string(addr) + ": " +
                                           (bind_error ? "bind: " : "") + uv_strerror(rc)};
  }
  sockaddr_storage bound;
  int len = sizeof bound;
  rc = uv_tcp_getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  if (rc != 0) return uv_error("Error starting RPC listener: getsockname", rc);
  auto a = runtime::from_sockaddr(reinterpret_cast<sockaddr*>(&bound));
  if (!a.ok()) return a.error();
  port_ = a->port;
  return {};
}

RpcServer::RpcServer(uv_loop_t* loop, AgentApi& agent, util::Logger& log)
    : loop_(loop), agent_(agent), log_(log) {}

RpcServer::~RpcServer() {
  // The loop no longer runs for us: nothing can be flushed, every connection goes now.
  closing_ = true;
  listener_.reset();
  retired_.clear();
  conns_.clear();
}

void RpcServer::on_connection(int status) {
  if (status != 0) {
    log_.log(util::LogLevel::err, "agent.ipc", "failed to accept client: {}", uv_strerror(status));
    return;
  }
  auto conn = std::make_unique<RpcConn>(*this, agent_, log_);
  auto* raw = conn.get();
  conns_.emplace(raw, std::move(conn));
  auto st = raw->accept(loop_, reinterpret_cast<uv_stream_t*>(listener_.get()));
  if (!st.ok()) {
    log_.log(util::LogLevel::err, "agent.ipc", "failed to accept client: {}", st.error().detail);
    conns_.erase(raw);  // not inside any callback of the connection: it has none yet
  }
}

void RpcServer::retire(RpcConn& conn) {
  auto it = conns_.find(&conn);
  if (it == conns_.end()) return;  // already retired
  retired_.push_back(std::move(it->second));
  conns_.erase(it);
  int rc = uv_timer_start(
      reap_timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = runtime::owner_of<RpcServer>(t)) self->reap();
      },
      0, 0);
  // Only a closing handle refuses to start; the destructor then destroys what is retired.
  if (rc != 0) log_.log(util::LogLevel::debug, "agent.ipc", "reap timer: {}", uv_strerror(rc));
}

void RpcServer::reap() {
  retired_.clear();
  if (!closing_ || !conns_.empty()) return;
  if (int rc = uv_timer_stop(close_timer_.get()); rc != 0) {
    log_.log(util::LogLevel::debug, "agent.ipc", "close timer: {}", uv_strerror(rc));
  }
}

void RpcServer::warn_slow_client() {
  if (warning_) return;
  warning_ = true;
  log_.log(util::LogLevel::warn, "agent.ipc", "Client is reading too slowly, dropping records");
  warning_ = false;
}

RpcConn* RpcServer::connection_for_test(std::size_t i) const {
  auto it = conns_.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  return it == conns_.end() ? nullptr : it->first;
}

void RpcServer::close() {
  if (closing_) return;
  closing_ = true;
  listener_.reset();
  // Each connection flushes its pending replies, then retires itself.
  std::vector<RpcConn*> open;
  for (auto& [raw, owned] : conns_) open.push_back(raw);
  for (auto* c : open) c->close_gracefully();
  if (conns_.empty()) return;
  int rc = uv_timer_start(
      close_timer_.get(),
      [](uv_timer_t* t) {
        if (auto* self = runtime::owner_of<RpcServer>(t)) self->on_close_deadline();
      },
      rpc::limits::close_flush_ms, 0);
  if (rc != 0) on_close_deadline();
}

void RpcServer::on_close_deadline() {
  std::vector<RpcConn*> open;
  for (auto& [raw, owned] : conns_) open.push_back(raw);
  for (auto* c : open) c->close_now();
}

}  // namespace agent
