// `shoal agent`: load the configuration, start the Agent, run the loop until it stops.
// Errors before anything starts print one line (`==> ...` on stdout, like Serf; flag syntax
// errors on stderr with the usage) and exit 1.
#include "agent/agent_main.h"

#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/config.h"
#include "runtime/logger.h"
#include "util/flags.h"

namespace agent {

namespace {

struct Outcome {
  int code = 0;
  bool lookups_stuck = false;  // name lookups still held by the resolver when the agent stopped
};

Outcome run(uv_loop_t* loop, Config config, std::vector<std::string> args) {
  runtime::AgentLogger log(stdout);
  log.set_level(config.level);
  log.hold();
  Agent agent(loop, std::move(config), std::move(args), log);
  if (auto s = agent.start(); !s.ok()) {
    // Like Serf, whose log gate opens only once the agent is running: the held lines are dropped.
    std::printf("==> %s\n", s.error().detail.c_str());
    agent.shutdown_for_error();
    uv_run(loop, UV_RUN_DEFAULT);
    return {1, agent.lookups_outstanding() > 0};
  }
  uv_run(loop, UV_RUN_DEFAULT);
  return {agent.exit_code(), agent.lookups_outstanding() > 0};
}

std::size_t handles_left(uv_loop_t* loop) {
  std::size_t n = 0;
  uv_walk(loop, [](uv_handle_t*, void* count) { ++*static_cast<std::size_t*>(count); }, &n);
  return n;
}

// The agent stopped while a pool thread sits in getaddrinfo, which nothing can interrupt:
// let the closing handles finish, then leave at once. Waiting (the loop, or libuv's exit-time
// join of its pool threads) could take as long as the resolver's timeouts.
[[noreturn]] void exit_without_stuck_lookups(uv_loop_t* loop, int code) {
  for (int i = 0; i < 100 && handles_left(loop) > 0; ++i) uv_run(loop, UV_RUN_NOWAIT);
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}

}  // namespace

int agent_main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto config = load_config(args);
  if (!config.ok()) {
    if (util::FlagSet::is_help(config.error())) {
      std::fputs(agent_usage().c_str(), stdout);
      return 0;
    }
    if (is_flag_error(config.error())) {
      std::fprintf(stderr, "%s\n", config.error().detail.c_str());
      std::fputs(agent_usage().c_str(), stdout);
      return 1;
    }
    std::printf("==> %s\n", config.error().detail.c_str());
    return 1;
  }
  for (auto& w : config->warnings) std::printf("==> %s\n", w.c_str());
  std::fflush(stdout);

  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc != 0) {
    std::printf("==> Failed to start the event loop: %s\n", uv_strerror(rc));
    return 1;
  }
  auto outcome = run(&loop, std::move(*config), std::move(args));
  if (outcome.lookups_stuck) exit_without_stuck_lookups(&loop, outcome.code);
  // Every handle is closed by now; a loop that will not close is our bug.
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) std::fputs("==> internal error: libuv loop still has handles\n", stderr);
  return outcome.code;
}

}  // namespace agent
