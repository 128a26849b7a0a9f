// Packet and stream wrappers (gossip-wire.md §5, §6.1):
//   compound  07 | n:u8 | len_1..len_n:u16be | msg_1..msg_n       (each msg has its type byte)
//   compress  09 | msgpack {Algo: 0, Buf: raw LZW bytes}           (inflates to a full message)
//   CRC       0c | crc32-IEEE:u32be | protected bytes               (outermost on UDP only)
//   encrypted stream frame  0a | len:u32be | len bytes              (opened by the driver)
// Receiving mirrors memberlist: CRC only at the top, compound and compress nest (bounded by
// limits::nesting_depth_max); a compound part that fails is counted, the others still count.
// Streams: StreamFramer (framing.h) finds where a stream's message ends as its bytes arrive.
#include "wire/framing.h"

#include <algorithm>
#include <array>

#include "wire/codec.h"
#include "wire/codec_internal.h"
#include "wire/limits.h"
#include "wire/msgpack.h"

namespace wire {

namespace {

using util::Errc;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto crc_table = make_crc_table();

constexpr std::uint8_t type_byte(MessageType t) { return static_cast<std::uint8_t>(t); }

util::Result<util::Bytes> decompress(util::ByteView message, std::size_t max_bytes) {
  if (message.empty() || message[0] != type_byte(MessageType::compress)) {
    return util::Error{Errc::malformed, "not a compress message"};
  }
  auto doc = mp::Document::parse(message.subspan(1));
  if (!doc.ok()) return doc.error();
  std::uint64_t algo = 0;
  util::ByteView buf;
  WIRE_TRY(mp::for_each_field(doc->root(), [&](std::string_view k, const mp::Object& v)
                                                -> util::Status {
    if (k == "Algo") return mp::read(v, algo);
    if (k == "Buf") {
      auto b = mp::view_bytes(v, limits::stream_bytes_max);
      if (!b.ok()) return b.error();
      buf = *b;
    }
    return {};
  }));
  if (algo != 0) return util::Error{Errc::unsupported, "unknown compression algorithm"};
  return lzw_decompress(buf, max_bytes);
}

// Peels compound and compress wrappers and collects the messages.
class PacketReader {
 public:
  explicit PacketReader(DecodedPacket& out) : out_(out) {}

  util::Status dispatch(util::ByteView msg, std::size_t depth) {
    if (msg.empty()) return {Errc::truncated, "empty message"};
    const auto type = static_cast<MessageType>(msg[0]);
    if (type == MessageType::compound || type == MessageType::compress) {
      if (depth >= limits::nesting_depth_max) return {Errc::too_large, "wrappers nested too deep"};
      if (type == MessageType::compound) return compound(msg, depth);
      auto inner = decompress(msg, limits::udp_decompressed_bytes_max);
      if (!inner.ok()) return inner.error();
      return dispatch(*inner, depth + 1);
    }
    auto m = decode_message(msg);
    if (!m.ok()) return m.error();
    out_.messages.push_back(std::move(*m));
    return {};
  }

 private:
  util::Status compound(util::ByteView msg, std::size_t depth) {
    if (msg.size() < 2) return {Errc::truncated, "compound without count"};
    const std::size_t n = msg[1];
    if (msg.size() < 2 + 2 * n) return {Errc::truncated, "compound lengths"};
    std::size_t off = 2 + 2 * n;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t len = util::get_u16be(&msg[2 + 2 * i]);
      if (len > msg.size() - off) {  // this part and all after it are lost
        out_.bad_parts += n - i;
        return {};
      }
      if (!dispatch(msg.subspan(off, len), depth + 1).ok()) ++out_.bad_parts;
      off += len;
    }
    if (off != msg.size()) ++out_.bad_parts;  // trailing garbage after the last part
    return {};
  }

  DecodedPacket& out_;
};

}  // namespace

std::uint32_t crc32(util::ByteView bytes) {
  std::uint32_t c = 0xffffffffu;
  for (auto b : bytes) c = crc_table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

util::Bytes encode_compress(util::ByteView plain) {
  const auto lzw = lzw_compress(plain);
  util::Bytes out{type_byte(MessageType::compress)};
  out.reserve(lzw.size() + 16);
  mp::Writer(out).map(2).key("Algo").uint(0).key("Buf").bytes(lzw);
  return out;
}

util::Result<util::Bytes> decode_compress(util::ByteView message) {
  return decompress(message, limits::decompressed_bytes_max);
}

util::Bytes make_compound(std::span<const util::Bytes> parts) {
  ASSERT(parts.size() <= limits::compound_parts_max);
  std::size_t total = compound_header_overhead + compound_part_overhead * parts.size();
  for (const auto& p : parts) total += p.size();
  util::Bytes out;
  out.reserve(total);
  out.push_back(type_byte(MessageType::compound));
  out.push_back(static_cast<std::uint8_t>(parts.size()));
  for (const auto& p : parts) {
    ASSERT(p.size() <= 0xffff);
    util::put_u16be(out, static_cast<std::uint16_t>(p.size()));
  }
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

util::Bytes frame_packet(util::ByteView message, const PacketOptions& options) {
  util::Bytes compressed;
  util::ByteView body = message;
  if (options.compress) {
    compressed = encode_compress(message);
    if (compressed.size() < message.size()) body = compressed;
  }
  util::Bytes out;
  out.reserve(body.size() + 5);
  if (options.crc) {
    out.push_back(type_byte(MessageType::has_crc));
    util::put_u32be(out, crc32(body));
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

util::Result<DecodedPacket> decode_packet(util::ByteView datagram) {
  if (datagram.empty()) return util::Error{Errc::truncated, "empty packet"};
  if (datagram.size() > limits::udp_packet_bytes_max) {
    return util::Error{Errc::too_large, "packet over 64 KiB"};
  }
  util::ByteView body = datagram;
  if (datagram[0] == type_byte(MessageType::has_crc)) {
    if (datagram.size() < 5) return util::Error{Errc::truncated, "CRC header"};
    body = datagram.subspan(5);
    if (crc32(body) != util::get_u32be(&datagram[1])) {
      return util::Error{Errc::checksum, "CRC mismatch"};
    }
  }
  DecodedPacket out;
  PacketReader reader(out);
  auto st = reader.dispatch(body, 0);
  if (!st.ok()) return st.error();
  return out;
}

// --- streams -------------------------------------------------------------------------------

util::Bytes frame_stream(util::ByteView message, bool compress) {
  if (compress) return encode_compress(message);
  return util::Bytes(message.begin(), message.end());
}

util::Result<util::Bytes> unframe_stream(util::ByteView framed) {
  if (framed.empty()) return util::Error{Errc::truncated, "empty stream"};
  if (framed[0] == type_byte(MessageType::encrypt)) {
    return util::Error{Errc::unsupported, "encrypted stream: open it first"};
  }
  if (framed[0] == type_byte(MessageType::compress)) return decode_compress(framed);
  return util::Bytes(framed.begin(), framed.end());
}

namespace {

// One msgpack item's shape by its first byte (0xc0..0xdf; the fix* ranges are handled
// before): how many big-endian length bytes follow, a type byte more (ext), a body of fixed
// size (numbers, fixext), and whether the length counts body bytes, array items or map pairs.
enum class Counts : std::uint8_t { none, body, items, pairs, invalid };
struct Form {
  std::uint8_t length_bytes;
  std::uint8_t extra;
  std::uint8_t fixed_body;
  Counts counts;
};
constexpr Form forms[32] = {
    {0, 0, 0, Counts::none},  {0, 0, 0, Counts::invalid}, {0, 0, 0, Counts::none},   // c0-c2
    {0, 0, 0, Counts::none},  {1, 0, 0, Counts::body},    {2, 0, 0, Counts::body},   // c3-c5
    {4, 0, 0, Counts::body},  {1, 1, 0, Counts::body},    {2, 1, 0, Counts::body},   // c6-c8
    {4, 1, 0, Counts::body},  {0, 0, 4, Counts::none},    {0, 0, 8, Counts::none},   // c9-cb
    {0, 0, 1, Counts::none},  {0, 0, 2, Counts::none},    {0, 0, 4, Counts::none},   // cc-ce
    {0, 0, 8, Counts::none},  {0, 0, 1, Counts::none},    {0, 0, 2, Counts::none},   // cf-d1
    {0, 0, 4, Counts::none},  {0, 0, 8, Counts::none},    {0, 0, 2, Counts::none},   // d2-d4
    {0, 0, 3, Counts::none},  {0, 0, 5, Counts::none},    {0, 0, 9, Counts::none},   // d5-d7
    {0, 0, 17, Counts::none}, {1, 0, 0, Counts::body},    {2, 0, 0, Counts::body},   // d8-da
    {4, 0, 0, Counts::body},  {2, 0, 0, Counts::items},   {4, 0, 0, Counts::items},  // db-dd
    {2, 0, 0, Counts::pairs}, {4, 0, 0, Counts::pairs},                              // de-df
};

// An item's header as read at the front of `b`: its size, the body bytes after it, and the
// items it holds. header_bytes == 0: the header itself is not all there yet.
struct ItemHead {
  std::size_t header_bytes = 0;
  std::uint64_t body_bytes = 0;
  std::uint64_t children = 0;
};

util::Result<ItemHead> item_head(util::ByteView b) {
  const std::uint8_t t = b[0];
  if (t <= 0x7f || t >= 0xe0) return ItemHead{1, 0, 0};       // fixint
  if (t <= 0x8f) return ItemHead{1, 0, 2u * (t & 0x0fu)};      // fixmap
  if (t <= 0x9f) return ItemHead{1, 0, t & 0x0fu};             // fixarray
  if (t <= 0xbf) return ItemHead{1, t & 0x1fu, 0};             // fixstr
  const Form& f = forms[t - 0xc0];
  if (f.counts == Counts::invalid) return util::Error{Errc::malformed, "msgpack: bad item"};
  const std::size_t header = 1u + f.length_bytes + f.extra;
  if (b.size() < header) return ItemHead{};
  std::uint64_t n = 0;
  for (std::size_t i = 1; i <= f.length_bytes; ++i) n = (n << 8) | b[i];
  switch (f.counts) {
    case Counts::body: return ItemHead{header, n, 0};
    case Counts::items: return ItemHead{header, 0, n};
    case Counts::pairs: return ItemHead{header, 0, 2 * n};
    default: return ItemHead{header, f.fixed_body, 0};
  }
}

}  // namespace

util::Result<std::size_t> StreamFramer::fail(util::Error e) {
  phase_ = Phase::failed;
  error_ = std::move(e);
  return error_;
}

util::Status StreamFramer::start(std::uint8_t type) {
  type_ = type;
  pos_ = 1;
  items_left_ = 1;
  switch (static_cast<MessageType>(type)) {
    case MessageType::encrypt: phase_ = Phase::encrypted; return {};
    case MessageType::push_pull:
    case MessageType::user: phase_ = Phase::header; return {};
    case MessageType::compress:
    case MessageType::ping:
    case MessageType::indirect_ping:
    case MessageType::ack:
    case MessageType::suspect:
    case MessageType::alive:
    case MessageType::dead:
    case MessageType::nack:
    case MessageType::err: phase_ = Phase::items; return {};
    default: return {Errc::unsupported, "not a stream message type"};
  }
}

// The push/pull or user-message header (bytes 1..pos_) is complete: it says what follows.
util::Status StreamFramer::header_done(util::ByteView buffered) {
  std::size_t off = 1;
  const auto header = buffered.first(pos_);
  if (static_cast<MessageType>(type_) == MessageType::push_pull) {
    auto h = detail::decode_push_pull_header(header, off);
    if (!h.ok()) return h.error();
    items_left_ = h->nodes;
    tail_bytes_ = h->user_state_len;
  } else {
    auto len = detail::decode_user_msg_header(header, off);
    if (!len.ok()) return len.error();
    tail_bytes_ = *len;
  }
  phase_ = Phase::items;
  return {};
}

util::Result<bool> StreamFramer::skip_items(util::ByteView buffered) {
  while (items_left_ > 0 || raw_left_ > 0) {
    if (raw_left_ > 0) {
      const auto n = std::min<std::uint64_t>(raw_left_, buffered.size() - pos_);
      pos_ += static_cast<std::size_t>(n);
      raw_left_ -= n;
      if (raw_left_ > 0) return false;
      continue;
    }
    if (pos_ >= buffered.size()) return false;
    auto head = item_head(buffered.subspan(pos_));
    if (!head.ok()) return head.error();
    if (head->header_bytes == 0) return false;  // split header (<= 9 bytes): read again next time
    pos_ += head->header_bytes;
    raw_left_ = head->body_bytes;
    items_left_ = items_left_ - 1 + head->children;
    // Every item takes a byte at least: more than a frame can hold will never arrive.
    if (items_left_ > frame_bytes_max || raw_left_ > frame_bytes_max) {
      return util::Error{Errc::too_large, "stream message too long"};
    }
  }
  return true;
}

util::Result<std::size_t> StreamFramer::advance(util::ByteView buffered) {
  for (;;) {
    switch (phase_) {
      case Phase::failed: return error_;
      case Phase::done: return total_;
      case Phase::type:
        if (buffered.empty()) return std::size_t{0};
        if (auto s = start(buffered[0]); !s.ok()) return fail(s.error());
        continue;
      case Phase::encrypted: {
        if (buffered.size() < 5) return std::size_t{0};
        const std::size_t len = util::get_u32be(&buffered[1]);
        if (len > limits::stream_bytes_max) return fail({Errc::too_large, "stream frame"});
        total_ = 5 + len;
        phase_ = Phase::tail;
        continue;
      }
      case Phase::header:
      case Phase::items: {
        auto complete = skip_items(buffered);
        if (!complete.ok()) return fail(complete.error());
        if (!*complete) break;
        if (phase_ == Phase::header) {
          if (auto s = header_done(buffered); !s.ok()) return fail(s.error());
          continue;
        }
        total_ = pos_ + static_cast<std::size_t>(tail_bytes_);
        if (total_ > frame_bytes_max) return fail({Errc::too_large, "stream message too long"});
        phase_ = Phase::tail;
        continue;
      }
      case Phase::tail:
        if (buffered.size() < total_) return std::size_t{0};
        phase_ = Phase::done;
        return total_;
    }
    // More bytes are needed for the header or the items.
    if (phase_ == Phase::header && pos_ > 1 + limits::stream_header_bytes_max)
      return fail({Errc::too_large, "stream message header too long"});
    if (buffered.size() > frame_bytes_max) return fail({Errc::too_large, "stream message too long"});
    return std::size_t{0};
  }
}

util::Result<std::size_t> stream_frame_length(util::ByteView buffered) {
  return StreamFramer{}.advance(buffered);
}

}  // namespace wire
