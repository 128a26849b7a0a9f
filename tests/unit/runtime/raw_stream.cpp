// RawStream: see raw_stream.h.
#include "raw_stream.h"

#include <netinet/in.h>

#include <csignal>

namespace runtime_test {

namespace {
struct WriteReq {
  uv_write_t req{};
  util::Bytes data;
};
}  // namespace

std::unique_ptr<RawStream> RawStream::connect(uv_loop_t* loop, std::uint16_t port) {
  std::signal(SIGPIPE, SIG_IGN);  // writing to a connection the driver closed must not kill us
  std::unique_ptr<RawStream> s(new RawStream);
  if (!s->tcp_.init("uv_tcp_init", uv_tcp_init, loop, s.get()).ok()) return nullptr;
  sockaddr_in to{};
  uv_ip4_addr("127.0.0.1", port, &to);
  auto* req = new uv_connect_t{};
  int rc = uv_tcp_connect(req, s->tcp_.get(), reinterpret_cast<const sockaddr*>(&to),
                          [](uv_connect_t* r, int status) {
                            auto* self = runtime::owner_of<RawStream>(r->handle);
                            delete r;
                            if (self) self->on_connected(status);
                          });
  if (rc != 0) {
    delete req;
    return nullptr;
  }
  return s;
}

void RawStream::on_connected(int status) {
  if (status != 0) {
    closed_by_peer_ = true;
    return;
  }
  connected_ = true;
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(tcp_.get()),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = runtime::owner_of<RawStream>(h);
        *buf = self ? uv_buf_init(self->read_buf_, sizeof self->read_buf_) : uv_buf_init(nullptr, 0);
      },
      [](uv_stream_t* h, ssize_t nread, const uv_buf_t*) {
        auto* self = runtime::owner_of<RawStream>(h);
        if (self && nread < 0) self->closed_by_peer_ = true;
      });
  if (!queued_.empty()) send(std::exchange(queued_, {}));
}

void RawStream::write(util::Bytes bytes) {
  if (!connected_) {
    queued_.insert(queued_.end(), bytes.begin(), bytes.end());
    return;
  }
  send(std::move(bytes));
}

void RawStream::send(util::Bytes bytes) {
  auto* w = new WriteReq;
  w->data = std::move(bytes);
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(w->data.data()),
                             static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(tcp_.get()), &buf, 1,
                    [](uv_write_t* r, int) { delete reinterpret_cast<WriteReq*>(r); });
  if (rc != 0) {
    delete w;
    closed_by_peer_ = true;
  }
}

}  // namespace runtime_test
