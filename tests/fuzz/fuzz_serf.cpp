// libFuzzer harness: the Serf decoders (messages, tags, filters, ack payload).
#include <cstddef>
#include <cstdint>

#include "wire/serf_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const util::ByteView in(data, size);
  if (auto m = wire::serf::decode(in); m.ok()) {
    auto again = wire::serf::decode(wire::serf::encode(*m));
    if (!again.ok() || !(*again == *m)) __builtin_trap();
  }
  (void)wire::serf::decode_tags(in);
  (void)wire::serf::decode_filter(in);
  (void)wire::serf::decode_ping_payload(in);
  return 0;
}
