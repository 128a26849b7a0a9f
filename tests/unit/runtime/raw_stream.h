// RawStream: a plain TCP client on the test loop, for feeding a Driver hand-made stream bytes
// and seeing whether the driver closed the connection. Writes are queued with libuv, so large
// messages go out as the driver reads them, in the same loop.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>

#include "runtime/uv_handle.h"
#include "util/bytes.h"

namespace runtime_test {

class RawStream {
 public:
  // Starts connecting to 127.0.0.1:port; nullptr if libuv refuses at once.
  static std::unique_ptr<RawStream> connect(uv_loop_t* loop, std::uint16_t port);
  RawStream(const RawStream&) = delete;
  RawStream& operator=(const RawStream&) = delete;

  // Queues `bytes` (after the connection is up, if it is not yet).
  void write(util::Bytes bytes);

  [[nodiscard]] bool connected() const { return connected_; }
  // The driver closed or reset the connection (or connecting failed).
  [[nodiscard]] bool closed_by_peer() const { return closed_by_peer_; }

 private:
  RawStream() = default;
  void on_connected(int status);
  void send(util::Bytes bytes);

  runtime::UvHandle<uv_tcp_t> tcp_;
  util::Bytes queued_;
  bool connected_ = false;
  bool closed_by_peer_ = false;
  char read_buf_[4096];
};

}  // namespace runtime_test
