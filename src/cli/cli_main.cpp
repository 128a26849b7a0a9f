// Top-level dispatch of the CLI, following Serf's (hashicorp/cli) rules:
//  - "-v" or "--version" anywhere runs `version`;
//  - no command, or an unknown one: usage on stderr, exit 127; "-h"/"-help"/"--help" alone:
//    usage on stderr, exit 0;
//  - "<cmd> ... -h ...": the command's help on stderr, exit 0 (arguments after "--" excluded);
//  - a flag before the command: an "Invalid flags" note and the command's help, exit 1.
#include "cli/cli_main.h"

#include <string>
#include <vector>

#include "cli/commands.h"

namespace cli {

namespace {

std::string usage_text() {
  std::string s =
      "Usage: shoal [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n";
  s += "    agent           Runs a Serf agent\n";
  for (const auto& c : commands()) {
    std::string name = c.name;
    name.resize(std::max<std::size_t>(name.size(), 15), ' ');
    s += "    " + name + " " + c.synopsis + "\n";
  }
  return s;
}

struct Parsed {
  std::string command;
  std::vector<std::string> command_args;
  std::vector<std::string> top_flags;
  bool help = false;
};

Parsed parse_top(const std::vector<std::string>& args) {
  Parsed p;
  bool have_command = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a == "-h" || a == "-help" || a == "--help") {
      p.help = true;
      continue;
    }
    if (have_command) continue;
    if (a == "-v" || a == "-version" || a == "--version") continue;
    if (!a.empty() && a[0] == '-') {
      p.top_flags.push_back(a);
    } else if (!a.empty()) {
      p.command = a;
      p.command_args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      have_command = true;
    }
  }
  return p;
}

}  // namespace

int run_cli(const std::vector<std::string>& argv_in, Ui& ui) {
  std::vector<std::string> args = argv_in;
  for (const auto& a : argv_in) {
    if (a == "-v" || a == "--version") {
      args.insert(args.begin(), "version");
      break;
    }
  }
  const Parsed p = parse_top(args);
  if (p.help && p.command.empty()) {
    ui.err(usage_text());
    return 0;
  }
  const Command* cmd = find_command(p.command);
  if (!p.top_flags.empty()) {
    ui.err("Invalid flags before the subcommand. If these flags are for\n"
           "the subcommand, please put them after the subcommand.\n");
    if (cmd != nullptr) ui.err(cmd->help);
    return 1;
  }
  if (cmd == nullptr) {
    ui.err(usage_text());
    return 127;
  }
  if (p.help) {
    ui.err(cmd->help);
    return 0;
  }
  return cmd->run(p.command_args, ui);
}

int cli_main(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  StdUi ui;
  return run_cli(args, ui);
}

}  // namespace cli
