// Entry point of `shoal agent`: parse flags and config, run until a signal or `leave`.
#pragma once

namespace agent {
// args excludes the program name and the word "agent". Returns the process exit code.
int agent_main(int argc, char** argv);
}
