// Packet and stream wrappers (gossip-wire.md §5, §6.1):
//   compound  07 | n:u8 | len_1..len_n:u16be | msg_1..msg_n       (each msg has its type byte)
//   compress  09 | msgpack {Algo: 0, Buf: raw LZW bytes}           (inflates to a full message)
//   CRC       0c | crc32-IEEE:u32be | protected bytes               (outermost on UDP only)
//   encrypted stream frame  0a | len:u32be | len bytes              (opened by the driver)
// Receiving mirrors memberlist: CRC only at the top, compound and compress nest (bounded by
// limits::nesting_depth_max); a compound part that fails is counted, the others still count.
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

// Length of a push/pull (type byte at 0): header, node states, raw user state; 0 if incomplete.
util::Result<std::size_t> push_pull_length(util::ByteView b) {
  auto head = mp::object_length(b.subspan(1));
  if (!head.ok() || *head == 0) return head;
  std::size_t off = 1;
  auto h = detail::decode_push_pull_header(b.first(1 + *head), off);
  if (!h.ok()) return h.error();
  for (std::size_t i = 0; i < h->nodes; ++i) {
    auto n = mp::object_length(b.subspan(off));
    if (!n.ok() || *n == 0) return n;
    off += *n;
    if (off > limits::stream_bytes_max) return util::Error{Errc::too_large, "push/pull size"};
  }
  const std::size_t total = off + h->user_state_len;
  if (total > limits::stream_bytes_max) return util::Error{Errc::too_large, "push/pull size"};
  return b.size() >= total ? total : 0;
}

util::Result<std::size_t> user_msg_length(util::ByteView b) {
  auto head = mp::object_length(b.subspan(1));
  if (!head.ok() || *head == 0) return head;
  std::size_t off = 1;
  auto len = detail::decode_user_msg_header(b.first(1 + *head), off);
  if (!len.ok()) return len.error();
  const std::size_t total = off + *len;
  return b.size() >= total ? total : 0;
}

util::Result<std::size_t> one_object_length(util::ByteView b) {
  auto n = mp::object_length(b.subspan(1));
  if (!n.ok() || *n == 0) return n;
  return 1 + *n;
}

}  // namespace

util::Result<std::size_t> stream_frame_length(util::ByteView buffered) {
  if (buffered.empty()) return std::size_t{0};
  util::Result<std::size_t> n{std::size_t{0}};
  switch (static_cast<MessageType>(buffered[0])) {
    case MessageType::encrypt: {
      if (buffered.size() < 5) return std::size_t{0};
      const std::size_t len = util::get_u32be(&buffered[1]);
      if (len > limits::stream_bytes_max) return util::Error{Errc::too_large, "stream frame"};
      return buffered.size() >= 5 + len ? 5 + len : 0;
    }
    case MessageType::push_pull: n = push_pull_length(buffered); break;
    case MessageType::user: n = user_msg_length(buffered); break;
    case MessageType::compress:
    case MessageType::ping:
    case MessageType::indirect_ping:
    case MessageType::ack:
    case MessageType::suspect:
    case MessageType::alive:
    case MessageType::dead:
    case MessageType::nack:
    case MessageType::err: n = one_object_length(buffered); break;
    default: return util::Error{Errc::unsupported, "not a stream message type"};
  }
  if (n.ok() && *n == 0 && buffered.size() > limits::stream_bytes_max + 5) {
    return util::Error{Errc::too_large, "stream message too long"};
  }
  return n;
}

}  // namespace wire
