// shoal: `shoal agent ...` runs the membership agent; every other subcommand is the CLI,
// an RPC client of a running agent.
#include <cstring>

#include "agent/agent_main.h"
#include "cli/cli_main.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "agent") == 0) return agent::agent_main(argc - 2, argv + 2);
  return cli::cli_main(argc, argv);
}
