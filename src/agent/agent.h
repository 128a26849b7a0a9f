// agent::Agent: the running `shoal agent`. It owns the libuv loop's handles for one node: the
// runtime::Driver (gossip), the RpcServer, mDNS discovery (-discover), signal handlers and the
// retry-join timer; it turns RPC requests and signals into node operations and fans node
// events out to RPC streams.
#pragma once

#include <uv.h>

#include <array>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_api.h"
#include "agent/config.h"
#include "agent/mdns.h"
#include "agent/net_lookup.h"
#include "agent/rpc_server.h"
#include "runtime/driver.h"
#include "runtime/logger.h"
#include "runtime/uv_handle.h"

namespace agent {

class Agent final : public AgentApi {
 public:
  // args: the agent's command-line arguments, kept to reload the config on SIGHUP.
  Agent(uv_loop_t* loop, Config config, std::vector<std::string> args,
        runtime::AgentLogger& log);
  ~Agent() override;

  // Binds gossip and RPC, prints the banner, runs -join. Errors are the line to print.
  util::Status start();
  // The process exit code once the loop has run empty.
  [[nodiscard]] int exit_code() const { return exit_code_; }
  // Closes whatever start() opened before it failed.
  void shutdown_for_error() { shutdown(1); }
  // Name lookups libuv still holds (after shutdown their answers are dropped, but a lookup
  // stuck in the resolver keeps the loop from ending until its thread returns).
  [[nodiscard]] std::size_t lookups_outstanding() const { return lookups_.outstanding(); }

  // AgentApi
  void join(std::vector<std::string> addresses, bool replay,
            std::function<void(int, std::string)> done) override;
  void leave(std::function<void()> done) override;
  util::Status force_leave(const std::string& node, bool prune) override;
  util::Status update_tags(const rpc::StringMap& set, const std::vector<std::string>& remove) override;
  util::Status user_event(const std::string& name, util::ByteView payload, bool coalesce) override;
  [[nodiscard]] std::vector<serf::Member> members() const override;
  [[nodiscard]] rpc::StatsResponse stats() const override;
  [[nodiscard]] const std::string& rpc_auth() const override { return config_.rpc_auth; }
  runtime::AgentLogger& logger() override { return log_; }
  std::uint64_t subscribe(EventListener listener) override;
  void unsubscribe(std::uint64_t id) override;

 private:
  util::Result<swim::Address> resolve_bind() const;
  util::Result<swim::Address> resolve_advertise(const swim::Address& bind) const;
  void print_banner(const swim::Address& bind, const swim::Address& advertise);
  util::Status start_signals_and_timers();
  util::Status start_join();
  util::Status start_mdns();
  void start_timer(runtime::UvHandle<uv_timer_t>& timer, uv_timer_cb on_fire, std::uint64_t ms);
  void schedule_retry_join(bool first);
  void retry_join();
  void on_event(const serf::Event& event);
  void on_signal(int signum);
  void on_stop_signal(int signum);
  void dump_state();
  void reload();
  void graceful_leave_then_exit();
  void shutdown(int code);

  uv_loop_t* loop_;
  Config config_;
  std::vector<std::string> args_;
  runtime::AgentLogger& log_;
  // Before the RPC server: its connections unsubscribe while it is destroyed.
  std::map<std::uint64_t, EventListener> listeners_;
  std::uint64_t next_listener_ = 1;
  std::unique_ptr<runtime::Driver> driver_;
  std::unique_ptr<RpcServer> rpc_;
  std::unique_ptr<Mdns> mdns_;  // -discover
  HostLookups lookups_;         // names to join, resolved off the loop
  // Every signal a Serf user may send that must not kill us by its default action.
  static constexpr std::array<int, 13> handled_signals = {
      SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
      SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGXCPU, SIGXFSZ};
  std::array<runtime::UvHandle<uv_signal_t>, handled_signals.size()> signals_;
  runtime::UvHandle<uv_timer_t> retry_timer_, leave_timer_;
  int retry_attempts_ = 0;
  bool leaving_ = false;
  bool stopped_ = false;
  int exit_code_ = 0;
};

}  // namespace agent
