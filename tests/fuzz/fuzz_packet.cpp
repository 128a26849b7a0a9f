// libFuzzer harness: any datagram through decode_packet, then re-encode what it decoded.
#include <cstddef>
#include <cstdint>

#include "wire/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto packet = wire::decode_packet(util::ByteView(data, size));
  if (!packet.ok()) return 0;
  for (const auto& m : packet->messages) {
    // whatever decodes must encode and decode to the same value
    auto again = wire::decode_message(wire::encode(m));
    if (!again.ok() || !(*again == m)) __builtin_trap();
  }
  return 0;
}
