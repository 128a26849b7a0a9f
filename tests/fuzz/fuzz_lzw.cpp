// libFuzzer harness: LZW decoding of arbitrary bytes, and compress/decompress round trips.
#include <cstddef>
#include <cstdint>

#include "wire/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const util::ByteView in(data, size);
  (void)wire::lzw_decompress(in, 1 << 20);
  auto back = wire::lzw_decompress(wire::lzw_compress(in));
  if (!back.ok() || *back != util::Bytes(in.begin(), in.end())) __builtin_trap();
  return 0;
}
