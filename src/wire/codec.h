// Encoding and decoding of memberlist messages and of the packet and stream wrappers
// (gossip-wire.md §3-§6). Everything that reads untrusted bytes returns a Result; nothing here
// throws. Encryption is not here: the driver seals/opens around these bytes (crypto/, later).
#pragma once

#include <span>
#include <vector>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/messages.h"

namespace wire {

// --- single messages, with their leading type byte -------------------------------------
util::Bytes encode(const Ping& m);
util::Bytes encode(const IndirectPing& m);
util::Bytes encode(const Ack& m);
util::Bytes encode(const Nack& m);
util::Bytes encode(const Suspect& m);
util::Bytes encode(const Alive& m);
util::Bytes encode(const Dead& m);
util::Bytes encode(const UserMsg& m);  // 08 + payload (payload starts with the Serf type)
util::Bytes encode(const PacketMessage& m);

// Decodes one message that starts with its type byte; no wrappers (compound, compress, CRC).
util::Result<PacketMessage> decode_message(util::ByteView bytes);

// --- UDP packets ------------------------------------------------------------------------
// A decoded datagram: every message found after peeling CRC, compress and (nested)
// compounds. Parts that fail to decode are counted, not fatal, as memberlist does.
struct DecodedPacket {
  std::vector<PacketMessage> messages;
  std::size_t bad_parts = 0;
};
// Fails only when nothing at all could be read (bad CRC, bad outer type, garbage).
util::Result<DecodedPacket> decode_packet(util::ByteView datagram);

// compound: 07 | n | len_1..len_n (u16be) | msg_1..msg_n. Caller keeps n <= 255.
util::Bytes make_compound(std::span<const util::Bytes> parts);
constexpr std::size_t compound_header_overhead = 2;  // type + count
constexpr std::size_t compound_part_overhead = 2;    // one u16be length per part

struct PacketOptions {
  bool compress = true;  // wrap in LZW if strictly shorter (§5.3)
  bool crc = false;      // add 0c + CRC32 (peer's pmax >= 5 and known by node record, §5.2)
};
// Builds the datagram body from one message or compound (encryption is applied after this).
util::Bytes frame_packet(util::ByteView message, const PacketOptions& options);

// --- TCP streams ------------------------------------------------------------------------
util::Bytes encode_stream(const StreamMessage& m);     // plain message, type byte first
util::Result<StreamMessage> decode_stream(util::ByteView plain);  // after decrypt+decompress
// Wraps a stream message: compressed unconditionally when enabled (§6.1).
util::Bytes frame_stream(util::ByteView message, bool compress);
// For a reader of a TCP stream as bytes arrive: the length of the first complete framed
// message in `buffered` (an 0a encrypted frame, a 09 compress wrapper, or a plain message),
// 0 while more bytes are needed, an error once it can never become valid.
util::Result<std::size_t> stream_frame_length(util::ByteView buffered);
// Reverses frame_stream on a complete, decrypted stream: inflates a 09 wrapper if present.
util::Result<util::Bytes> unframe_stream(util::ByteView framed);

// --- building blocks, exposed for tests and fuzzing --------------------------------------
std::uint32_t crc32(util::ByteView bytes);
util::Bytes lzw_compress(util::ByteView plain);  // Go compress/lzw, LSB, literal width 8
util::Result<util::Bytes> lzw_decompress(util::ByteView compressed);  // <= decompressed_bytes_max
// Same, with an explicit cap on the output (too_large beyond it). Accepts streams with or
// without the leading clear code; requires the end-of-data code.
util::Result<util::Bytes> lzw_decompress(util::ByteView compressed, std::size_t max_bytes);
util::Bytes encode_compress(util::ByteView plain);  // 09 + {Algo: 0, Buf: lzw(plain)}
util::Result<util::Bytes> decode_compress(util::ByteView message);  // message starts with 09

}  // namespace wire
