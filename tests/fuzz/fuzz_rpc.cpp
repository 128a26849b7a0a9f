// libFuzzer harness: bytes arriving on an RPC connection, fed in two pieces at a point the
// input chooses, through the server's request reader until it asks for more or fails.
#include <cstddef>
#include <cstdint>

#include "rpc/stream_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t split = data[0] % size;
  rpc::RequestReader reader;
  reader.feed(util::ByteView(data + 1, split > 0 ? split - 1 : 0));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 1000; ++i) {  // every request consumes bytes, so this is bounded
      auto next = reader.next_request();
      if (!next.ok() || !next->has_value()) break;
    }
    if (round == 0 && split > 0) reader.feed(util::ByteView(data + split, size - split));
  }
  return 0;
}
