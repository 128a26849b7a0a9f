// `shoal agent`: load the configuration, start the Agent, run the loop until it stops.
// Errors before anything starts print one line (`==> ...` on stdout, like Serf; flag syntax
// errors on stderr with the usage) and exit 1.
#include "agent/agent_main.h"

#include <uv.h>

#include <cstdio>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/config.h"
#include "runtime/logger.h"
#include "util/flags.h"

namespace agent {

namespace {

int run(uv_loop_t* loop, Config config, std::vector<std::string> args) {
  runtime::AgentLogger log(stdout);
  log.set_level(config.level);
  log.hold();
  Agent agent(loop, std::move(config), std::move(args), log);
  if (auto s = agent.start(); !s.ok()) {
    // Like Serf, whose log gate opens only once the agent is running: the held lines are dropped.
    std::printf("==> %s\n", s.error().detail.c_str());
    agent.shutdown_for_error();
    uv_run(loop, UV_RUN_DEFAULT);
    return 1;
  }
  uv_run(loop, UV_RUN_DEFAULT);
  return agent.exit_code();
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
  int code = run(&loop, std::move(*config), std::move(args));
  // Every handle is closed by now; a loop that will not close is our bug.
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) std::fputs("==> internal error: libuv loop still has handles\n", stderr);
  return code;
}

}  // namespace agent
