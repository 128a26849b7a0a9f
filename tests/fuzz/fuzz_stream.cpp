// libFuzzer harness: bytes as they would arrive on a TCP stream, through the framing reader,
// the unframer and the stream decoder.
#include <cstddef>
#include <cstdint>

#include "wire/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const util::ByteView in(data, size);
  auto len = wire::stream_frame_length(in);
  if (len.ok() && *len > size) __builtin_trap();  // never claims more than was buffered
  auto plain = wire::unframe_stream(in);
  if (plain.ok()) (void)wire::decode_stream(*plain);
  auto direct = wire::decode_stream(in);
  if (direct.ok()) {
    auto again = wire::decode_stream(wire::encode_stream(*direct));
    if (!again.ok() || !(*again == *direct)) __builtin_trap();
  }
  return 0;
}
