// The CLI's subcommands (serf-behaviour.md §2). Each takes its arguments (after the command
// word) and a Ui, and returns the process exit code. Texts and exit codes follow Serf's CLI.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output.h"
#include "cli/rpc_client.h"
#include "util/flags.h"

namespace cli {

using Args = std::span<const std::string>;

struct Command {
  const char* name;
  const char* synopsis;
  const char* help;  // shown by `shoal <cmd> -h` and after argument errors
  int (*run)(Args args, Ui& ui);
};

// All commands but `agent`, sorted by name (the usage listing order).
std::span<const Command> commands();
const Command* find_command(std::string_view name);

int run_members(Args args, Ui& ui);
int run_join(Args args, Ui& ui);
int run_leave(Args args, Ui& ui);
int run_force_leave(Args args, Ui& ui);
int run_tags(Args args, Ui& ui);
int run_info(Args args, Ui& ui);
int run_event(Args args, Ui& ui);
int run_keygen(Args args, Ui& ui);
int run_version(Args args, Ui& ui);
int run_monitor(Args args, Ui& ui);
int run_query(Args args, Ui& ui);
int run_reachability(Args args, Ui& ui);
int run_rtt(Args args, Ui& ui);
int run_keys(Args args, Ui& ui);

// --- shared by the commands --------------------------------------------------------------
// -rpc-addr / -rpc-auth, defaulting from the environment: SHOAL_RPC_ADDR, else SERF_RPC_ADDR,
// else 127.0.0.1:7373; SHOAL_RPC_AUTH, else SERF_RPC_AUTH, else "".
struct RpcFlags {
  std::string addr;
  std::string auth;
};
void add_rpc_flags(util::FlagSet& flags, RpcFlags& rpc);

// Parses flags as Go's flag package does for Serf: on error the message goes to stderr and
// the command's help to stdout. nullopt = exit 1.
std::optional<std::vector<std::string>> parse_flags(util::FlagSet& flags, Args args, Ui& ui,
                                                    const char* help);

// Connects, or prints "Error connecting to Serf agent: ..." and returns nullptr.
std::unique_ptr<RpcClient> connect_or_report(const RpcFlags& rpc, Ui& ui);

// Prints `message`, an empty line and the help text (all to stdout), as Serf does for
// argument-count errors; returns 1.
int usage_error(Ui& ui, std::string_view message, const char* help);

// Members output (text or JSON), also used by tests.
std::string format_members(const std::vector<rpc::Member>& members, bool detailed,
                           bool json);
std::string format_stats(const rpc::StatsResponse& stats, bool json);
// Estimated RTT in seconds between two Vivaldi coordinates (Serf's DistanceTo).
double coordinate_distance_s(const rpc::Coordinate& a, const rpc::Coordinate& b);

}  // namespace cli
