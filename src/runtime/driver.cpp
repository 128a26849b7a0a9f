// Driver: see driver.h. Every input follows the same path: take the time, call the node,
// carry out its Outbox, re-arm the one timer at the node's next deadline.
#include "runtime/driver.h"

#include <algorithm>

#include "runtime/limits.h"
#include "runtime/sockaddr.h"
#include "runtime/stream_conn.h"
#include "wire/limits.h"

namespace runtime {

namespace {
std::uint64_t ms_until(util::Instant now, util::Instant deadline) {
  if (deadline <= now) return 0;
  auto us = (deadline - now).count();
  return static_cast<std::uint64_t>((us + 999) / 1000);
}
}  // namespace

Driver::Driver(uv_loop_t* loop, util::Logger& log, Callbacks callbacks)
    : loop_(loop), log_(log), callbacks_(std::move(callbacks)) {
  epoch_hrtime_ns_ = uv_hrtime();
  udp_slab_.resize(wire::limits::udp_packet_bytes_max);
  stream_slab_.resize(limits::stream_read_chunk_bytes);
}

Driver::~Driver() { close(); }

util::Instant Driver::now() const {
  // Monotonic microseconds since the driver started, offset by 1 s so that no real time is 0.
  return util::instant_from_us(static_cast<std::int64_t>((uv_hrtime() - epoch_hrtime_ns_) / 1000) +
                               1'000'000);
}

util::Result<std::unique_ptr<Driver>> Driver::start(uv_loop_t* loop, serf::Config config,
                                                    const swim::Address& bind,
                                                    util::Logger& log, Callbacks callbacks) {
  std::unique_ptr<Driver> d(new Driver(loop, log, std::move(callbacks)));
  if (auto s = d->bind_sockets(bind); !s.ok()) return s.error();
  if (config.memberlist.advertise.port == 0) config.memberlist.advertise.port = d->bound_port_;
  d->tcp_timeout_ = config.memberlist.tcp_timeout;
  util::Rng rng(uv_hrtime() ^ (static_cast<std::uint64_t>(uv_os_getpid()) << 32));
  d->node_ = std::make_unique<serf::Node>(std::move(config), log, rng, d->now());
  if (auto s = d->timer_.init("uv_timer_init", uv_timer_init, loop, d.get()); !s.ok())
    return s.error();
  if (auto s = d->reaper_.init("uv_check_init", uv_check_init, loop, d.get()); !s.ok())
    return s.error();
  d->arm_timer();
  return d;
}

util::Status Driver::bind_sockets(const swim::Address& bind) {
  sockaddr_storage ss;
  if (auto s = to_sockaddr(bind, ss); !s.ok()) return s;
  const auto* sa = reinterpret_cast<const sockaddr*>(&ss);

  if (auto s = listener_.init("uv_tcp_init", uv_tcp_init, loop_, this); !s.ok()) return s;
  int rc = uv_tcp_bind(listener_.get(), sa, 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_.get()), 128,
                   [](uv_stream_t* server, int status) {
                     if (auto* self = owner_of<Driver>(server)) self->on_tcp_connection(status);
                   });
  if (rc != 0) return uv_status("Failed to start TCP listener on " + swim::to_string(bind), rc);

  // The UDP socket takes the port TCP got (bind port 0 means "any free one").
  sockaddr_storage bound;
  int len = sizeof bound;
  rc = uv_tcp_getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  if (rc != 0) return uv_status("Failed to read the TCP listener's address", rc);
  auto bound_addr = from_sockaddr(reinterpret_cast<sockaddr*>(&bound));
  if (!bound_addr.ok()) return bound_addr.error();
  bound_port_ = bound_addr->port;
  swim::Address udp_bind = bind;
  udp_bind.port = bound_port_;
  if (auto s = to_sockaddr(udp_bind, ss); !s.ok()) return s;
  udp_family_ = ss.ss_family;

  if (auto s = udp_.init("uv_udp_init", uv_udp_init, loop_, this); !s.ok()) return s;
  rc = uv_udp_bind(udp_.get(), sa, UV_UDP_REUSEADDR);
  if (rc == 0)
    rc = uv_udp_recv_start(
        udp_.get(),
        [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
          auto* self = owner_of<Driver>(h);
          if (!self || self->udp_slab_busy_) {
            *buf = uv_buf_init(nullptr, 0);
            return;
          }
          self->udp_slab_busy_ = true;
          *buf = uv_buf_init(reinterpret_cast<char*>(self->udp_slab_.data()),
                             static_cast<unsigned>(self->udp_slab_.size()));
        },
        [](uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
           unsigned flags) {
          if (auto* self = owner_of<Driver>(h)) self->on_udp_read(nread, buf, addr, flags);
        });
  if (rc != 0) return uv_status("Failed to start UDP listener on " + swim::to_string(udp_bind), rc);
  return {};
}

template <typename Step>
void Driver::step(Step&& fn) {
  if (closed_) return;
  serf::Outbox out;
  fn(*node_, now(), out);
  drain(out);
}

void Driver::drain(serf::Outbox& out) {
  for (auto& p : out.swim.packets) send_datagram(p.to, p.bytes);
  for (auto& call : out.swim.streams) open_stream(call);
  for (auto& reply : out.swim.stream_replies) reply_stream(reply);
  for (auto& result : out.swim.joins) {
    auto it = joins_.find(result.id);
    if (it == joins_.end()) continue;
    auto done = std::move(it->second);
    joins_.erase(it);
    if (done) done(result);
  }
  for (auto& event : out.events)
    if (callbacks_.on_event) callbacks_.on_event(event);
  arm_timer();
  check_leave();
  if (out.shutdown && callbacks_.on_shutdown) callbacks_.on_shutdown();
}

void Driver::send_datagram(const swim::Address& to, util::ByteView bytes) {
  if (closed_) return;  // an event callback closed us mid-drain
  sockaddr_storage ss;
  if (!to_sockaddr(to, ss, udp_family_).ok()) return;
  struct SendReq {
    uv_udp_send_t req{};
    util::Bytes data;
  };
  auto* s = new SendReq;
  s->data = cipher_ ? cipher_->seal_packet(bytes) : util::Bytes(bytes.begin(), bytes.end());
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(s->data.data()),
                             static_cast<unsigned>(s->data.size()));
  int rc = uv_udp_send(&s->req, udp_.get(), &buf, 1, reinterpret_cast<const sockaddr*>(&ss),
                       [](uv_udp_send_t* r, int) { delete reinterpret_cast<SendReq*>(r); });
  if (rc != 0) {
    delete s;
    log_.log(util::LogLevel::debug, "memberlist", "Failed to send UDP packet to {}: {}",
             swim::to_string(to), uv_strerror(rc));
  }
}

void Driver::open_stream(const swim::StreamCall& call) {
  if (closed_) return;
  ++counters_.streams_opened;
  auto conn = StreamConn::create(*this, stream_budget_, loop_, StreamConn::Kind::outbound, call.id);
  if (!conn.ok()) {  // the node hears of the failure as of any other dial error
    ++counters_.stream_errors;
    step([&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      n.on_stream_reply(call.id, conn.error(), t, out);
    });
    return;
  }
  auto* raw = conn->get();
  streams_.emplace(raw, std::move(*conn));
  util::Bytes request = cipher_ ? cipher_->seal_stream(call.request) : call.request;
  auto timeout = ms_until(now(), call.deadline);
  if (auto s = raw->connect(call.to, std::move(request), call.expect_reply, std::max<std::uint64_t>(timeout, 1)); !s.ok())
    on_stream_complete(*raw, s.error());
}

void Driver::reply_stream(const swim::StreamReply& reply) {
  if (closed_) return;
  auto it = inbound_.find(reply.id);
  if (it == inbound_.end()) return;
  StreamConn* conn = it->second;
  inbound_.erase(it);
  util::Bytes bytes = (cipher_ && !reply.bytes.empty()) ? cipher_->seal_stream(reply.bytes) : reply.bytes;
  conn->write_and_finish(std::move(bytes));
}

void Driver::on_stream_complete(StreamConn& conn, util::Result<util::Bytes> framed) {
  if (!framed.ok()) ++counters_.stream_errors;
  if (framed.ok() && cipher_ && !framed->empty()) framed = cipher_->open_stream(*framed);
  if (conn.kind() == StreamConn::Kind::outbound) {
    auto id = conn.id();
    forget_stream(conn);
    step([&](serf::Node& n, util::Instant t, serf::Outbox& out) {
      n.on_stream_reply(id, std::move(framed), t, out);
    });
    return;
  }
  if (!framed.ok()) {
    log_.log(util::LogLevel::debug, "memberlist", "Failed to read stream from {}: {}",
             swim::to_string(conn.peer()), framed.error().detail);
    return forget_stream(conn);
  }
  auto id = conn.id();
  inbound_[id] = &conn;
  auto peer = conn.peer();
  step([&](serf::Node& n, util::Instant t, serf::Outbox& out) {
    n.on_stream_request(id, peer, *framed, t, out);
  });
  // The node chose not to answer: close the connection.
  if (auto it = inbound_.find(id); it != inbound_.end()) {
    inbound_.erase(it);
    forget_stream(conn);
  }
}

void Driver::forget_stream(StreamConn& conn) {
  for (auto it = inbound_.begin(); it != inbound_.end(); ++it)
    if (it->second == &conn) {
      inbound_.erase(it);
      break;
    }
  if (auto it = streams_.find(&conn); it != streams_.end()) retire(it);
}

// Closing the handles stops every further callback at once; the object is destroyed by the
// reaper (a check handle: it runs after the I/O callbacks of this loop iteration), so the
// StreamConn callback that got us here returns into a live object.
void Driver::retire(std::map<StreamConn*, std::unique_ptr<StreamConn>>::iterator it) {
  if (it->second->kind() == StreamConn::Kind::inbound) --inbound_open_;
  it->second->close();
  retired_.push_back(std::move(it->second));
  streams_.erase(it);
  if (!reaper_.live() || uv_is_active(reaper_.handle())) return;
  int rc = uv_check_start(reaper_.get(), [](uv_check_t* h) {
    if (auto* self = owner_of<Driver>(h)) self->on_reap();
  });
  if (rc != 0)  // cannot happen for a live handle; the connections then wait for ~Driver
    log_.log(util::LogLevel::err, "memberlist", "Failed to schedule closed streams' release: {}",
             uv_strerror(rc));
}

void Driver::on_reap() {
  retired_.clear();
  uv_check_stop(reaper_.get());  // always 0
  if (closed_) reaper_.reset();
}

DriverCounters Driver::counters() const {
  DriverCounters c = counters_;
  c.streams_over_budget = stream_budget_.refusals();
  return c;
}

uv_buf_t Driver::stream_read_buffer() {
  return uv_buf_init(reinterpret_cast<char*>(stream_slab_.data()),
                     static_cast<unsigned>(stream_slab_.size()));
}

void Driver::on_udp_read(ssize_t nread, const uv_buf_t* buf, const sockaddr* addr, unsigned flags) {
  udp_slab_busy_ = false;
  if (nread == 0 || addr == nullptr) return;
  if (nread < 0) {
    ++counters_.udp_packets_dropped;
    log_.log(util::LogLevel::debug, "memberlist", "UDP read error: {}", uv_strerror(static_cast<int>(nread)));
    return;
  }
  if (flags & UV_UDP_PARTIAL) {
    ++counters_.udp_packets_dropped;
    log_.log(util::LogLevel::warn, "memberlist", "Dropping truncated UDP packet");
    return;
  }
  ++counters_.udp_packets_received;
  auto from = from_sockaddr(addr);
  if (!from.ok()) return;
  util::ByteView bytes(reinterpret_cast<const std::uint8_t*>(buf->base), static_cast<std::size_t>(nread));
  util::Bytes opened;
  if (cipher_) {
    auto plain = cipher_->open_packet(bytes);
    if (!plain.ok()) {
      ++counters_.udp_packets_dropped;
      log_.log(util::LogLevel::err, "memberlist", "Decrypt packet failed: {} from={}",
               plain.error().detail, swim::to_string(*from));
      return;
    }
    opened = std::move(*plain);
    bytes = opened;
  }
  step([&](serf::Node& n, util::Instant t, serf::Outbox& out) { n.on_packet(*from, bytes, t, out); });
}

void Driver::on_tcp_connection(int status) {
  if (status != 0) {
    log_.log(util::LogLevel::err, "memberlist", "Error accepting TCP connection: {}", uv_strerror(status));
    return;
  }
  auto id = next_inbound_id_++;  // ids of inbound streams, a space apart from the core's outbound ones
  auto conn = StreamConn::create(*this, stream_budget_, loop_, StreamConn::Kind::inbound, id);
  if (!conn.ok()) {
    ++counters_.stream_errors;
    log_.log(util::LogLevel::err, "memberlist", "Failed to take a TCP connection: {}", conn.error().detail);
    return;
  }
  auto* raw = conn->get();
  auto it = streams_.emplace(raw, std::move(*conn)).first;
  ++inbound_open_;
  // Past the cap the connection is still accepted (libuv stops listening until we do), then
  // closed at once: memberlist does the same with push/pulls past its 128.
  const bool over_cap = inbound_open_ > limits::inbound_streams_max;
  auto timeout_ms = static_cast<std::uint64_t>(util::to_ms(tcp_timeout_));
  auto accepted = over_cap ? raw->accept_only(reinterpret_cast<uv_stream_t*>(listener_.get()))
                           : raw->accept(reinterpret_cast<uv_stream_t*>(listener_.get()), timeout_ms);
  if (!accepted.ok()) {
    ++counters_.stream_errors;
    log_.log(util::LogLevel::debug, "memberlist", "Failed to accept TCP connection: {}", accepted.error().detail);
    return retire(it);
  }
  if (over_cap) {
    ++counters_.streams_refused;
    log_.log(util::LogLevel::debug, "memberlist", "Too many open streams ({}), closing the one from {}",
             limits::inbound_streams_max, swim::to_string(raw->peer()));
    return retire(it);
  }
  ++counters_.streams_accepted;
}

void Driver::arm_timer() {
  if (closed_) return;
  auto deadline = node_->next_deadline();
  if (deadline == util::instant_max()) {
    uv_timer_stop(timer_.get());  // always 0
    return;
  }
  int rc = uv_timer_start(timer_.get(), [](uv_timer_t* t) {
    if (auto* self = owner_of<Driver>(t)) self->on_timer();
  }, ms_until(now(), deadline), 0);
  // Only a closing handle refuses, and closed_ rules that out: a node without its timer would
  // stop probing, so say so loudly if it ever happens.
  if (rc != 0) log_.log(util::LogLevel::err, "memberlist", "Failed to arm the node's timer: {}", uv_strerror(rc));
}

void Driver::on_timer() {
  if (node_->next_deadline() > now()) return arm_timer();
  step([](serf::Node& n, util::Instant t, serf::Outbox& out) { n.on_tick(t, out); });
}

void Driver::check_leave() {
  if (!leave_done_ || node_->leave_state() != serf::LeaveState::left) return;
  auto done = std::move(leave_done_);
  leave_done_ = nullptr;
  done();
}

void Driver::join(std::vector<swim::Address> seeds, bool ignore_old,
                  std::function<void(const swim::JoinResult&)> done) {
  step([&](serf::Node& n, util::Instant t, serf::Outbox& out) {
    auto id = n.join(seeds, ignore_old, t, out);
    joins_[id] = std::move(done);
  });
}

void Driver::leave(std::function<void()> done) {
  leave_done_ = std::move(done);
  step([](serf::Node& n, util::Instant t, serf::Outbox& out) { n.leave(t, out); });
}

util::Status Driver::force_leave(const std::string& name, bool prune) {
  util::Status result;
  step([&](serf::Node& n, util::Instant t, serf::Outbox& out) { result = n.force_leave(name, prune, t, out); });
  return result;
}

util::Status Driver::set_tags(serf::Tags tags) {
  util::Status result;
  step([&](serf::Node& n, util::Instant t, serf::Outbox& out) { result = n.set_tags(std::move(tags), t, out); });
  return result;
}

util::Status Driver::user_event(const std::string& name, util::ByteView payload, bool coalesce) {
  util::Status result;
  step([&](serf::Node& n, util::Instant t, serf::Outbox& out) {
    result = n.user_event(name, payload, coalesce, t, out);
  });
  return result;
}

// May run inside a StreamConn's callback (an event handler that shuts the agent down): the
// connections are retired like any other, and the reaper goes once it has released them.
void Driver::close() {
  if (closed_) return;
  closed_ = true;
  inbound_.clear();
  while (!streams_.empty()) retire(streams_.begin());
  udp_.reset();
  listener_.reset();
  timer_.reset();
  if (retired_.empty() || !reaper_.live() || !uv_is_active(reaper_.handle())) reaper_.reset();
}

}  // namespace runtime
