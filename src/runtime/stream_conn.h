// StreamConn: one memberlist TCP exchange — one framed request, at most one framed reply, then
// close (gossip-wire.md §6). Outbound: connect, write, maybe read the reply. Inbound: read the
// request, hand it to the Driver, write the reply. A deadline timer bounds either.
//
// Reading: the framer (wire::StreamFramer) keeps its cursor across reads, so each byte is
// scanned once; the buffer grows by chunks and doubling, never past the length the message
// announced, and every growth is first taken from the Driver's StreamBudget (refused: the
// stream fails and closes). Reads land in the Driver's shared slab, then in the buffer.
//
// Lifetime: the Driver owns every StreamConn. When an exchange ends (inside one of our own
// callbacks, typically) the Driver retires us: close() shuts the handles at once, so no further
// callback reaches us, and the object itself is destroyed later, once the callback has returned.
#pragma once

#include <uv.h>

#include <memory>

#include "runtime/stream_budget.h"
#include "runtime/uv_handle.h"
#include "swim/address.h"
#include "swim/outbox.h"
#include "util/bytes.h"
#include "util/result.h"
#include "wire/framing.h"

namespace runtime {

class Driver;

class StreamConn {
 public:
  enum class Kind { outbound, inbound };

  // Fails when libuv cannot set up the connection's handles.
  static util::Result<std::unique_ptr<StreamConn>> create(Driver& driver, StreamBudget& budget,
                                                          uv_loop_t* loop, Kind kind,
                                                          swim::StreamId id);
  ~StreamConn();
  StreamConn(const StreamConn&) = delete;
  StreamConn& operator=(const StreamConn&) = delete;

  util::Status connect(const swim::Address& to, util::Bytes request, bool expect_reply,
                       std::uint64_t timeout_ms);
  util::Status accept(uv_stream_t* server, std::uint64_t timeout_ms);
  // Takes the connection off the listener without reading (to close it at once).
  util::Status accept_only(uv_stream_t* server);
  // Write the reply (may be empty) and then let the driver forget us.
  void write_and_finish(util::Bytes bytes);
  // Closes the socket and the timer now; no callback reaches this object afterwards.
  void close();

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] swim::StreamId id() const { return id_; }
  [[nodiscard]] const swim::Address& peer() const { return peer_; }

 private:
  StreamConn(Driver& driver, StreamBudget& budget, Kind kind, swim::StreamId id);
  util::Status start_timer(std::uint64_t timeout_ms);
  void on_connected(int status);
  void on_read(ssize_t nread, const uv_buf_t* buf);
  // Appends what belongs to the message, growing the buffer within the budget.
  util::Status append(util::ByteView bytes);
  void release_buffer();
  void on_written(int status);
  void on_timeout();
  util::Status start_reading();
  void complete(util::Result<util::Bytes> framed);

  Driver& driver_;
  StreamBudget& budget_;
  Kind kind_;
  swim::StreamId id_;
  swim::Address peer_;
  UvHandle<uv_tcp_t> tcp_;
  UvHandle<uv_timer_t> timer_;
  util::Bytes in_;
  std::size_t reserved_ = 0;  // bytes of in_'s capacity taken from the budget
  wire::StreamFramer framer_;
  util::Bytes pending_request_;
  bool expect_reply_ = true;
  bool completed_ = false;
  bool finishing_ = false;
};

}  // namespace runtime
