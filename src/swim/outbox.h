// Everything a Core step wants done in the world. The driver (or the simulator) drains it
// after every call. Bytes are framed (compound/compress/CRC applied) but not yet encrypted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "swim/address.h"
#include "util/bytes.h"
#include "util/time.h"

namespace swim {

using StreamId = std::uint64_t;
using JoinId = std::uint64_t;

struct Datagram {
  Address to;
  util::Bytes bytes;
};

// Open a TCP connection to `to`, write `request`, and if `expect_reply` read one framed
// message back; report it with Core::on_stream_reply(id, ...) (or the error) by `deadline`.
struct StreamCall {
  StreamId id = 0;
  Address to;
  util::Bytes request;
  bool expect_reply = true;
  util::Instant deadline{};
};

// The answer to an inbound stream (Core::on_stream_request); empty bytes: just close.
struct StreamReply {
  StreamId id = 0;
  util::Bytes bytes;
};

// A join started with Core::join has finished: how many seeds answered a push/pull.
struct JoinResult {
  JoinId id = 0;
  int joined = 0;
  std::vector<std::string> errors;  // one line per seed that failed
};

struct Outbox {
  std::vector<Datagram> packets;
  std::vector<StreamCall> streams;
  std::vector<StreamReply> stream_replies;
  std::vector<JoinResult> joins;

  [[nodiscard]] bool empty() const {
    return packets.empty() && streams.empty() && stream_replies.empty() && joins.empty();
  }
};

}  // namespace swim
