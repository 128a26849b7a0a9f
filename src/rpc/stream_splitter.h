// Cutting an RPC byte stream into messages: StreamSplitter yields the stream's msgpack objects
// one by one (both sides use it), RequestReader pairs each request header with its body (the
// server's side). Objects are measured and checked against rpc::limits with wire's skipping
// parser first and built only once all their bytes are buffered, so a hostile header cannot
// make msgpack-cxx allocate more than a small multiple of the bytes we hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rpc/limits.h"
#include "rpc/messages.h"
#include "util/bytes.h"
#include "util/result.h"
#include "wire/msgpack.h"

namespace rpc {

class StreamSplitter {
 public:
  explicit StreamSplitter(std::size_t pending_bytes_max = limits::pending_bytes_max)
      : pending_max_(pending_bytes_max) {}
  void feed(util::ByteView bytes);
  // The next complete object, owning its data; nullopt until all its bytes have arrived.
  // Errors are final (every later call fails too; close the connection): malformed (not
  // msgpack, an ext item, nesting deeper than limits::depth_max), too_large (a str/bin or a
  // container over its limit, or more than pending_bytes_max buffered for one object).
  util::Result<std::optional<wire::mp::Document>> next_object();
  [[nodiscard]] std::size_t buffered_bytes() const { return buf_.size() - off_; }

 private:
  util::Bytes buf_;
  std::size_t off_ = 0;  // start of the first object not handed out yet
  std::size_t pending_max_;
  bool failed_ = false;
};

class RequestReader {
 public:
  void feed(util::ByteView bytes) { splitter_.feed(bytes); }
  // nullopt: wait for more bytes. Errors are final (every later call fails too); close the
  // connection afterwards:
  //  - Errc::unsupported: the header names an unknown command; reply
  //    errors::unsupported_command with last_seq() first, as Serf does;
  //  - anything else: a malformed stream, header or body; Serf closes without replying.
  util::Result<std::optional<Request>> next_request();
  // Seq of the last header read (valid after an Errc::unsupported error).
  [[nodiscard]] std::uint64_t last_seq() const { return last_seq_; }
  [[nodiscard]] std::size_t buffered_bytes() const { return splitter_.buffered_bytes(); }

 private:
  util::Result<std::optional<Request>> read();

  StreamSplitter splitter_{limits::request_pending_bytes_max};
  bool failed_ = false;  // errors are final: the stream position is no longer trustworthy
  std::optional<Command> pending_;  // header read, body not yet arrived
  std::uint64_t last_seq_ = 0;
};

}  // namespace rpc
