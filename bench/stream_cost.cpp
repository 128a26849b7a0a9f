// Benchmark (on demand, not a test): the event loop's CPU cost of what peers send a
// runtime::Driver. One driver runs on 127.0.0.1 in this process's main thread; a sender thread
// with plain sockets sends it
//   - UDP pings (answered with acks): loop CPU per packet received;
//   - one push/pull stream of about 17 MiB (dead node states of unknown nodes, so the merge
//     itself costs little and the stream path dominates): loop CPU for the stream;
//   - one user-message stream of 19 MiB: loop CPU for the stream;
//   - first of all, 50 user-message streams of 19 MiB at once (the same bytes, from 50 threads):
//     the process's peak RSS over its baseline, i.e. what the driver buffered at most.
// Set STREAM_COST_LOG=1 to see the driver's debug log on stderr.
// The loop thread's CPU time (CLOCK_THREAD_CPUTIME_ID) is read at marks the sender places
// between phases; the sender's own CPU is not counted.
// Usage: build/bench/stream_cost [udp-packets] [push-pull-MiB] [user-message-MiB] [meta-bytes]
//                                [parallel-streams]
//        (defaults 200000 17 19 16 50; meta-bytes: the Meta of each node state in the push/pull)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sys/resource.h>
#include <string>
#include <thread>
#include <vector>

#include "runtime/driver.h"
#include "wire/codec.h"

namespace {

using namespace std::chrono_literals;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// What the loop thread shares with the sender.
struct Shared {
  uv_async_t mark{};
  uv_prepare_t publish{};  // copies the driver's UDP count for the sender once per iteration
  std::atomic<int> marks_seen{0};
  std::atomic<std::uint64_t> udp_received{0};
  std::atomic<bool> finished{false};
  std::vector<double> cpu_at_mark;   // loop thread only
  std::vector<double> wall_at_mark;  // loop thread only
  runtime::Driver* driver = nullptr;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sin;
}

// Sender side: asks the loop to note its CPU time, and waits until it has.
void place_mark(Shared& s) {
  const int want = s.marks_seen.load() + 1;
  uv_async_send(&s.mark);
  while (s.marks_seen.load() < want) std::this_thread::sleep_for(1ms);
}

void send_udp_pings(Shared& s, std::uint16_t port, std::uint64_t count) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  const auto to = loopback(port);
  for (std::uint64_t i = 0; i < count; ++i) {
    auto bytes = wire::encode(wire::Ping{.seq_no = static_cast<std::uint32_t>(i), .node = "target",
                                         .source_addr = {}, .source_node = {}, .source_port = 0});
    sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    // Keep at most 128 datagrams in flight: the socket's receive buffer holds about 280.
    while (i + 1 > s.udp_received.load() + 128) std::this_thread::sleep_for(50us);
  }
  // Wait for the tail: until everything arrived or nothing more arrives for 200 ms.
  std::uint64_t last = 0;
  int idle = 0;
  while (s.udp_received.load() < count && idle < 20) {
    std::this_thread::sleep_for(10ms);
    const auto now = s.udp_received.load();
    idle = now == last ? idle + 1 : 0;
    last = now;
  }
  close(fd);
}

// Writes one stream message and reads the reply until the driver closes the connection.
void send_stream(std::uint16_t port, const util::Bytes& message) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const auto to = loopback(port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  std::size_t off = 0;
  while (off < message.size()) {
    auto n = write(fd, message.data() + off, message.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  char buf[65536];
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024;  // KiB on Linux
}

void send_parallel_streams(std::uint16_t port, const util::Bytes& message, int streams) {
  std::vector<std::thread> senders;
  for (int i = 0; i < streams; ++i) senders.emplace_back([&] { send_stream(port, message); });
  for (auto& t : senders) t.join();
}

util::Bytes push_pull_of(std::size_t bytes, std::size_t meta_bytes, std::size_t& nodes) {
  wire::PushPull pp;
  const util::Bytes meta(meta_bytes, 'm');
  std::size_t size = 64;
  for (nodes = 0; size < bytes; ++nodes) {
    wire::PushNodeState n{.name = "node-" + std::to_string(nodes), .addr = {10, 0, 0, 1},
                          .port = 7946, .meta = meta, .incarnation = 1,
                          .state = wire::NodeState::dead, .vsn = {}};
    size += n.name.size() + meta.size() + 64;
    pp.nodes.push_back(std::move(n));
  }
  return wire::encode_stream(pp);
}

util::Bytes user_message_of(std::size_t bytes) {
  util::Bytes payload(bytes, 0xee);  // not a Serf message type: Serf drops it once decoded
  return wire::encode_stream(wire::UserMsg{.payload = std::move(payload)});
}

class StderrLogger final : public util::Logger {
 public:
  void write(util::LogLevel level, std::string_view component, std::string_view message) override {
    std::fprintf(stderr, "[%s] %.*s: %.*s\n", util::log_level_name(level),
                 static_cast<int>(component.size()), component.data(),
                 static_cast<int>(message.size()), message.data());
  }
};

void on_mark(uv_async_t* a) {
  auto* s = static_cast<Shared*>(a->data);
  s->cpu_at_mark.push_back(thread_cpu_seconds());
  s->wall_at_mark.push_back(static_cast<double>(uv_hrtime()) / 1e9);
  s->marks_seen.fetch_add(1);
  if (s->finished.load()) {
    s->driver->close();
    uv_close(reinterpret_cast<uv_handle_t*>(a), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&s->publish), nullptr);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t packets = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const double pp_mib = argc > 2 ? std::atof(argv[2]) : 17;
  const double um_mib = argc > 3 ? std::atof(argv[3]) : 19;
  const std::size_t meta_bytes = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 16;
  const int parallel = argc > 5 ? std::atoi(argv[5]) : 50;

  uv_loop_t loop;
  uv_loop_init(&loop);
  util::NullLogger quiet;
  StderrLogger verbose;
  verbose.set_level(util::LogLevel::debug);
  util::Logger& log = std::getenv("STREAM_COST_LOG") ? static_cast<util::Logger&>(verbose) : quiet;
  serf::Config config;
  config.memberlist = swim::Config::lan();
  config.memberlist.name = "target";
  config.memberlist.advertise = swim::Address{{127, 0, 0, 1}, 0};
  config.memberlist.tcp_timeout = 120s;  // a loaded machine must not cut a slow stream short
  auto driver = runtime::Driver::start(&loop, std::move(config), swim::Address{{127, 0, 0, 1}, 0},
                                       log, {});
  if (!driver.ok()) {
    std::fprintf(stderr, "driver: %s\n", driver.error().detail.c_str());
    return 1;
  }
  Shared shared;
  shared.driver = driver->get();
  uv_async_init(&loop, &shared.mark, on_mark);
  shared.mark.data = &shared;
  uv_prepare_init(&loop, &shared.publish);
  shared.publish.data = &shared;
  uv_prepare_start(&shared.publish, [](uv_prepare_t* p) {
    auto* s = static_cast<Shared*>(p->data);
    s->udp_received.store(s->driver->counters().udp_packets_received);
  });

  const std::uint16_t port = (*driver)->bound_port();
  std::size_t pp_nodes = 0;
  const auto pp = push_pull_of(static_cast<std::size_t>(pp_mib * (1 << 20)), meta_bytes, pp_nodes);
  const auto um = user_message_of(static_cast<std::size_t>(um_mib * (1 << 20)));
  const double rss_baseline = peak_rss_mib();
  double rss_parallel = 0;
  std::thread sender([&] {
    send_parallel_streams(port, um, parallel);
    rss_parallel = peak_rss_mib();
    place_mark(shared);
    send_udp_pings(shared, port, packets);
    place_mark(shared);
    send_stream(port, pp);
    place_mark(shared);
    send_stream(port, um);
    shared.finished.store(true);
    place_mark(shared);
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  sender.join();
  const auto counters = (*driver)->counters();
  driver->reset();
  uv_run(&loop, UV_RUN_DEFAULT);
  const int closed = uv_loop_close(&loop);

  std::printf("%d parallel %.1f MiB user-message streams: peak RSS %.0f MiB over a %.0f MiB baseline\n",
              parallel, static_cast<double>(um.size()) / (1 << 20), rss_parallel - rss_baseline,
              rss_baseline);
  const auto& m = shared.cpu_at_mark;
  const auto& w = shared.wall_at_mark;
  const double udp_cpu = m[1] - m[0];
  const auto received = shared.udp_received.load();
  std::printf("udp pings: %llu sent, %llu received, loop CPU %.3f s, %.2f us/packet\n",
              static_cast<unsigned long long>(packets), static_cast<unsigned long long>(received),
              udp_cpu, received ? udp_cpu / static_cast<double>(received) * 1e6 : 0.0);
  std::printf("push/pull stream: %.1f MiB (%zu node states, %zu-byte Meta), loop CPU %.3f s (%.2f s wall)\n",
              static_cast<double>(pp.size()) / (1 << 20), pp_nodes, meta_bytes, m[2] - m[1],
              w[2] - w[1]);
  std::printf("user-message stream: %.1f MiB, loop CPU %.3f s (%.2f s wall)\n",
              static_cast<double>(um.size()) / (1 << 20), m[3] - m[2], w[3] - w[2]);
  std::printf("driver: %llu streams accepted, %llu failed\n",
              static_cast<unsigned long long>(counters.streams_accepted),
              static_cast<unsigned long long>(counters.stream_errors));
  return closed == 0 ? 0 : 1;
}
