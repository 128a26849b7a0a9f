// shoal: `shoal agent ...` runs the membership agent; every other subcommand is the CLI,
// an RPC client of a running agent.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "agent/agent_main.h"
#include "cli/cli_main.h"

namespace {

// SIGPIPE is ignored process-wide: a write to a socket whose peer went away (an RPC client that
// reset its connection, a stream peer) fails with EPIPE and is handled where it happens,
// instead of killing the agent. Children started through uv_spawn get the default back from
// libuv; the CLI re-raises it for its own stdout and stderr (cli::StdUi), as Go programs do.
bool ignore_sigpipe() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  return sigaction(SIGPIPE, &ignore, nullptr) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ignore_sigpipe()) {
    std::fprintf(stderr, "==> Error ignoring SIGPIPE: %s\n", std::strerror(errno));
    return 1;
  }
  if (argc > 1 && std::strcmp(argv[1], "agent") == 0) return agent::agent_main(argc - 2, argv + 2);
  return cli::cli_main(argc, argv);
}
