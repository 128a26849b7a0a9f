// libFuzzer harness: arbitrary bytes as an mDNS datagram, through every consumer of one: the
// decoder, the responder (answers must encode and decode again) and the browser.
#include <cstddef>
#include <cstdint>

#include "agent/mdns_browse.h"
#include "agent/mdns_message.h"
#include "agent/mdns_service.h"

namespace {

const agent::mdns::Service& service() {
  static const auto made = agent::mdns::Service::make({.instance = "n1",
                                                       .service = agent::mdns::serf_service("c"),
                                                       .domain = "local.",
                                                       .host = "box",
                                                       .port = 7946,
                                                       .ips = {{198, 19, 53, 1}},
                                                       .txt = {agent::mdns::serf_txt("c")}});
  if (!made.ok()) __builtin_trap();
  return *made;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto message = agent::mdns::decode(util::ByteView(data, size));
  if (!message.ok()) return 0;
  auto replies = service().respond(*message);
  if (replies.ok())
    for (auto& reply : *replies)
      if (!agent::mdns::decode(reply).ok()) __builtin_trap();
  if (auto again = agent::mdns::encode(*message); again.ok())
    if (!agent::mdns::decode(*again).ok()) __builtin_trap();
  agent::mdns::Browse browse(service().service_name());
  (void)browse.on_message(*message);
  return 0;
}
