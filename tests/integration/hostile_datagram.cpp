// Test tool for hostile_query_test.sh: sends one gossip datagram that a real serf agent cannot
// (its queries travel by gossip, so they must fit one ~1400-byte packet): a Serf query whose tag
// filter nests DEPTH groups, LZW-compressed as memberlist does, so that thousands of
// parentheses fit a few hundred bytes. This is the datagram that overflowed std::regex's stack.
// Usage: hostile_datagram IP PORT LTIME DEPTH   (prints the datagram's size in bytes)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "wire/codec.h"
#include "wire/serf_codec.h"

namespace {

util::Bytes hostile_query(std::uint64_t ltime, std::size_t depth) {
  wire::serf::Query q;
  q.ltime = ltime;
  q.id = static_cast<std::uint32_t>(depth * 7919 + ltime);
  q.addr = {127, 0, 0, 1};
  q.port = 9;  // discard: the filter refuses the query, so no ack is sent anyway
  q.source_node = "attacker";
  q.filters = {wire::serf::encode_filter(
      wire::serf::TagFilter{"role", std::string(depth, '(') + std::string(depth, ')')})};
  q.timeout_ns = 1'000'000'000;
  q.name = "nested";
  return wire::encode_compress(wire::encode(wire::UserMsg{wire::serf::encode(q)}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s IP PORT LTIME DEPTH\n", argv[0]);
    return 2;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(std::strtoul(argv[2], nullptr, 10)));
  if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
    std::fprintf(stderr, "bad IPv4 address: %s\n", argv[1]);
    return 2;
  }
  const util::Bytes datagram =
      hostile_query(std::strtoull(argv[3], nullptr, 10), std::strtoul(argv[4], nullptr, 10));
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    std::perror("socket");
    return 1;
  }
  const auto sent = sendto(fd, datagram.data(), datagram.size(), 0,
                           reinterpret_cast<const sockaddr*>(&to), sizeof to);
  close(fd);
  if (sent != static_cast<ssize_t>(datagram.size())) {
    std::perror("sendto");
    return 1;
  }
  std::printf("%zu\n", datagram.size());
  return 0;
}
