// StreamFramer: where the one framed message of a memberlist TCP stream ends, found as its
// bytes arrive (gossip-wire.md §6). A stream carries an 0a encrypted frame (length in its
// header), a 09 compress wrapper or another single msgpack message, a push/pull (header,
// Nodes node states, UserStateLen raw bytes) or a user message (header, UserMsgLen bytes).
//
// The framer keeps a cursor: every call scans only the bytes that arrived since the last one
// (msgpack items are skipped with a counter of items still owed, str/bin bodies by length), so
// a stream of n bytes costs O(n) however it is split into reads. Re-parsing the whole buffer
// on every read cost O(n^2): 4.8 s of loop CPU for a 17 MiB push/pull.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/limits.h"

namespace wire {

class StreamFramer {
 public:
  // The longest frame: memberlist's 20 MiB stream cap plus an encrypted frame's 5-byte header.
  static constexpr std::size_t frame_bytes_max = limits::stream_bytes_max + 5;

  // `buffered`: every byte of the stream so far; each call passes the previous call's bytes
  // unchanged, plus any that arrived since. Returns the framed message's total length once it
  // is all there, 0 while more bytes are needed, or an error once it can never become valid.
  util::Result<std::size_t> advance(util::ByteView buffered);

  // The frame's total length once the headers have told it (encrypted frames, user messages,
  // push/pulls after their node states), else 0: a reader may reserve exactly this much.
  [[nodiscard]] std::size_t expected_length() const { return total_; }

 private:
  enum class Phase { type, encrypted, header, items, tail, done, failed };

  util::Result<std::size_t> fail(util::Error e);
  util::Status start(std::uint8_t type);
  util::Status header_done(util::ByteView buffered);
  // Skips msgpack items from pos_ while items_left_ > 0; false when the bytes ran out first.
  util::Result<bool> skip_items(util::ByteView buffered);

  Phase phase_ = Phase::type;
  std::uint8_t type_ = 0;
  std::size_t pos_ = 0;             // bytes before pos_ have been scanned
  std::uint64_t items_left_ = 0;    // msgpack items still to skip
  std::uint64_t raw_left_ = 0;      // bytes of a str/bin/ext/number body still to skip
  std::uint64_t tail_bytes_ = 0;    // raw bytes after the items (user state, user payload)
  std::size_t total_ = 0;
  util::Error error_{util::Errc::malformed, ""};
};

}  // namespace wire
