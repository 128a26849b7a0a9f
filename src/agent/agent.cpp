// Agent: see agent.h. Start-up follows Serf's order (serf-behaviour.md §1.4): bind gossip,
// RPC, banner, -join (fatal when nothing answers), flush the held logs, background retry-join.
#include "agent/agent.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "agent/limits.h"
#include "agent/net_lookup.h"
#include "agent/tags_file.h"
#include "agent/version.h"
#include "runtime/sockaddr.h"
#include "util/duration.h"

namespace agent {

namespace {

std::string multierror(const std::vector<std::string>& errors) {
  std::string out = errors.size() == 1 ? "1 error occurred:\n" : fmt::format("{} errors occurred:\n", errors.size());
  for (auto& e : errors) out += "\t* " + e + "\n";
  return out + "\n";
}

}  // namespace

rpc::Member to_rpc_member(const serf::Member& m) {
  rpc::Member r;
  r.name = m.name;
  r.addr = m.addr.ip;
  r.port = m.addr.port;
  r.tags = rpc::StringMap(m.tags.begin(), m.tags.end());
  r.status = serf::status_name(m.status);
  r.protocol_min = m.protocol_min;
  r.protocol_max = m.protocol_max;
  r.protocol_cur = m.protocol_cur;
  r.delegate_min = m.delegate_min;
  r.delegate_max = m.delegate_max;
  r.delegate_cur = m.delegate_cur;
  return r;
}

Agent::Agent(uv_loop_t* loop, Config config, std::vector<std::string> args, runtime::AgentLogger& log)
    : loop_(loop), config_(std::move(config)), args_(std::move(args)), log_(log), lookups_(loop) {}

Agent::~Agent() = default;

util::Result<swim::Address> Agent::resolve_bind() const {
  const auto& hp = config_.bind_addr;
  swim::Address bind{{}, hp.port};
  if (hp.host.empty()) {
    bind.ip = {0, 0, 0, 0};
  } else {
    auto addrs = resolve_host(hp.host, hp.port);
    if (!addrs.ok()) return util::Error{util::Errc::config, "Failed to resolve bind address: " + addrs.error().detail};
    bind = addrs->front();
  }
  if (!config_.interface.empty()) {
    if (is_unspecified(bind.ip)) {
      auto ip = interface_address(config_.interface);
      if (!ip.ok()) return util::Error{util::Errc::config, ip.error().detail};
      bind.ip = *ip;
      log_.print(fmt::format("    Using interface '{}' address '{}'\n", config_.interface, swim::ip_string(bind.ip)));
    } else if (!interface_has_address(config_.interface, bind.ip)) {
      return util::Error{util::Errc::config, fmt::format("Failed to find bind address {} on interface {}",
                                                        swim::ip_string(bind.ip), config_.interface)};
    }
  }
  return bind;
}

util::Result<swim::Address> Agent::resolve_advertise(const swim::Address& bind) const {
  if (config_.advertise_addr) {
    auto addrs = resolve_host(config_.advertise_addr->host, config_.advertise_addr->port);
    if (!addrs.ok()) return util::Error{util::Errc::config, "Failed to resolve advertise address: " + addrs.error().detail};
    return addrs->front();
  }
  if (!is_unspecified(bind.ip)) return bind;
  auto ip = private_ip();
  if (!ip.ok()) return util::Error{util::Errc::config, ip.error().detail};
  return swim::Address{*ip, bind.port};
}

util::Status Agent::start() {
  auto bind = resolve_bind();
  if (!bind.ok()) return bind.error();
  auto advertise = resolve_advertise(*bind);
  if (!advertise.ok()) return advertise.error();

  serf::Config serf_config = to_serf_config(config_, *advertise);
  if (!config_.tags_file.empty()) {
    auto restored = read_tags_file(config_.tags_file);
    if (!restored.ok()) return util::Error{util::Errc::config, "Failed to setup the Serf agent: " + restored.error().detail};
    if (*restored) {
      serf_config.tags = **restored;
      log_.print(fmt::format("    Restored {} tag(s) from {}\n", serf_config.tags.size(), config_.tags_file));
    }
  }

  log_.print("==> Starting shoal agent...\n");
  runtime::Driver::Callbacks callbacks{
      [this](const serf::Event& e) { on_event(e); },
      [this] { shutdown(0); },
  };
  auto driver = runtime::Driver::start(loop_, serf_config, *bind, log_, std::move(callbacks));
  if (!driver.ok()) return util::Error{util::Errc::io, "Failed to start the Serf agent: " + driver.error().detail};
  driver_ = std::move(*driver);
  log_.log(util::LogLevel::info, "agent", "Serf agent starting");
  if (auto s = start_mdns(); !s.ok()) return s;

  auto rpc_hp = parse_listen_address(config_.rpc_addr);
  if (!rpc_hp.ok()) return util::Error{util::Errc::config, "Error starting RPC listener: listen tcp: " + rpc_hp.error().detail};
  auto rpc_addrs = resolve_host(rpc_hp->host, rpc_hp->port);
  if (!rpc_addrs.ok()) return util::Error{util::Errc::config, "Invalid RPC address: " + rpc_addrs.error().detail};
  auto rpc = RpcServer::start(loop_, rpc_addrs->front(), *this, log_);
  if (!rpc.ok()) return rpc.error();
  rpc_ = std::move(*rpc);
  log_.print("==> Starting shoal agent RPC...\n");

  if (auto s = start_signals_and_timers(); !s.ok()) return s;

  swim::Address shown_bind = *bind;
  shown_bind.port = driver_->bound_port();
  print_banner(shown_bind, *advertise);
  if (auto s = start_join(); !s.ok()) return s;
  log_.print("\n==> Log data will now stream in as it occurs:\n\n");
  log_.flush_held();
  if (!config_.retry_join.empty()) schedule_retry_join(true);
  return {};
}

util::Status Agent::start_signals_and_timers() {
  auto on_sig = [](uv_signal_t* h, int signum) {
    if (auto* self = runtime::owner_of<Agent>(h)) self->on_signal(signum);
  };
  for (std::size_t i = 0; i < handled_signals.size(); ++i) {
    auto& sig = signals_[i];
    if (auto s = sig.init("uv_signal_init", uv_signal_init, loop_, this); !s.ok()) return s;
    if (auto s = runtime::uv_status("uv_signal_start", uv_signal_start(sig.get(), on_sig, handled_signals[i]));
        !s.ok())
      return s;
  }
  for (auto* timer : {&retry_timer_, &leave_timer_})
    if (auto s = timer->init("uv_timer_init", uv_timer_init, loop_, this); !s.ok()) return s;
  return {};
}

void Agent::print_banner(const swim::Address& bind, const swim::Address& advertise) {
  std::string b = "==> shoal agent running!\n";
  b += fmt::format("                      Node name: '{}'\n", config_.node_name);
  b += fmt::format("                      Bind addr: '{}'\n", swim::to_string(bind));
  if (config_.advertise_addr)
    b += fmt::format("                 Advertise addr: '{}'\n", swim::to_string(advertise));
  b += fmt::format("                       RPC addr: '{}'\n", config_.rpc_addr);
  b += fmt::format("                      Encrypted: {}\n", false);
  b += fmt::format("                       Snapshot: {}\n", false);
  b += fmt::format("                        Profile: {}\n", config_.profile);
  b += fmt::format("    Message Compression Enabled: {}\n", config_.enable_compression);
  if (!config_.discover.empty()) b += fmt::format("                   mDNS cluster: {}\n", config_.discover);
  log_.print(b);
}

// Serf starts mDNS once gossip is bound, before RPC, and refuses to start when it cannot.
util::Status Agent::start_mdns() {
  if (config_.discover.empty()) return {};
  Mdns::Options options{
      .cluster = config_.discover,
      .node = config_.node_name,
      .advertise = driver_->node().local_member().addr,
      .interface = config_.mdns.interface.empty() ? config_.interface : config_.mdns.interface,
      .disable_ipv4 = config_.mdns.disable_ipv4,
      .disable_ipv6 = config_.mdns.disable_ipv6,
  };
  if (!options.interface.empty())
    log_.log(util::LogLevel::info, "agent", "Starting mDNS listener on interface {}", options.interface);
  auto mdns = Mdns::start(loop_, std::move(options), log_, [this](auto addresses, auto done) {
    join(std::move(addresses), config_.replay_on_join, std::move(done));
  });
  if (!mdns.ok()) return util::Error{util::Errc::io, "Error starting mDNS listener: " + mdns.error().detail};
  mdns_ = std::move(*mdns);
  return {};
}

util::Status Agent::start_join() {
  if (config_.start_join.empty()) return {};
  log_.print(fmt::format("==> Joining cluster...(replay: {})\n", config_.replay_on_join));
  // Start-up joins block start-up, as in Serf: run the loop until this join reports.
  bool finished = false;
  int joined = 0;
  std::string error;
  join(config_.start_join, config_.replay_on_join, [&](int n, std::string e) {
    finished = true;
    joined = n;
    error = std::move(e);
  });
  while (!finished && uv_run(loop_, UV_RUN_ONCE) != 0) {
  }
  if (joined == 0) return util::Error{util::Errc::refused, error.empty() ? "Failed to join any nodes" : error};
  log_.print(fmt::format("    Join completed. Synced with {} initial agents\n", joined));
  return {};
}

// Names are looked up off the loop; `done` runs once every lookup and then the join itself
// have finished (never, if the agent stops meanwhile: whoever waited is gone too).
void Agent::join(std::vector<std::string> addresses, bool replay, std::function<void(int, std::string)> done) {
  // Serf's agent.Join lines: "joining: [a b] replay: false", then "joined: N nodes" or the error.
  log_.log(util::LogLevel::info, "agent", "joining: [{}] replay: {}", fmt::join(addresses, " "), replay);
  done = [this, done = std::move(done)](int joined, std::string error) {
    if (joined > 0) log_.log(util::LogLevel::info, "agent", "joined: {} nodes", joined);
    if (!error.empty()) log_.log(util::LogLevel::warn, "agent", "error joining: {}", error);
    done(joined, std::move(error));
  };
  auto on_resolved = [this, replay, done = std::move(done)](std::vector<swim::Address> seeds,
                                                           std::vector<std::string> errors) mutable {
    if (stopped_) return;
    if (seeds.empty()) {
      if (errors.empty()) errors.push_back("no addresses to join");
      return done(0, multierror(errors));
    }
    driver_->join(std::move(seeds), !replay,
                  [done = std::move(done), errors](const swim::JoinResult& r) mutable {
                    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
                    done(r.joined, r.joined > 0 ? "" : multierror(errors));
                  });
  };
  resolve_join_addresses(lookups_, addresses, driver_->bound_port(), std::move(on_resolved));
}

// The handles live from start() to shutdown(); a start that libuv refuses (only a closing
// handle can be refused) is logged, not fatal.
void Agent::start_timer(runtime::UvHandle<uv_timer_t>& timer, uv_timer_cb on_fire, std::uint64_t ms) {
  if (stopped_ || !timer.live()) return;
  if (int rc = uv_timer_start(timer.get(), on_fire, ms, 0); rc != 0)
    log_.log(util::LogLevel::err, "agent", "Failed to start a timer: {}", uv_strerror(rc));
}

void Agent::schedule_retry_join(bool first) {
  auto interval = first ? 0 : static_cast<std::uint64_t>(util::to_ms(config_.retry_interval));
  start_timer(retry_timer_, [](uv_timer_t* t) {
    if (auto* self = runtime::owner_of<Agent>(t)) self->retry_join();
  }, interval);
}

void Agent::retry_join() {
  if (stopped_) return;
  log_.log(util::LogLevel::info, "agent", "Joining cluster...");
  join(config_.retry_join, config_.replay_on_join, [this](int n, std::string error) {
    if (stopped_) return;
    if (n > 0) {
      log_.log(util::LogLevel::info, "agent", "Join completed. Synced with {} initial agents", n);
      return;
    }
    ++retry_attempts_;
    if (config_.retry_max_attempts > 0 && retry_attempts_ > config_.retry_max_attempts) {
      log_.log(util::LogLevel::err, "agent", "Max join retry exhausted, exiting");
      return shutdown(1);
    }
    log_.log(util::LogLevel::warn, "agent", "Join failed: {}, retrying in {}", error,
             util::format_go_duration(config_.retry_interval));
    schedule_retry_join(false);
  });
}

void Agent::on_event(const serf::Event& event) {
  std::string_view kind = "query";
  if (auto* m = std::get_if<serf::MemberEvent>(&event)) kind = serf::event_type_name(m->type);
  if (std::holds_alternative<serf::UserEvent>(event)) kind = "user";
  log_.log(util::LogLevel::info, "agent", "Received event: {}", kind);
  // A listener may unsubscribe while we iterate: copy the ids first.
  std::vector<std::uint64_t> ids;
  for (auto& [id, fn] : listeners_) ids.push_back(id);
  for (auto id : ids)
    if (auto it = listeners_.find(id); it != listeners_.end()) it->second(event);
}

// Serf stops on SIGINT and SIGTERM, reloads on SIGHUP and dumps its telemetry on SIGUSR1
// (go-metrics); Go's runtime ignores the rest of handled_signals, so none of them may kill us.
void Agent::on_signal(int signum) {
  switch (signum) {
    case SIGINT:
    case SIGTERM: return on_stop_signal(signum);
    case SIGHUP: return reload();
    case SIGUSR1: return dump_state();
    case SIGPIPE: return;  // a peer or client went away mid-write: the write's error says so
    default:
      log_.log(util::LogLevel::debug, "agent", "Caught signal: {} (ignored, as Serf does)", strsignal(signum));
  }
}

void Agent::on_stop_signal(int signum) {
  log_.log(util::LogLevel::info, "agent", "Caught signal: {}", signum == SIGINT ? "interrupt" : "terminated");
  if (leaving_) return shutdown(1);  // a second signal cuts the leave short
  bool graceful = (signum == SIGINT && !config_.skip_leave_on_interrupt) ||
                  (signum == SIGTERM && config_.leave_on_terminate);
  if (!graceful) return shutdown(1);
  graceful_leave_then_exit();
}

// No metrics yet (their issue comes later): on SIGUSR1, log at INFO what the agent knows, as
// Serf dumps its telemetry. Peer-chosen names are not printed, only counts.
void Agent::dump_state() {
  auto info = [this](const std::string& line) { log_.log(util::LogLevel::info, "agent", "{}", line); };
  info("State dump (SIGUSR1):");
  std::map<std::string, int> by_status;
  for (auto& m : driver_->node().members()) ++by_status[serf::status_name(m.status)];
  std::string members;
  for (auto& [status, n] : by_status) members += fmt::format(" {}={}", status, n);
  info("  members:" + members);
  std::string serf_stats;
  for (auto& [k, v] : driver_->node().stats()) serf_stats += fmt::format(" {}={}", k, v);
  info("  serf:" + serf_stats);
  const auto c = driver_->counters();
  info(fmt::format("  memberlist: inbound_streams={} outbound_streams={} stream_buffer_bytes={} "
                   "udp_packets_received={} udp_packets_dropped={} streams_accepted={} "
                   "streams_opened={} stream_errors={} streams_refused={} streams_over_budget={}",
                   driver_->inbound_streams(), driver_->outbound_streams(),
                   driver_->stream_buffer_bytes(), c.udp_packets_received, c.udp_packets_dropped,
                   c.streams_accepted, c.streams_opened, c.stream_errors, c.streams_refused,
                   c.streams_over_budget));
  info(fmt::format("  agent: rpc_event_streams={} name_lookups={} retry_join_attempts={} leaving={}",
                   listeners_.size(), lookups_.outstanding(), retry_attempts_, leaving_));
}

void Agent::graceful_leave_then_exit() {
  log_.log(util::LogLevel::info, "agent", "Gracefully shutting down agent...");
  leave([this] { shutdown(0); });
  start_timer(leave_timer_, [](uv_timer_t* t) {
    if (auto* self = runtime::owner_of<Agent>(t)) {
      self->log_.log(util::LogLevel::warn, "agent", "Graceful leave timed out");
      self->shutdown(1);
    }
  }, limits::graceful_leave_cap_ms);
}

void Agent::leave(std::function<void()> done) {
  if (leaving_) return;
  leaving_ = true;
  mdns_.reset();  // stop answering: peers should not join a node that is leaving
  log_.log(util::LogLevel::info, "agent", "requesting graceful leave from Serf");
  driver_->leave([this, done = std::move(done)] {
    done();
    shutdown(0);
  });
}

void Agent::reload() {
  log_.log(util::LogLevel::info, "agent", "Reloading configuration...");
  auto fresh = load_config(args_);
  if (!fresh.ok()) {
    log_.log(util::LogLevel::err, "agent", "Failed to reload configs: {}", fresh.error().detail);
    return;
  }
  log_.set_level(fresh->level);
  config_.log_level = fresh->log_level;
  config_.level = fresh->level;
  if (config_.tags_file.empty() && fresh->tags != driver_->node().tags()) {
    if (auto s = driver_->set_tags(fresh->tags); !s.ok())
      log_.log(util::LogLevel::err, "agent", "Failed to update tags: {}", s.error().detail);
  }
}

util::Status Agent::force_leave(const std::string& node, bool prune) { return driver_->force_leave(node, prune); }

util::Status Agent::update_tags(const rpc::StringMap& set, const std::vector<std::string>& remove) {
  serf::Tags tags = driver_->node().tags();
  for (auto& k : remove) tags.erase(k);
  for (auto& [k, v] : set) tags[k] = v;
  if (!config_.tags_file.empty())
    if (auto s = write_tags_file(config_.tags_file, tags); !s.ok()) return s;
  return driver_->set_tags(std::move(tags));
}

util::Status Agent::user_event(const std::string& name, util::ByteView payload, bool coalesce) {
  return driver_->user_event(name, payload, coalesce);
}

std::vector<serf::Member> Agent::members() const { return driver_->node().members(); }

rpc::StatsResponse Agent::stats() const {
  rpc::StatsResponse s;
  s["agent"]["name"] = config_.node_name;
  utsname u{};
  uname(&u);
  s["runtime"]["os"] = "linux";
  s["runtime"]["arch"] = u.machine;
  s["runtime"]["version"] = std::string("shoal ") + shoal_version;
  s["runtime"]["cpu_count"] = std::to_string(sysconf(_SC_NPROCESSORS_ONLN));
  for (auto& [k, v] : driver_->node().stats()) s["serf"][k] = v;
  s["tags"];
  for (auto& [k, v] : driver_->node().tags()) s["tags"][k] = v;
  s["event_handlers"];
  return s;
}

std::uint64_t Agent::subscribe(EventListener listener) {
  auto id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Agent::unsubscribe(std::uint64_t id) { listeners_.erase(id); }

void Agent::shutdown(int code) {
  if (stopped_) return;
  stopped_ = true;
  exit_code_ = code;
  listeners_.clear();
  lookups_.cancel_all();
  if (rpc_) rpc_->close();
  mdns_.reset();
  if (driver_) driver_->close();
  for (auto& sig : signals_) sig.reset();
  retry_timer_.reset();
  leave_timer_.reset();
  // A lookup stuck in the resolver would hold the loop (and the exit) until the resolver gives
  // up; end this iteration instead, and agent_main leaves without waiting for it.
  if (lookups_.outstanding() > 0) uv_stop(loop_);
}

}  // namespace agent
