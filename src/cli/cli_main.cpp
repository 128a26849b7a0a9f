// Placeholder: the CLI commands arrive with the RPC client.
#include "cli/cli_main.h"

#include <cstdio>

namespace cli {
int cli_main(int, char**) {
  std::fputs("Usage: shoal [--version] [--help] <command> [<args>]\n", stderr);
  return 127;
}
}  // namespace cli
