// Entry point of the CLI (`shoal members`, `shoal join`, ...). argv[0] is the program name.
#pragma once

namespace cli {
int cli_main(int argc, char** argv);
}
