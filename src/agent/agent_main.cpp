// Placeholder until the runtime lands: `shoal agent` reports that it cannot run yet.
#include "agent/agent_main.h"

#include <cstdio>

namespace agent {
int agent_main(int, char**) {
  std::fputs("==> shoal agent is not built yet\n", stdout);
  return 1;
}
}  // namespace agent
