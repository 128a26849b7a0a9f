// StreamConn: see stream_conn.h.
#include "runtime/stream_conn.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "runtime/driver.h"
#include "runtime/sockaddr.h"
#include "runtime/limits.h"

namespace runtime {

namespace {

struct WriteReq {
  uv_write_t req{};
  util::Bytes data;
};

}  // namespace

StreamConn::StreamConn(Driver& driver, StreamBudget& budget, Kind kind, swim::StreamId id)
    : driver_(driver), budget_(budget), kind_(kind), id_(id) {}

util::Result<std::unique_ptr<StreamConn>> StreamConn::create(Driver& driver, StreamBudget& budget,
                                                             uv_loop_t* loop, Kind kind,
                                                             swim::StreamId id) {
  std::unique_ptr<StreamConn> c(new StreamConn(driver, budget, kind, id));
  if (auto s = c->tcp_.init("uv_tcp_init", uv_tcp_init, loop, c.get()); !s.ok()) return s.error();
  if (auto s = c->timer_.init("uv_timer_init", uv_timer_init, loop, c.get()); !s.ok())
    return s.error();
  return c;
}

StreamConn::~StreamConn() { release_buffer(); }

void StreamConn::close() {
  tcp_.reset();
  timer_.reset();
  release_buffer();
}

void StreamConn::release_buffer() {
  budget_.give_back(std::exchange(reserved_, 0));
  util::Bytes().swap(in_);
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

util::Status StreamConn::accept_only(uv_stream_t* server) {
  if (auto s = uv_status("accept", uv_accept(server, reinterpret_cast<uv_stream_t*>(tcp_.get())));
      !s.ok())
    return s;
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp_.get(), reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (auto a = from_sockaddr(reinterpret_cast<sockaddr*>(&ss)); a.ok()) peer_ = *a;
  }  // else the peer already went away: the first read reports it
  return {};
}

util::Status StreamConn::accept(uv_stream_t* server, std::uint64_t timeout_ms) {
  if (auto s = accept_only(server); !s.ok()) return s;
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
        *buf = self ? self->driver_.stream_read_buffer() : uv_buf_init(nullptr, 0);
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
  util::ByteView bytes(reinterpret_cast<const std::uint8_t*>(buf->base), static_cast<std::size_t>(nread));
  if (auto s = append(bytes); !s.ok()) return complete(s.error());
  auto length = framer_.advance(in_);
  if (!length.ok()) return complete(length.error());
  if (*length == 0) return;
  in_.resize(*length);  // one message per connection: anything after it is ignored
  uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_.get()));  // always 0
  complete(std::move(in_));
}

util::Status StreamConn::append(util::ByteView bytes) {
  const std::size_t expected = framer_.expected_length();  // 0: not known yet
  if (expected != 0 && in_.size() + bytes.size() > expected)
    bytes = bytes.first(expected > in_.size() ? expected - in_.size() : 0);
  const std::size_t need = in_.size() + bytes.size();
  if (need > in_.capacity()) {
    std::size_t want = std::max({need, 2 * in_.capacity(), limits::stream_read_chunk_bytes});
    want = std::min(want, expected != 0 ? expected : wire::StreamFramer::frame_bytes_max);
    want = std::max(want, need);
    const std::size_t grow = want - in_.capacity();
    if (!budget_.take(grow))
      return util::Error{util::Errc::too_large, "stream buffers full (" +
                                                    std::to_string(budget_.in_use()) + " bytes)"};
    reserved_ += grow;
    in_.reserve(want);
  }
  in_.insert(in_.end(), bytes.begin(), bytes.end());
  return {};
}

void StreamConn::on_timeout() {
  if (finishing_ && kind_ == Kind::inbound) return driver_.forget_stream(*this);
  complete(util::Error{util::Errc::timeout, "dial tcp " + swim::to_string(peer_) + ": i/o timeout"});
}

void StreamConn::complete(util::Result<util::Bytes> framed) {
  if (completed_) return;
  completed_ = true;
  uv_timer_stop(timer_.get());  // always 0
  release_buffer();  // the message (moved into `framed`) is the node's within this call
  // The driver may retire us inside this call: our handles are then closed, and the object
  // lives on only until the callback that brought us here has returned.
  driver_.on_stream_complete(*this, std::move(framed));
}

}  // namespace runtime
