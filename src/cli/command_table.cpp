// The command table: names, one-line synopses (the usage listing) and help texts.
#include <array>

#include "cli/commands.h"

namespace cli {

namespace {

#define RPC_HELP                                                                        \
  "  -rpc-addr=127.0.0.1:7373  RPC address of the agent ($SHOAL_RPC_ADDR, then\n"      \
  "                            $SERF_RPC_ADDR, override the default).\n"                \
  "  -rpc-auth=\"\"              RPC auth token ($SHOAL_RPC_AUTH, then $SERF_RPC_AUTH)."

constexpr const char* members_help =
    "Usage: shoal members [options]\n\n"
    "  Lists the members known to a running agent.\n\n"
    "Options:\n\n"
    "  -detailed                 Also show the protocol versions (text output only).\n"
    "  -format=text              Output format: 'text' (default) or 'json'.\n"
    "  -name=<regexp>            Only members whose name fully matches the regexp.\n"
    "  -role=<regexp>            Deprecated: same as '-tag role=<regexp>'.\n"
    "  -status=<regexp>          Only members whose status fully matches the regexp.\n"
    "  -tag <key>=<regexp>       Only members whose tag <key> fully matches the regexp;\n"
    "                            may be given several times.\n" RPC_HELP;

constexpr const char* join_help =
    "Usage: shoal join [options] address ...\n\n"
    "  Asks a running agent to join a cluster through one or more existing members.\n\n"
    "Options:\n\n"
    "  -replay                   Replay past user events.\n" RPC_HELP;

constexpr const char* leave_help =
    "Usage: shoal leave\n\n"
    "  Makes the agent leave the cluster gracefully and shut down.\n\n"
    "Options:\n\n" RPC_HELP;

constexpr const char* force_leave_help =
    "Usage: shoal force-leave [options] name\n\n"
    "  Moves a failed member to the \"left\" state. A member that is actually alive\n"
    "  refutes this and stays. Useful to clean out failed nodes that will not return.\n\n"
    "Options:\n\n"
    "  -prune                    Also remove the member from the member list at once.\n" RPC_HELP;

constexpr const char* tags_help =
    "Usage: shoal tags [options] ...\n\n"
    "  Changes the tags of a running agent.\n\n"
    "Options:\n\n"
    "  -set key=value            Create or change a tag; may be repeated.\n"
    "  -delete key               Remove a tag if present; may be repeated.\n" RPC_HELP;

constexpr const char* info_help =
    "Usage: shoal info [options]\n\n"
    "  Shows debugging information about the agent.\n\n"
    "Options:\n\n"
    "  -format=text              Output format: 'text' (default) or 'json'.\n" RPC_HELP;

constexpr const char* event_help =
    "Usage: shoal event [options] name payload\n\n"
    "  Sends a custom event through the cluster.\n\n"
    "Options:\n\n"
    "  -coalesce=true/false      Whether repeated events of this name within a short\n"
    "                            time may be coalesced into the last one (default true).\n"
    RPC_HELP;

constexpr const char* keygen_help =
    "Usage: shoal keygen\n\n"
    "  Prints a new random 32-byte encryption key, base64-encoded, in the form the\n"
    "  agent's -encrypt option expects.";

constexpr const char* monitor_help =
    "Usage: shoal monitor [options]\n\n"
    "  Shows the agent's recent log lines, then follows new ones and the events the\n"
    "  agent sees, until interrupted.\n\n"
    "Options:\n\n"
    "  -log-level=info           Lowest log level to show.\n" RPC_HELP;

constexpr const char* query_help =
    "Usage: shoal query [options] name payload\n\n"
    "  Sends a query to the cluster and prints the acknowledgements and responses.\n\n"
    "Options:\n\n"
    "  -format=text              Output format: 'text' (default) or 'json'.\n"
    "  -node=NAME                Only this node answers; may be repeated.\n"
    "  -tag key=regexp           Only nodes whose tag matches answer; may be repeated.\n"
    "  -timeout=\"15s\"            Query timeout (default: computed from cluster size).\n"
    "  -no-ack                   Do not ask nodes to acknowledge the query.\n"
    "  -relay-factor=0           Relay each response through this many extra nodes.\n" RPC_HELP;

constexpr const char* reachability_help =
    "Usage: shoal reachability [options]\n\n"
    "  Tests whether every live member can be reached from this agent.\n\n"
    "Options:\n\n"
    "  -verbose                  Print every acknowledgement and timings.\n" RPC_HELP;

constexpr const char* rtt_help =
    "Usage: shoal rtt [options] node1 [node2]\n\n"
    "  Estimates the round trip time between two nodes from the network coordinates.\n"
    "  node2 defaults to the agent's own node.\n\n"
    "Options:\n\n" RPC_HELP;

constexpr const char* keys_help =
    "Usage: shoal keys [options]...\n\n"
    "  Manages the encryption keyring of every member of the cluster. Exits 0 only\n"
    "  if every member answered without error.\n\n"
    "Options:\n\n"
    "  -install=<key>            Install a key (used for decryption only).\n"
    "  -use=<key>                Make an installed key the primary (encryption) key.\n"
    "  -remove=<key>             Remove a key; the primary key can't be removed.\n"
    "  -list                     List the installed keys and how many members have each.\n"
    RPC_HELP;

#undef RPC_HELP

constexpr std::array<Command, 14> table = {{
    {"event", "Send a custom event through the Serf cluster", event_help, run_event},
    {"force-leave", "Forces a member of the cluster to enter the \"left\" state", force_leave_help,
     run_force_leave},
    {"info", "Provides debugging information for operators", info_help, run_info},
    {"join", "Tell Serf agent to join cluster", join_help, run_join},
    {"keygen", "Generates a new encryption key", keygen_help, run_keygen},
    {"keys", "Manipulate the internal encryption keyring used by Serf", keys_help, run_keys},
    {"leave", "Gracefully leaves the Serf cluster and shuts down", leave_help, run_leave},
    {"members", "Lists the members of a Serf cluster", members_help, run_members},
    {"monitor", "Stream logs from a Serf agent", monitor_help, run_monitor},
    {"query", "Send a query to the Serf cluster", query_help, run_query},
    {"reachability", "Test network reachability", reachability_help, run_reachability},
    {"rtt", "Estimates network round trip time between nodes", rtt_help, run_rtt},
    {"tags", "Modify tags of a running Serf agent", tags_help, run_tags},
    {"version", "Prints the Serf version", "", run_version},
}};

}  // namespace

std::span<const Command> commands() { return table; }

const Command* find_command(std::string_view name) {
  for (const auto& c : table) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace cli
