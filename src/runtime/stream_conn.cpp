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

util::Error uv_error(const char* what, int status) {
  return util::Error{util::Errc::io, std::string(what) + ": " + uv_strerror(status)};
}

}  // namespace

StreamConn::StreamConn(Driver& driver, uv_loop_t* loop, Kind kind, swim::StreamId id)
    : driver_(driver), kind_(kind), id_(id) {
  uv_tcp_init(loop, tcp_.get());
  tcp_.get()->data = this;
  uv_timer_init(loop, timer_.get());
  timer_.get()->data = this;
}

StreamConn::~StreamConn() = default;

util::Status StreamConn::connect(const swim::Address& to, util::Bytes request, bool expect_reply,
                                 std::uint64_t timeout_ms) {
  peer_ = to;
  expect_reply_ = expect_reply;
  pending_request_ = std::move(request);
  sockaddr_storage ss;
  if (auto s = to_sockaddr(to, ss); !s.ok()) return s;
  auto* req = new uv_connect_t{};
  req->data = nullptr;
  int rc = uv_tcp_connect(req, tcp_.get(), reinterpret_cast<const sockaddr*>(&ss),
                          [](uv_connect_t* r, int status) {
                            auto* self = owner_of<StreamConn>(r->handle);
                            delete r;
                            if (self) self->on_connected(status);
                          });
  if (rc != 0) {
    delete req;
    return uv_error(("dial tcp " + swim::to_string(to)).c_str(), rc);
  }
  uv_timer_start(timer_.get(), [](uv_timer_t* t) {
    if (auto* self = owner_of<StreamConn>(t)) self->on_timeout();
  }, timeout_ms, 0);
  return {};
}

util::Status StreamConn::accept(uv_stream_t* server, std::uint64_t timeout_ms) {
  int rc = uv_accept(server, reinterpret_cast<uv_stream_t*>(tcp_.get()));
  if (rc != 0) return uv_error("accept", rc);
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp_.get(), reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (auto a = from_sockaddr(reinterpret_cast<sockaddr*>(&ss)); a.ok()) peer_ = *a;
  }
  uv_timer_start(timer_.get(), [](uv_timer_t* t) {
    if (auto* self = owner_of<StreamConn>(t)) self->on_timeout();
  }, timeout_ms, 0);
  start_reading();
  return {};
}

void StreamConn::on_connected(int status) {
  if (status != 0) return complete(uv_error(("dial tcp " + swim::to_string(peer_) + ": connect").c_str(), status));
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
    delete w;
    on_written(rc);
  }
}

void StreamConn::on_written(int status) {
  if (kind_ == Kind::inbound) return driver_.forget_stream(*this);
  if (status != 0) return complete(uv_error("write tcp", status));
  if (!expect_reply_) return complete(util::Bytes{});
  start_reading();
}

void StreamConn::start_reading() {
  uv_read_start(
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
      });
}

void StreamConn::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (completed_) return;
  if (nread < 0) {
    return complete(nread == UV_EOF ? util::Error{util::Errc::truncated, "EOF before a whole message"}
                                    : uv_error("read tcp", static_cast<int>(nread)));
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
  uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_.get()));
  complete(std::move(in_));
}

void StreamConn::on_timeout() {
  if (finishing_ && kind_ == Kind::inbound) return driver_.forget_stream(*this);
  complete(util::Error{util::Errc::timeout, "dial tcp " + swim::to_string(peer_) + ": i/o timeout"});
}

void StreamConn::complete(util::Result<util::Bytes> framed) {
  if (completed_) return;
  completed_ = true;
  uv_timer_stop(timer_.get());
  // The driver may destroy us inside this call; touch nothing afterwards.
  driver_.on_stream_complete(*this, std::move(framed));
}

}  // namespace runtime
