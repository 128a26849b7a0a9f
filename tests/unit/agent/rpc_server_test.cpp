// Tests of the agent's RPC server against real sockets on 127.0.0.1: backpressure on a client
// that pipelines and never reads, the limits of rpc/limits.h on queued replies and records (per
// client and in total), closing on write failures and on shutdown, all on a private uv loop
// driven step by step. Every wait is bounded by a count of loop steps.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <string>

#include "agent/agent_api.h"
#include "agent/rpc_conn.h"
#include "agent/rpc_server.h"
#include "rpc/codec.h"
#include "rpc/limits.h"
#include "rpc/stream_splitter.h"

namespace {

// The parts of the agent the RPC server calls; stats answers ~2 KiB so replies pile up fast.
class FakeAgent final : public agent::AgentApi {
 public:
  FakeAgent() : log_(std::fopen("/dev/null", "w")) {}
  void join(std::vector<std::string>, bool, std::function<void(int, std::string)> done) override {
    done(0, "no");
  }
  void leave(std::function<void()> done) override { done(); }
  util::Status force_leave(const std::string&, bool) override { return {}; }
  util::Status update_tags(const rpc::StringMap&, const std::vector<std::string>&) override {
    return {};
  }
  util::Status user_event(const std::string&, util::ByteView, bool) override { return {}; }
  std::vector<serf::Member> members() const override { return {}; }
  rpc::StatsResponse stats() const override {
    rpc::StatsResponse s;
    for (int i = 0; i < 64; ++i) s["agent"]["key" + std::to_string(i)] = std::string(24, 'v');
    return s;
  }
  const std::string& rpc_auth() const override { return auth_; }
  runtime::AgentLogger& logger() override { return log_; }
  std::uint64_t subscribe(EventListener) override { return ++subscriptions_; }
  void unsubscribe(std::uint64_t) override {}

 private:
  runtime::AgentLogger log_;
  std::string auth_;
  std::uint64_t subscriptions_ = 0;
};

// A loop, a fake agent and a server on 127.0.0.1:0; the destructor checks the loop closes.
struct Bench {
  uv_loop_t loop{};
  FakeAgent agent;
  std::unique_ptr<agent::RpcServer> server;

  Bench() {
    std::signal(SIGPIPE, SIG_IGN);  // as main() does: a write to a reset socket is an error
    REQUIRE(uv_loop_init(&loop) == 0);
    auto s = agent::RpcServer::start(&loop, swim::Address{{127, 0, 0, 1}, 0}, agent,
                                     agent.logger());
    REQUIRE(s.ok());
    server = std::move(*s);
  }
  ~Bench() {
    server.reset();
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop) == 0);
  }
  void step(int n = 1) {
    for (int i = 0; i < n; ++i) uv_run(&loop, UV_RUN_NOWAIT);
  }
  // Steps the loop until cond() holds, at most `steps` times.
  bool step_until(const std::function<bool()>& cond, int steps = 20000) {
    for (int i = 0; i < steps && !cond(); ++i) uv_run(&loop, UV_RUN_NOWAIT);
    return cond();
  }
  // Connects a non-blocking client; a small receive buffer makes a non-reading client's
  // window close after a few KiB, so that replies pile up in the server quickly.
  int connect_client(bool small_window = true) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    if (small_window) {
      const int rcvbuf = 4096;
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(server->bound_port());
    ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);  // EINPROGRESS: the loop accepts
    const auto before = server->connections_for_test();
    REQUIRE(step_until([&] { return server->connections_for_test() > before; }));
    return fd;
  }
  agent::RpcConn& conn(std::size_t i = 0) {
    auto* c = server->connection_for_test(i);
    REQUIRE(c != nullptr);
    return *c;
  }
};

// Sends as much of `bytes` as the socket takes now; returns how much.
std::size_t send_some(int fd, util::ByteView bytes) {
  const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void send_all(Bench& b, int fd, const util::Bytes& bytes) {
  std::size_t done = 0;
  REQUIRE(b.step_until([&] {
    done += send_some(fd, util::ByteView(bytes).subspan(done));
    return done == bytes.size();
  }));
}

// Reads whatever has arrived into a splitter; false once the server closed the connection.
bool read_some(int fd, rpc::StreamSplitter& into) {
  std::uint8_t buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n > 0) into.feed(util::ByteView(buf, static_cast<std::size_t>(n)));
  return n != 0;
}

std::size_t count_objects(rpc::StreamSplitter& s) {
  std::size_t n = 0;
  for (auto next = s.next_object(); next.ok() && next->has_value(); next = s.next_object()) ++n;
  return n;
}

void reset_close(int fd) {
  const linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

const util::Bytes handshake = rpc::encode_request(rpc::Command::handshake, 0,
                                                  rpc::HandshakeRequest{rpc::ipc_version});

// A client that opens a monitor, reads the two replies and from then on never reads.
int open_monitor(Bench& b) {
  const int fd = b.connect_client();
  util::Bytes requests = handshake;
  auto monitor = rpc::encode_request(rpc::Command::monitor, 1, rpc::MonitorRequest{"DEBUG"});
  requests.insert(requests.end(), monitor.begin(), monitor.end());
  send_all(b, fd, requests);
  rpc::StreamSplitter replies;
  std::size_t got = 0;
  REQUIRE(b.step_until([&] {
    read_some(fd, replies);
    got += count_objects(replies);
    return got >= 2;
  }));
  return fd;
}

// Sends stats requests without reading until the server stops reading this client.
void pipeline_until_paused(Bench& b, int fd) {
  util::Bytes requests;
  for (int i = 0; i < 2000; ++i) {  // ~4 MiB of replies, past the per-client limit
    auto r = rpc::encode_request(rpc::Command::stats, 1, {});
    requests.insert(requests.end(), r.begin(), r.end());
  }
  std::size_t sent = 0;
  REQUIRE(b.step_until([&] {
    sent += send_some(fd, util::ByteView(requests).subspan(sent));
    return !b.conn().reading_for_test();
  }));
}

}  // namespace

TEST_SUITE("agent.rpc_server") {
  TEST_CASE("a client that pipelines and never reads is no longer read past its queue limit") {
    Bench b;
    const int fd = b.connect_client();
    send_all(b, fd, handshake);
    const util::Bytes stats = rpc::encode_request(rpc::Command::stats, 1, {});
    util::Bytes chunk;
    for (int i = 0; i < 4096; ++i) chunk.insert(chunk.end(), stats.begin(), stats.end());
    std::size_t sent = 0;
    int idle_steps = 0;  // steps in a row in which the server took no byte
    while (idle_steps < 2000 && sent < (64u << 20)) {
      const std::size_t n = send_some(fd, util::ByteView(chunk).subspan(sent % chunk.size()));
      sent += n;
      idle_steps = n > 0 ? 0 : idle_steps + 1;
      b.step();
    }
    const std::size_t reply_bytes = rpc::encode_response(rpc::ResponseHeader{1, ""},
                                                         b.agent.stats()).size();
    CHECK(sent < (64u << 20));
    CHECK_FALSE(b.conn().reading_for_test());
    CHECK(b.conn().queued_bytes() < rpc::limits::conn_queue_bytes_max + reply_bytes);
    close(fd);
  }

  TEST_CASE("a paused client that starts reading gets every reply, in order, none dropped") {
    Bench b;
    const int fd = b.connect_client();
    util::Bytes requests = handshake;
    const std::size_t count = 3000;  // ~6 MiB of replies: past the limit, paused on the way
    for (std::size_t i = 1; i <= count; ++i) {
      auto r = rpc::encode_request(rpc::Command::stats, i, {});
      requests.insert(requests.end(), r.begin(), r.end());
    }
    std::size_t sent = 0;
    REQUIRE(b.step_until([&] {
      sent += send_some(fd, util::ByteView(requests).subspan(sent));
      return !b.conn().reading_for_test();
    }));
    // Replies: the handshake's header, then a header and a body per stats request.
    rpc::StreamSplitter replies;
    std::size_t objects = 0;
    bool in_order = true;
    REQUIRE(b.step_until([&] {
      sent += send_some(fd, util::ByteView(requests).subspan(sent));
      read_some(fd, replies);
      for (auto obj = replies.next_object(); obj.ok() && obj->has_value();
           obj = replies.next_object(), ++objects) {
        if (objects > 0 && objects % 2 == 0) continue;  // a stats body
        rpc::ResponseHeader h;
        in_order = in_order && rpc::decode((*obj)->root(), h).ok() && h.seq == (objects + 1) / 2;
      }
      return objects == 1 + 2 * count;
    }, 200000));
    CHECK(in_order);
    close(fd);
  }

  TEST_CASE("monitors that never read hold no more than the total limit together") {
    Bench b;
    std::vector<int> fds;
    // 24 x the per-client limit is well over the total limit.
    for (int i = 0; i < 24; ++i) fds.push_back(open_monitor(b));
    const std::string filler(1000, 'x');
    for (int i = 0; i < 30000; ++i) {
      b.agent.logger().log(util::LogLevel::info, "test", "line {} {}", i, filler);
      if (i % 16 == 0) b.step();
    }
    const std::size_t record_bytes = 1200;  // one log record: the line and its header
    CHECK(b.server->queued_total() <= rpc::limits::total_queue_bytes_max + 24 * record_bytes);
    std::uint64_t dropped = 0;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      CHECK(b.conn(i).queued_bytes() <= rpc::limits::conn_queue_bytes_max + record_bytes);
      dropped += b.conn(i).dropped_records_for_test();
    }
    CHECK(dropped > 0);
    for (int fd : fds) close(fd);
  }

  TEST_CASE("a client that resets while replies are queued for it is closed by the failed write") {
    Bench b;
    const int fd = b.connect_client();
    send_all(b, fd, handshake);
    pipeline_until_paused(b, fd);  // from now on only a write can see the reset
    reset_close(fd);
    CHECK(b.step_until([&] {
      return b.server->connections_for_test() == 0 && b.server->queued_total() == 0;
    }));
  }

  TEST_CASE("a client that half-closes after its requests still gets every reply") {
    Bench b;
    const int fd = b.connect_client(false);
    util::Bytes requests = handshake;
    auto stats = rpc::encode_request(rpc::Command::stats, 1, {});
    requests.insert(requests.end(), stats.begin(), stats.end());
    send_all(b, fd, requests);
    shutdown(fd, SHUT_WR);
    rpc::StreamSplitter replies;
    bool open = true;
    CHECK(b.step_until([&] {
      open = read_some(fd, replies);
      return !open;
    }));
    CHECK(count_objects(replies) == 3);  // handshake header; stats header and body
    close(fd);
  }

  TEST_CASE("closing the server does not wait for a client that never reads") {
    Bench b;
    const int fd = b.connect_client();
    send_all(b, fd, handshake);
    pipeline_until_paused(b, fd);
    uv_update_time(&b.loop);
    const auto started = uv_now(&b.loop);
    b.server->close();
    // The loop sleeps until close_flush_ms has passed, then the connection is closed anyway.
    for (int i = 0; i < 1000 && b.server->connections_for_test() > 0; ++i) {
      uv_run(&b.loop, UV_RUN_ONCE);
    }
    CHECK(b.server->connections_for_test() == 0);
    CHECK(uv_now(&b.loop) - started >= rpc::limits::close_flush_ms);
    close(fd);
  }
}
