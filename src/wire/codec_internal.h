// Pieces shared by codec.cpp and framing.cpp that are not part of the wire API.
//   pushPullHeader (§6.3): msgpack map {Join: bool, Nodes: int, UserStateLen: int}
//   userMsgHeader  (§6.4): msgpack map {UserMsgLen: int}
#pragma once

#include <cstddef>

#include "util/bytes.h"
#include "util/result.h"

namespace wire::detail {

struct PushPullHeader {
  bool join = false;
  std::size_t nodes = 0;           // capped at limits::push_pull_nodes_max
  std::size_t user_state_len = 0;  // capped at limits::stream_bytes_max
};

// Both read one msgpack map at `offset` and move `offset` past it.
util::Result<PushPullHeader> decode_push_pull_header(util::ByteView bytes, std::size_t& offset);
util::Result<std::size_t> decode_user_msg_header(util::ByteView bytes, std::size_t& offset);

}  // namespace wire::detail
