// libFuzzer harness: arbitrary text as a JSON/YAML config file and as a tags file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/config.h"
#include "agent/tags_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)agent::decode_config(text);
  (void)agent::parse_tags_file(text);
  return 0;
}
