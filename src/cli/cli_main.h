// Entry point of the CLI (`shoal members`, `shoal join`, ...). argv[0] is the program name.
#pragma once

#include <string>
#include <vector>

namespace cli {

class Ui;

int cli_main(int argc, char** argv);
// The same without argv[0], writing to `ui` (unit tests).
int run_cli(const std::vector<std::string>& args, Ui& ui);

}  // namespace cli
