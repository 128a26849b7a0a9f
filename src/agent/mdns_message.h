// DNS messages as multicast DNS uses them (RFC 1035 §4, RFC 6762 §18): a pure codec, no I/O.
//
// Byte format: a 12-byte header (id, flags, four section counts, big-endian u16s), then the
// questions (name, type u16, class u16) and the answer, authority and additional records
// (name, type u16, class u16, ttl u32, rdlength u16, rdata). Names are length-prefixed labels
// ending in a zero byte, or in a 2-byte pointer (top bits 11) to an earlier name in the message.
//
// decode() checks every length before reading, caps counts before allocating, accepts only
// pointers that point backwards (so a name always ends) and rejects trailing bytes.
// encode() compresses owner names and PTR targets; SRV targets stay whole (RFC 2782).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/limits.h"
#include "util/bytes.h"
#include "util/result.h"

namespace agent::mdns {

// Record types we interpret. Append only: values are on the wire.
namespace rrtype {
constexpr std::uint16_t a = 1;
constexpr std::uint16_t ptr = 12;
constexpr std::uint16_t txt = 16;
constexpr std::uint16_t aaaa = 28;
constexpr std::uint16_t srv = 33;
constexpr std::uint16_t any = 255;
}  // namespace rrtype

constexpr std::uint16_t class_in = 1;
// The top bit of a question's class asks for a unicast reply (QU, RFC 6762 §5.4); in a
// record it is the cache-flush bit (§10.2).
constexpr std::uint16_t class_top_bit = 0x8000;

// A domain name as its labels, root excluded: "a.local." is {"a", "local"}. Labels are raw
// bytes and may hold dots.
using Name = std::vector<std::string>;

struct Question {
  Name name{};
  std::uint16_t type = 0;
  std::uint16_t klass = class_in;
};

// One resource record. Which fields carry the data depends on `type`.
struct Record {
  Name name{};
  std::uint16_t type = 0;
  std::uint16_t klass = class_in;
  std::uint32_t ttl = 0;
  Name target{};                    // PTR: the name pointed to; SRV: the host
  std::uint16_t priority = 0;     // SRV
  std::uint16_t weight = 0;       // SRV
  std::uint16_t port = 0;         // SRV
  std::vector<std::string> txt{};   // TXT: the character strings
  util::Bytes address{};            // A: 4 bytes, AAAA: 16 bytes
  util::Bytes rdata{};              // any other type, verbatim

  friend bool operator==(const Record&, const Record&) = default;
};

struct Message {
  std::uint16_t id = 0;
  bool response = false;          // QR
  std::uint8_t opcode = 0;        // 4 bits
  bool authoritative = false;     // AA
  bool truncated = false;         // TC
  bool recursion_desired = false; // RD
  std::uint8_t rcode = 0;         // 4 bits
  std::vector<Question> questions{};
  std::vector<Record> answers{};
  std::vector<Record> authorities{};
  std::vector<Record> additionals{};
};

util::Result<Message> decode(util::ByteView bytes);
// Fails on a label that is empty or over 63 bytes, a name over 255 bytes, a TXT string over
// 255 bytes, an A/AAAA address of the wrong size, or a message over message_bytes_max.
util::Result<util::Bytes> encode(const Message& message);

// "a.b.local." (the final dot is optional) into labels. Fails on an empty or over-long label
// or an over-long name. No escapes: a backslash is an ordinary byte.
util::Result<Name> parse_name(std::string_view dotted);
// Dotted text with a final dot, for logs: dots and backslashes inside a label are escaped
// with a backslash, other bytes outside printable ASCII as \DDD.
std::string to_string(const Name& name);
// DNS names compare without regard to ASCII case (RFC 1035 §2.3.3).
bool same_name(const Name& a, const Name& b);
// Does `name` end with the labels of `suffix` and have at least one label before them?
bool is_below(const Name& name, const Name& suffix);

}  // namespace agent::mdns
