// RpcConn's I/O: reading with backpressure, the outgoing buffer with one write in flight, and
// closing (see rpc_conn.h). The commands are in rpc_commands.cpp.
#include "agent/rpc_conn.h"

#include "agent/rpc_server.h"
#include "rpc/limits.h"

namespace agent {

namespace {

// One uv_write and the bytes it writes; its callback frees it on every status.
struct WriteReq {
  uv_write_t req{};
  util::Bytes data;
};

uv_stream_t* as_stream(uv_tcp_t* tcp) { return reinterpret_cast<uv_stream_t*>(tcp); }

util::Error uv_error(const char* what, int rc) {
  return util::Error{util::Errc::io, std::string(what) + ": " + uv_strerror(rc)};
}

}  // namespace

RpcConn::RpcConn(RpcServer& server, AgentApi& agent, util::Logger& log)
    : server_(server), agent_(agent), log_(log) {}

RpcConn::~RpcConn() {
  *alive_ = false;
  release_subscriptions();
  // The write in flight, if any, is cancelled when the handle closes; its bytes go now.
  server_.remove_queued(queued_bytes());
}

util::Status RpcConn::accept(uv_loop_t* loop, uv_stream_t* listener) {
  if (int rc = uv_tcp_init(loop, tcp_.get()); rc != 0) return uv_error("uv_tcp_init", rc);
  tcp_.get()->data = this;
  if (int rc = uv_accept(listener, as_stream(tcp_.get())); rc != 0) {
    return uv_error("uv_accept", rc);
  }
  return set_reading(true);
}

void RpcConn::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (state_ != State::open || nread == 0) return;
  if (nread == UV_EOF) {  // answer what was sent before the EOF, then close
    input_ended_ = true;
    if (auto st = set_reading(false); !st.ok()) return close_now();
    return pump();
  }
  if (nread < 0) {
    log_.log(util::LogLevel::debug, "agent.ipc", "client read failed: {}",
             uv_strerror(static_cast<int>(nread)));
    return close_now();
  }
  reader_.feed(util::ByteView(reinterpret_cast<const std::uint8_t*>(buf->base),
                              static_cast<std::size_t>(nread)));
  pump();
}

void RpcConn::pump() {
  while (state_ == State::open && may_take_request()) {
    auto next = reader_.next_request();
    if (!next.ok()) {
      if (next.error().code == util::Errc::unsupported) {
        reply(reader_.last_seq(), rpc::errors::unsupported_command);
      } else {
        log_.log(util::LogLevel::err, "agent.ipc", "failed to decode request: {}",
                 next.error().detail);
      }
      return close_gracefully();
    }
    if (!next->has_value()) {
      if (input_ended_) return close_gracefully();
      break;
    }
    handle(**next);
  }
  if (state_ != State::open || input_ended_) return;
  if (auto st = set_reading(may_take_request()); !st.ok()) {
    log_.log(util::LogLevel::err, "agent.ipc", "client: {}", st.error().detail);
    close_now();
  }
}

bool RpcConn::may_take_request() const {
  // A client with nothing queued may always go on, so that every client makes progress.
  const std::size_t mine = queued_bytes();
  return mine == 0 || (mine < rpc::limits::conn_queue_bytes_max &&
                       server_.queued_total() < rpc::limits::total_queue_bytes_max);
}

util::Status RpcConn::set_reading(bool on) {
  if (on == reading_) return {};
  int rc = 0;
  if (on) {
    rc = uv_read_start(
        as_stream(tcp_.get()),
        [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
          auto* self = runtime::owner_of<RpcConn>(h);
          *buf = self != nullptr ? self->server_.read_buffer() : uv_buf_init(nullptr, 0);
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
          if (auto* self = runtime::owner_of<RpcConn>(s)) self->on_read(nread, buf);
        });
  } else {
    rc = uv_read_stop(as_stream(tcp_.get()));
  }
  if (rc != 0) return uv_error(on ? "uv_read_start" : "uv_read_stop", rc);
  reading_ = on;
  return {};
}

void RpcConn::queue(util::Bytes bytes) {
  // While flushing, replies still go out (a join answered late); once the queue ran empty the
  // shutdown is under way and the socket takes no more.
  const bool shutting_down = state_ == State::flushing && queued_bytes() == 0;
  if (state_ == State::closed || shutting_down || bytes.empty()) return;
  server_.add_queued(bytes.size());
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  if (in_flight_bytes_ == 0) start_write();
}

void RpcConn::start_write() {
  auto* w = new WriteReq;
  w->data.swap(pending_);
  in_flight_bytes_ = w->data.size();
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(w->data.data()),
                             static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, as_stream(tcp_.get()), &buf, 1, [](uv_write_t* r, int status) {
    std::unique_ptr<WriteReq> done(reinterpret_cast<WriteReq*>(r));
    if (auto* self = runtime::owner_of<RpcConn>(r->handle)) {
      self->on_written(done->data.size(), status);
    }
  });
  if (rc != 0) {  // libuv will not call back: the bytes stay counted until we are destroyed
    delete w;
    log_.log(util::LogLevel::debug, "agent.ipc", "client write failed: {}", uv_strerror(rc));
    close_now();
  }
}

void RpcConn::on_written(std::size_t bytes, int status) {
  in_flight_bytes_ = 0;
  server_.remove_queued(bytes);
  if (state_ == State::closed) return;
  if (status < 0) {
    log_.log(util::LogLevel::debug, "agent.ipc", "client write failed: {}", uv_strerror(status));
    return close_now();
  }
  if (!pending_.empty()) {
    start_write();
  } else if (state_ == State::flushing) {
    start_shutdown();
  }
  if (state_ == State::open) pump();
}

void RpcConn::close_gracefully() {
  if (state_ != State::open) return;
  state_ = State::flushing;
  if (auto st = set_reading(false); !st.ok()) return close_now();
  release_subscriptions();
  if (queued_bytes() == 0) start_shutdown();
}

void RpcConn::start_shutdown() {
  auto* req = new uv_shutdown_t{};
  int rc = uv_shutdown(req, as_stream(tcp_.get()), [](uv_shutdown_t* r, int) {
    auto* self = runtime::owner_of<RpcConn>(r->handle);
    delete r;
    if (self != nullptr) self->close_now();
  });
  if (rc != 0) {
    delete req;
    close_now();
  }
}

void RpcConn::close_now() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  if (auto st = set_reading(false); !st.ok()) {
    log_.log(util::LogLevel::debug, "agent.ipc", "client: {}", st.error().detail);
  }
  server_.retire(*this);
}

void RpcConn::release_subscriptions() {
  for (auto& [seq, sub] : streams_) agent_.unsubscribe(sub);
  streams_.clear();
  if (monitor_) agent_.logger().remove_listener(monitor_->second);
  monitor_.reset();
}

}  // namespace agent
