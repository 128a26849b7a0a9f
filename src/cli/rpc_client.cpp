// Blocking POSIX-socket RPC client (see rpc_client.h). The CLI runs one command per process,
// so plain blocking reads with a SIGINT flag are all it needs; no event loop.
#include "cli/rpc_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace cli {


namespace {

std::atomic<bool> interrupted_flag{false};

extern "C" void on_sigint(int) { interrupted_flag.store(true); }

// Go's syscall error texts are strerror in lower case ("connection refused").
std::string go_errno(int err) {
  std::string s = std::strerror(err);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string addr_text(const addrinfo& ai) {
  char host[NI_MAXHOST] = {}, port[NI_MAXSERV] = {};
  getnameinfo(ai.ai_addr, ai.ai_addrlen, host, sizeof host, port, sizeof port,
              NI_NUMERICHOST | NI_NUMERICSERV);
  if (ai.ai_family == AF_INET6) return "[" + std::string(host) + "]:" + port;
  return std::string(host) + ":" + port;
}

// Non-blocking connect bounded by RpcClient::timeout. Returns the fd or a Go-style error.
util::Result<int> dial_one(const addrinfo& ai) {
  const std::string where = "dial tcp " + addr_text(ai) + ": ";
  int fd = socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return util::Error{util::Errc::io, where + "socket: " + go_errno(errno)};
  int rc = ::connect(fd, ai.ai_addr, ai.ai_addrlen);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    const int ms = static_cast<int>(std::chrono::milliseconds(RpcClient::timeout).count());
    do {
      rc = poll(&p, 1, ms);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) {
      close(fd);
      return util::Error{util::Errc::timeout, where + "i/o timeout"};
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    rc = err == 0 ? 0 : -1;
    errno = err;
  }
  if (rc != 0) {
    const int err = errno;
    close(fd);
    return util::Error{util::Errc::io, where + "connect: " + go_errno(err)};
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(RpcClient::timeout.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

util::Result<int> dial(const std::string& addr) {
  auto hp = split_host_port(addr);
  if (!hp.ok()) return util::Error{util::Errc::invalid_argument, "dial tcp: " + hp.error().detail};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string host = hp->first.empty() ? "localhost" : hp->first;
  const int gai = getaddrinfo(host.c_str(), hp->second.c_str(), &hints, &res);
  if (gai != 0) {
    const std::string why = gai == EAI_NONAME ? "no such host" : gai_strerror(gai);
    return util::Error{util::Errc::io, "dial tcp: lookup " + host + ": " + why};
  }
  util::Result<int> last = util::Error{util::Errc::io, "dial tcp: no address"};
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    last = dial_one(*ai);
    if (last.ok()) break;
  }
  freeaddrinfo(res);
  return last;
}

}  // namespace

util::Result<std::pair<std::string, std::string>> split_host_port(const std::string& addr) {
  const auto bad = [&](const char* why) {
    return util::Error{util::Errc::invalid_argument, "address " + addr + ": " + why};
  };
  if (!addr.empty() && addr[0] == '[') {
    const auto close_br = addr.find(']');
    if (close_br == std::string::npos) {
      return bad("missing ']' in address");
    }
    if (close_br + 1 >= addr.size() || addr[close_br + 1] != ':') {
      return bad("missing port in address");
    }
    return std::pair{addr.substr(1, close_br - 1), addr.substr(close_br + 2)};
  }
  const auto colon = addr.rfind(':');
  if (colon == std::string::npos) return bad("missing port in address");
  if (addr.find(':') != colon) {
    return bad("too many colons in address");
  }
  return std::pair{addr.substr(0, colon), addr.substr(colon + 1)};
}

void RpcClient::install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked recv returns EINTR
  sigaction(SIGINT, &sa, nullptr);
}

bool RpcClient::interrupted() { return interrupted_flag.load(); }

util::Result<std::unique_ptr<RpcClient>> RpcClient::connect(const std::string& addr,
                                                            const std::string& auth) {
  auto fd = dial(addr);
  if (!fd.ok()) return fd.error();
  std::unique_ptr<RpcClient> client(new RpcClient(*fd));
  const rpc::HandshakeRequest hello{rpc::ipc_version};
  if (auto s = client->call(rpc::Command::handshake, hello); !s.ok()) return s.error();
  if (!auth.empty()) {
    auto s = client->call(rpc::Command::auth, rpc::AuthRequest{auth});
    if (!s.ok()) return s.error();
  }
  return client;
}

RpcClient::~RpcClient() {
  if (fd_ >= 0) close(fd_);
}

util::Status RpcClient::send(const util::Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return util::Error{util::Errc::io, "write tcp: " + go_errno(errno)};
    done += static_cast<std::size_t>(n);
  }
  return {};
}

util::Result<wire::mp::Document> RpcClient::read_object() {
  while (true) {
    auto next = decoder_.next_object();
    if (!next.ok()) return next.error();
    if (next->has_value()) return std::move(**next);
    if (interrupted()) return util::Error{util::Errc::timeout, "interrupted"};
    std::uint8_t buf[65536];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;  // loop re-checks interrupted()
    if (n <= 0) return util::Error{util::Errc::io, "client closed"};
    decoder_.feed(util::ByteView(buf, static_cast<std::size_t>(n)));
  }
}

util::Result<std::optional<rpc::ResponseHeader>> RpcClient::read_until(std::uint64_t seq) {
  auto obj = read_object();
  if (!obj.ok()) return obj.error();
  rpc::ResponseHeader header;
  if (auto s = rpc::decode(obj->root(), header); !s.ok()) return s.error();
  if (header.seq == seq) return std::optional<rpc::ResponseHeader>(std::move(header));
  auto stream = streams_.find(header.seq);
  if (stream != streams_.end() && stream->second) {
    auto body = read_object();
    if (!body.ok()) return body.error();
    records_.push_back(StreamRecord{header.seq, std::move(*body)});
  }
  return std::optional<rpc::ResponseHeader>{};  // not ours (Serf's client ignores it too)
}

util::Status RpcClient::call(rpc::Command command, const rpc::RequestBody& request,
                             std::optional<wire::mp::Document>* body) {
  const std::uint64_t seq = ++next_seq_;
  if (auto s = send(rpc::encode_request(command, seq, request)); !s.ok()) return s;
  std::optional<rpc::ResponseHeader> header;
  while (!header) {
    auto got = read_until(seq);
    if (!got.ok()) return got.error();
    header = std::move(*got);
  }
  if (rpc::response_has_body(command) && header->error != rpc::errors::auth_required) {
    auto obj = read_object();
    if (!obj.ok()) return obj.error();
    if (body != nullptr) *body = std::move(*obj);
  }
  if (!header->error.empty()) return util::Error{util::Errc::refused, header->error};
  return {};
}

util::Result<std::vector<rpc::Member>> RpcClient::members() {
  std::optional<wire::mp::Document> body;
  if (auto s = call(rpc::Command::members, {}, &body); !s.ok()) return s.error();
  rpc::MembersResponse resp;
  if (auto s = rpc::decode(body->root(), resp); !s.ok()) return s.error();
  return std::move(resp.members);
}

util::Result<std::vector<rpc::Member>> RpcClient::members_filtered(
    const rpc::MembersFilteredRequest& request) {
  std::optional<wire::mp::Document> body;
  if (auto s = call(rpc::Command::members_filtered, request, &body); !s.ok()) return s.error();
  rpc::MembersResponse resp;
  if (auto s = rpc::decode(body->root(), resp); !s.ok()) return s.error();
  return std::move(resp.members);
}

util::Result<rpc::StatsResponse> RpcClient::stats() {
  std::optional<wire::mp::Document> body;
  if (auto s = call(rpc::Command::stats, {}, &body); !s.ok()) return s.error();
  rpc::StatsResponse resp;
  if (auto s = rpc::decode(body->root(), resp); !s.ok()) return s.error();
  return resp;
}

util::Result<std::optional<rpc::Coordinate>> RpcClient::get_coordinate(const std::string& node) {
  std::optional<wire::mp::Document> body;
  if (auto s = call(rpc::Command::get_coordinate, rpc::CoordinateRequest{node}, &body); !s.ok()) {
    return s.error();
  }
  rpc::CoordinateResponse resp;
  if (auto s = rpc::decode(body->root(), resp); !s.ok()) return s.error();
  if (!resp.ok) return std::optional<rpc::Coordinate>{};
  return std::optional<rpc::Coordinate>(std::move(resp.coord));
}

util::Result<std::uint64_t> RpcClient::open_stream(rpc::Command command,
                                                   const rpc::RequestBody& request) {
  const std::uint64_t seq = ++next_seq_;
  streams_[seq] = false;
  if (auto s = send(rpc::encode_request(command, seq, request)); !s.ok()) return s.error();
  std::optional<rpc::ResponseHeader> header;
  while (!header) {
    auto got = read_until(seq);
    if (!got.ok()) return got.error();
    header = std::move(*got);
  }
  if (!header->error.empty()) {
    streams_.erase(seq);
    return util::Error{util::Errc::refused, header->error};
  }
  streams_[seq] = true;
  return seq;
}

util::Result<StreamRecord> RpcClient::next_record() {
  while (records_.empty()) {
    auto got = read_until(0);  // Seq 0 is never ours: only stream records get queued
    if (!got.ok()) return got.error();
  }
  StreamRecord r = std::move(records_.front());
  records_.pop_front();
  return r;
}

}  // namespace cli
