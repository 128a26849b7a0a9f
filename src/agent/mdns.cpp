// mDNS discovery on the loop: see mdns.h.
#include "agent/mdns.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/sockaddr.h"

namespace agent {

namespace {

std::string peer_of(const sockaddr* from) {
  auto a = runtime::from_sockaddr(from);
  return a.ok() ? swim::to_string(*a) : "?";
}

}  // namespace

Mdns::Mdns(uv_loop_t* loop, Options options, mdns::Service service, util::Logger& log, Join join)
    : loop_(loop),
      options_(std::move(options)),
      service_(std::move(service)),
      browse_(service_.service_name()),
      log_(log),
      join_(std::move(join)),
      slab_(limits::mdns_datagram_bytes_max) {
  v4_.af = AF_INET;
  v6_.af = AF_INET6;
}

Mdns::~Mdns() = default;

util::Result<std::unique_ptr<Mdns>> Mdns::start(uv_loop_t* loop, Options options, util::Logger& log,
                                                Join join) {
  char host[UV_MAXHOSTNAMESIZE];
  std::size_t host_size = sizeof host;
  if (int rc = uv_os_gethostname(host, &host_size); rc != 0)
    return util::Error{util::Errc::io, std::string("could not determine host: ") + uv_strerror(rc)};
  auto service = mdns::Service::make({.instance = options.node,
                                      .service = mdns::serf_service(options.cluster),
                                      .domain = "local.",
                                      .host = host,
                                      .port = options.advertise.port,
                                      .ips = {options.advertise.ip},
                                      .txt = {mdns::serf_txt(options.cluster)}});
  if (!service.ok()) return service.error();
  std::unique_ptr<Mdns> m(
      new Mdns(loop, std::move(options), std::move(*service), log, std::move(join)));
  for (auto* t : {&m->poll_timer_, &m->collect_timer_, &m->quiet_timer_})
    if (auto s = t->init("uv_timer_init", uv_timer_init, loop, m.get()); !s.ok()) return s.error();

  std::vector<std::string> failures;
  for (Family* f : {&m->v4_, &m->v6_}) {
    const bool off = f->af == AF_INET ? m->options_.disable_ipv4 : m->options_.disable_ipv6;
    if (off) continue;
    if (auto s = m->open_family(*f); !s.ok())
      failures.push_back(fmt::format("{}: {}", family_name(f->af), s.error().detail));
  }
  if (!m->v4_.responder && !m->v6_.responder) {
    std::string why;
    for (auto& f : failures) why += (why.empty() ? "" : "; ") + f;
    return util::Error{util::Errc::io, "No multicast listeners could be started (" + why + ")"};
  }
  for (auto& f : failures)
    m->note(util::LogLevel::info, "Carrying on without mDNS over {}", f);

  int rc = uv_timer_start(m->poll_timer_.get(), [](uv_timer_t* t) {
    if (auto* self = runtime::owner_of<Mdns>(t)) self->poll();
  }, 0, limits::mdns_poll_interval_ms);
  if (auto s = runtime::uv_status("uv_timer_start", rc); !s.ok()) return s.error();
  return m;
}

util::Status Mdns::open_family(Family& f) {
  auto interfaces = multicast_interfaces(f.af, options_.interface);
  if (!interfaces.ok()) return interfaces.error();
  f.interfaces = std::move(*interfaces);
  auto responder = MdnsSocket::open_multicast(
      loop_, f.af, f.interfaces, slab_,
      [this, &f](util::ByteView bytes, const sockaddr* from) {
        on_responder_datagram(f, bytes, from);
      });
  if (!responder.ok()) return responder.error();
  f.responder = std::move(*responder);
  auto browser = MdnsSocket::open_unicast(
      loop_, f.af, slab_,
      [this](util::ByteView bytes, const sockaddr* from) { on_browser_datagram(bytes, from); });
  if (browser.ok()) {
    f.browser = std::move(*browser);
  } else {
    note(util::LogLevel::warn, "Failed to bind to {} query port, answering only: {}",
         family_name(f.af), browser.error().detail);
  }
  return {};
}

// Only a closing handle refuses a start, which our live handles are not; log it if it happens.
void Mdns::start_timer(runtime::UvHandle<uv_timer_t>& timer, uv_timer_cb on_fire, std::uint64_t ms) {
  if (int rc = uv_timer_start(timer.get(), on_fire, ms, 0); rc != 0)
    note(util::LogLevel::err, "Failed to start a timer: {}", uv_strerror(rc));
}

void Mdns::poll() {
  browse_.reset();
  std::string error;
  if (send_query(mdns::question_message(browse_.service(), mdns::rrtype::ptr), error) == 0) {
    note(util::LogLevel::err, "Failed to poll for new hosts: {}", error);
    return;
  }
  collecting_ = true;
  start_timer(collect_timer_, [](uv_timer_t* t) {
    if (auto* self = runtime::owner_of<Mdns>(t)) self->collecting_ = false;
  }, limits::mdns_collect_ms);
}

int Mdns::send_query(const mdns::Message& query, std::string& error) {
  error = "failed to bind to any unicast udp port";
  auto bytes = mdns::encode(query);
  if (!bytes.ok()) {
    error = bytes.error().detail;
    return 0;
  }
  int families = 0;
  for (Family* f : {&v4_, &v6_}) {
    if (!f->browser) continue;
    std::string family_error;
    bool sent = false;
    for (auto& i : f->interfaces) {
      auto s = f->browser->send_to_group(*bytes, i);
      if (s.ok()) sent = true;
      else family_error = i.name + ": " + s.error().detail;
    }
    if (sent) {
      ++families;
      f->send_warned = false;
      continue;
    }
    error = fmt::format("{}: {}", family_name(f->af), family_error);
    if (!std::exchange(f->send_warned, true))
      note(util::LogLevel::warn, "Failed to send a query over {}: {}", family_name(f->af),
           family_error);
  }
  return families;
}

util::Result<mdns::Message> Mdns::decode_from(util::ByteView bytes, const sockaddr* from) {
  auto message = mdns::decode(bytes);
  if (!message.ok())
    note(util::LogLevel::debug, "Failed to unpack packet peer={} err={}", peer_of(from),
         message.error().detail);
  return message;
}

void Mdns::on_responder_datagram(Family& f, util::ByteView bytes, const sockaddr* from) {
  auto message = decode_from(bytes, from);
  if (!message.ok()) return;
  if (message->response) return on_answers(*message);  // another responder's multicast answers
  auto replies = service_.respond(*message);
  if (!replies.ok()) {
    note(util::LogLevel::debug, "Failed to handle query peer={} err={}", peer_of(from),
         replies.error().detail);
    return;
  }
  for (auto& reply : *replies)
    if (auto s = f.responder->send_to(reply, from); !s.ok())
      note(util::LogLevel::debug, "Failed to answer peer={} err={}", peer_of(from),
           s.error().detail);
}

void Mdns::on_browser_datagram(util::ByteView bytes, const sockaddr* from) {
  if (auto message = decode_from(bytes, from); message.ok()) on_answers(*message);
}

void Mdns::on_answers(const mdns::Message& message) {
  if (!collecting_) return;
  auto step = browse_.on_message(message);
  for (auto& found : step.found) on_found(found);
  for (auto& instance : step.follow_ups) {
    std::string error;
    if (send_query(mdns::question_message(instance, mdns::rrtype::any), error) == 0)
      note(util::LogLevel::debug, "Failed to query instance {}: {}", mdns::to_string(instance),
           error);
  }
}

void Mdns::on_found(const mdns::Found& found) {
  const swim::Address address{found.ip, found.port};
  if (address == options_.advertise) return;  // our own answer
  std::string text = swim::to_string(address);
  const bool pending = std::find(pending_.begin(), pending_.end(), text) != pending_.end();
  if (pending || joined_.contains(text)) return;
  note(util::LogLevel::debug, "Found {} at {}", mdns::to_string(found.instance), text);
  pending_.push_back(std::move(text));
  start_timer(quiet_timer_, [](uv_timer_t* t) {
    if (auto* self = runtime::owner_of<Mdns>(t)) self->join_pending();
  }, limits::mdns_quiet_ms);
}

void Mdns::join_pending() {
  auto batch = std::exchange(pending_, {});
  joined_.add(batch);
  std::weak_ptr<int> alive = alive_;
  join_(std::move(batch), [this, alive](int joined, std::string error) {
    if (alive.expired()) return;
    if (!error.empty()) note(util::LogLevel::err, "Failed to join: {}", error);
    if (joined > 0) note(util::LogLevel::info, "Joined {} hosts", joined);
  });
}

}  // namespace agent
