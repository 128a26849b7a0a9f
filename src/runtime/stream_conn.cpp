// StreamConn: see stream_conn.h.
#include "runtime/stream_conn.h"

#include <cstring>
#include <memory>

#include "runtime/driver.h"
#include "runtime/sockaddr.h"
#include "wire/codec.h"
#include "wire/limits.h"

namespace runtime {

namespace {

struct WriteReq {
  uv_write_t req{};
  util::Bytes data;
};

}  // namespace

StreamConn::StreamConn(Driver& driver, Kind kind, swim::StreamId id)
    : driver_(driver), kind_(kind), id_(id) {}

util::Result<std::unique_ptr<StreamConn>> StreamConn::create(Driver& driver, uv_loop_t* loop,
                                                             Kind kind, swim::StreamId id) {
  std::unique_ptr<StreamConn> c(new StreamConn(driver, kind, id));
  if (auto s = c->tcp_.init("uv_tcp_init", uv_tcp_init, loop, c.get()); !s.ok()) return s.error();
  if (auto s = c->timer_.init("uv_timer_init", uv_timer_init, loop, c.get()); !s.ok())
    return s.error();
  return c;
}

StreamConn::~StreamConn() = default;

void StreamConn::close() {
  tcp_.reset();
  timer_.reset();
}

util::Status StreamConn::start_timer(std::uint64_t timeout_ms) {
  return uv_status("uv_timer_start", uv_timer_start(timer_.get(), [](uv_timer_t* t) {
    if (auto* self = owner_of<StreamConn>(t)) self->on_timeout();
  }, timeout_ms, 0));
}

util::Status StreamConn::connect(const swim::Address& to, util::Bytes request, bool expect_reply,
                                 std::uint64_t timeout_ms) {
  peer_ = to;
  expect_reply_ = expect_reply;
  pending_request_ = std::move(request);
  sockaddr_storage ss;
  if (auto s = to_sockaddr(to, ss); !s.ok()) return s;
  auto* req = new uv_connect_t{};
  int rc = uv_tcp_connect(req, tcp_.get(), reinterpret_cast<const sockaddr*>(&ss),
                          [](uv_connect_t* r, int status) {
                            auto* self = owner_of<StreamConn>(r->handle);
                            delete r;
                            if (self) self->on_connected(status);
                          });
  if (rc != 0) {
    delete req;  // libuv never calls back for a connect that did not start
    return uv_status("dial tcp " + swim::to_string(to), rc);
  }
  return start_timer(timeout_ms);
}

util::Status StreamConn::accept(uv_stream_t* server, std::uint64_t timeout_ms) {
  if (auto s = uv_status("accept", uv_accept(server, reinterpret_cast<uv_stream_t*>(tcp_.get())));
      !s.ok())
    return s;
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp_.get(), reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (auto a = from_sockaddr(reinterpret_cast<sockaddr*>(&ss)); a.ok()) peer_ = *a;
  }  // else the peer already went away: the first read reports it
  if (auto s = start_timer(timeout_ms); !s.ok()) return s;
  return start_reading();
}

void StreamConn::on_connected(int status) {
  if (status != 0)
    return complete(uv_status("dial tcp " + swim::to_string(peer_) + ": connect", status).error());
  write_and_finish(std::move(pending_request_));
}

void StreamConn::write_and_finish(util::Bytes bytes) {
  if (bytes.empty()) {
    finishing_ = true;
    if (kind_ == Kind::inbound) return driver_.forget_stream(*this);
  }
  auto* w = new WriteReq;
  w->data = std::move(bytes);
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(w->data.data()),
                             static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(tcp_.get()), &buf, 1,
                    [](uv_write_t* r, int status) {
                      std::unique_ptr<WriteReq> owned(reinterpret_cast<WriteReq*>(r));
                      if (auto* self = owner_of<StreamConn>(r->handle)) self->on_written(status);
                    });
  if (rc != 0) {
    delete w;  // never started: no callback will free it
    on_written(rc);
  }
}

void StreamConn::on_written(int status) {
  if (kind_ == Kind::inbound) return driver_.forget_stream(*this);
  if (status != 0) return complete(uv_status("write tcp", status).error());
  if (!expect_reply_) return complete(util::Bytes{});
  if (auto s = start_reading(); !s.ok()) complete(s.error());
}

util::Status StreamConn::start_reading() {
  return uv_status("read tcp", uv_read_start(
      reinterpret_cast<uv_stream_t*>(tcp_.get()),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = owner_of<StreamConn>(h);
        if (!self) {
          *buf = uv_buf_init(nullptr, 0);
          return;
        }
        *buf = uv_buf_init(self->read_buf_, sizeof self->read_buf_);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        if (auto* self = owner_of<StreamConn>(s)) self->on_read(nread, buf);
      }));
}

void StreamConn::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (completed_) return;
  if (nread < 0) {
    return complete(nread == UV_EOF ? util::Error{util::Errc::truncated, "EOF before a whole message"}
                                    : uv_status("read tcp", static_cast<int>(nread)).error());
  }
  in_.insert(in_.end(), buf->base, buf->base + nread);
  auto length = wire::stream_frame_length(in_);
  if (!length.ok()) return complete(length.error());
  if (*length == 0) {
    if (in_.size() > wire::limits::stream_bytes_max)
      complete(util::Error{util::Errc::too_large, "stream message too large"});
    return;
  }
  in_.resize(*length);  // one message per connection: anything after it is ignored
  uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_.get()));  // always 0
  complete(std::move(in_));
}

void StreamConn::on_timeout() {
  if (finishing_ && kind_ == Kind::inbound) return driver_.forget_stream(*this);
  complete(util::Error{util::Errc::timeout, "dial tcp " + swim::to_string(peer_) + ": i/o timeout"});
}

void StreamConn::complete(util::Result<util::Bytes> framed) {
  if (completed_) return;
  completed_ = true;
  uv_timer_stop(timer_.get());  // always 0
  // The driver may retire us inside this call: our handles are then closed, and the object
  // lives on only until the callback that brought us here has returned.
  driver_.on_stream_complete(*this, std::move(framed));
}

}  // namespace runtime
