// Command names and which requests and responses carry a body (see messages.h).
#include "rpc/messages.h"

#include <array>

namespace rpc {

namespace {

struct CommandInfo {
  Command command;
  const char* name;
  bool request_body;
  bool response_body;
};

constexpr std::array<CommandInfo, 20> commands = {{
    {Command::handshake, "handshake", true, false},
    {Command::auth, "auth", true, false},
    {Command::event, "event", true, false},
    {Command::force_leave, "force-leave", true, false},
    {Command::join, "join", true, true},
    {Command::members, "members", false, true},
    {Command::members_filtered, "members-filtered", true, true},
    {Command::tags, "tags", true, false},
    {Command::stream, "stream", true, false},
    {Command::monitor, "monitor", true, false},
    {Command::stop, "stop", true, false},
    {Command::leave, "leave", false, false},
    {Command::query, "query", true, false},
    {Command::respond, "respond", true, false},
    {Command::install_key, "install-key", true, true},
    {Command::use_key, "use-key", true, true},
    {Command::remove_key, "remove-key", true, true},
    {Command::list_keys, "list-keys", false, true},
    {Command::stats, "stats", false, true},
    {Command::get_coordinate, "get-coordinate", true, true},
}};

const CommandInfo& info(Command c) {
  for (const auto& i : commands) {
    if (i.command == c) return i;
  }
  return commands[0];  // unreachable for valid enumerators
}

}  // namespace

const char* command_name(Command c) { return info(c).name; }

std::optional<Command> parse_command(std::string_view name) {
  for (const auto& i : commands) {
    if (name == i.name) return i.command;
  }
  return std::nullopt;
}

bool request_has_body(Command c) { return info(c).request_body; }
bool response_has_body(Command c) { return info(c).response_body; }

}  // namespace rpc
