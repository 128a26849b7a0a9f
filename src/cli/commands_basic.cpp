// One-shot commands: members, join, leave, force-leave, tags, info, event, keygen, version,
// plus the helpers every command shares (flags, connecting, output formatting).
#include <cstdio>
#include <cstdlib>

#include "agent/version.h"
#include "cli/commands.h"

namespace cli {


namespace {

std::string env_or(const char* first, const char* second, const char* fallback) {
  for (const char* name : {first, second}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return fallback;
}

// Serf's formatOutput: text or JSON, surrounding whitespace trimmed.
std::optional<std::string> format_checked(Ui& ui, const std::string& format, const auto& text,
                                          const auto& json) {
  if (format == "text") return std::string(trim_space(text()));
  if (format == "json") return std::string(trim_space(json()));
  ui.out("Encoding error: Invalid output format \"" + format + "\"");
  return std::nullopt;
}

}  // namespace

void add_rpc_flags(util::FlagSet& flags, RpcFlags& rpc) {
  rpc.addr = env_or("SHOAL_RPC_ADDR", "SERF_RPC_ADDR", "127.0.0.1:7373");
  rpc.auth = env_or("SHOAL_RPC_AUTH", "SERF_RPC_AUTH", "");
  flags.add_string("rpc-addr", &rpc.addr, "RPC address of the agent");
  flags.add_string("rpc-auth", &rpc.auth, "RPC auth token of the agent");
}

std::optional<std::vector<std::string>> parse_flags(util::FlagSet& flags, Args args, Ui& ui,
                                                    const char* help) {
  auto rest = flags.parse(args);
  if (rest.ok()) return std::move(*rest);
  if (!util::FlagSet::is_help(rest.error())) ui.err(rest.error().detail);
  ui.out(help);
  return std::nullopt;
}

std::unique_ptr<RpcClient> connect_or_report(const RpcFlags& rpc, Ui& ui) {
  auto client = RpcClient::connect(rpc.addr, rpc.auth);
  if (client.ok()) return std::move(*client);
  ui.out("Error connecting to Serf agent: " + client.error().detail);
  return nullptr;
}

int usage_error(Ui& ui, std::string_view message, const char* help) {
  ui.out(message);
  ui.out("");
  ui.out(help);
  return 1;
}

std::string format_members(const std::vector<rpc::Member>& members, bool detailed, bool json) {
  if (json) {
    Json list;  // null: Go's nil slice: {"members": null} when nothing matched
    if (!members.empty()) {
      Json::Array items;
      for (const auto& m : members) {
        items.push_back(Json::object({
            {"name", Json::str(m.name)},
            {"addr", Json::str(format_tcp_addr(m.addr, m.port))},
            {"port", Json::num(m.port)},
            {"tags", Json::string_map(m.tags)},
            {"status", Json::str(m.status)},
            {"protocol", Json::object({{"max", Json::num(m.delegate_max)},
                                       {"min", Json::num(m.delegate_min)},
                                       {"version", Json::num(m.delegate_cur)}})},
        }));
      }
      list = Json::array(std::move(items));
    }
    return to_json(Json::object({{"members", std::move(list)}}));
  }
  std::vector<std::string> rows;
  for (const auto& m : members) {
    // Peer-supplied text is escaped; a member whose name is all controls still gets its row.
    std::string tags;
    for (const auto& [k, v] : m.tags) {
      tags += (tags.empty() ? "" : ",") + printable(k) + "=" + printable(v);
    }
    std::string row = printable(m.name) + "|" + format_tcp_addr(m.addr, m.port) + "|" +
                      printable(m.status) + "|" + tags;
    if (detailed) {
      row += "|Protocol Version: " + std::to_string(m.delegate_cur) +
             "|Available Protocol Range: [" + std::to_string(m.delegate_min) + ", " +
             std::to_string(m.delegate_max) + "]";
    }
    rows.push_back(std::move(row));
  }
  return columnize(rows);
}

std::string format_stats(const rpc::StatsResponse& stats, bool json) {
  if (json) {
    Json::Object sections;
    for (const auto& [name, values] : stats) sections.emplace_back(name, Json::string_map(values));
    return to_json(Json::object(std::move(sections)));
  }
  std::string out;
  for (const auto& [name, values] : stats) {
    out += printable(name) + ":\n";
    for (const auto& [k, v] : values) out += "\t" + printable(k) + " = " + printable(v) + "\n";
  }
  return out;
}

int run_members(Args args, Ui& ui) {
  util::FlagSet flags("members");
  bool detailed = false;
  std::string role, status, name, format = "text";
  std::vector<std::string> tag_filters;
  RpcFlags rpc_flags;
  flags.add_bool("detailed", &detailed, "detailed output");
  flags.add_string("role", &role, "role filter");
  flags.add_string("status", &status, "status filter");
  flags.add_string("format", &format, "output format");
  flags.add_list("tag", &tag_filters, "tag filter");
  flags.add_string("name", &name, "name filter");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("members")->help;
  if (!parse_flags(flags, args, ui, help)) return 1;
  if (!role.empty()) {
    ui.out("Deprecation warning: 'Role' has been replaced with 'Tags'");
    tag_filters.push_back("role=" + role);
  }
  auto tags = parse_tags(tag_filters);
  if (!tags.ok()) {
    ui.out("Error: " + tags.error().detail);
    return 1;
  }
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  auto members = client->members_filtered(rpc::MembersFilteredRequest{*tags, status, name});
  if (!members.ok()) {
    ui.out("Error retrieving members: " + members.error().detail);
    return 1;
  }
  auto text = format_checked(
      ui, format, [&] { return format_members(*members, detailed, false); },
      [&] { return format_members(*members, detailed, true); });
  if (!text) return 1;
  ui.out(*text);
  return 0;
}

int run_join(Args args, Ui& ui) {
  util::FlagSet flags("join");
  bool replay = false;
  RpcFlags rpc_flags;
  flags.add_bool("replay", &replay, "replay");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("join")->help;
  auto addrs = parse_flags(flags, args, ui, help);
  if (!addrs) return 1;
  if (addrs->empty()) {
    return usage_error(ui, "At least one address to join must be specified.", help);
  }
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  std::optional<wire::mp::Document> body;
  auto s = client->call(rpc::Command::join, rpc::JoinRequest{*addrs, replay}, &body);
  if (!s.ok()) {
    ui.out("Error joining the cluster: " + s.error().detail);
    return 1;
  }
  rpc::JoinResponse resp;
  if (auto d = rpc::decode(body->root(), resp); !d.ok()) {
    ui.out("Error joining the cluster: " + d.error().detail);
    return 1;
  }
  ui.out("Successfully joined cluster by contacting " + std::to_string(resp.num) + " nodes.");
  return 0;
}

int run_leave(Args args, Ui& ui) {
  util::FlagSet flags("leave");
  RpcFlags rpc_flags;
  add_rpc_flags(flags, rpc_flags);
  if (!parse_flags(flags, args, ui, find_command("leave")->help)) return 1;
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  if (auto s = client->call(rpc::Command::leave, {}); !s.ok()) {
    ui.out("Error leaving: " + s.error().detail);
    return 1;
  }
  ui.out("Graceful leave complete");
  return 0;
}

int run_force_leave(Args args, Ui& ui) {
  util::FlagSet flags("force-leave");
  bool prune = false;
  RpcFlags rpc_flags;
  flags.add_bool("prune", &prune, "Remove agent forcibly from list of members");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("force-leave")->help;
  auto nodes = parse_flags(flags, args, ui, help);
  if (!nodes) return 1;
  if (nodes->size() != 1) {
    return usage_error(ui, "A node name must be specified to force leave.", help);
  }
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  if (auto s = client->call(rpc::Command::force_leave, rpc::ForceLeaveRequest{(*nodes)[0], prune});
      !s.ok()) {
    ui.out("Error force leaving: " + s.error().detail);
    return 1;
  }
  return 0;
}

int run_tags(Args args, Ui& ui) {
  util::FlagSet flags("tags");
  std::vector<std::string> set, del;
  RpcFlags rpc_flags;
  flags.add_list("set", &set, "tag pairs, specified as key=value");
  flags.add_list("delete", &del, "tag keys to unset");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("tags")->help;
  if (!parse_flags(flags, args, ui, help)) return 1;
  if (set.empty() && del.empty()) {
    ui.out(help);
    return 1;
  }
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  auto tags = parse_tags(set);
  if (!tags.ok()) {
    ui.out("Error: " + tags.error().detail);
    return 1;
  }
  if (auto s = client->call(rpc::Command::tags, rpc::TagsRequest{*tags, del}); !s.ok()) {
    ui.out("Error setting tags: " + s.error().detail);
    return 1;
  }
  ui.out("Successfully updated agent tags");
  return 0;
}

int run_info(Args args, Ui& ui) {
  util::FlagSet flags("info");
  std::string format = "text";
  RpcFlags rpc_flags;
  flags.add_string("format", &format, "output format");
  add_rpc_flags(flags, rpc_flags);
  if (!parse_flags(flags, args, ui, find_command("info")->help)) return 1;
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  auto stats = client->stats();
  if (!stats.ok()) {
    ui.out("Error querying agent: " + stats.error().detail);
    return 1;
  }
  auto text = format_checked(
      ui, format, [&] { return format_stats(*stats, false); },
      [&] { return format_stats(*stats, true); });
  if (!text) return 1;
  ui.out(*text);
  return 0;
}

int run_event(Args args, Ui& ui) {
  util::FlagSet flags("event");
  bool coalesce = true;
  RpcFlags rpc_flags;
  flags.add_bool("coalesce", &coalesce, "coalesce");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("event")->help;
  auto rest = parse_flags(flags, args, ui, help);
  if (!rest) return 1;
  if (rest->empty()) return usage_error(ui, "An event name must be specified.", help);
  if (rest->size() > 2) {
    return usage_error(
        ui, "Too many command line arguments. Only a name and payload must be specified.", help);
  }
  const std::string& name = (*rest)[0];
  util::Bytes payload = rest->size() == 2 ? util::to_bytes((*rest)[1]) : util::Bytes{};
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  if (auto s = client->call(rpc::Command::event, rpc::EventRequest{name, payload, coalesce});
      !s.ok()) {
    ui.out("Error sending event: " + s.error().detail);
    return 1;
  }
  ui.out("Event '" + name + "' dispatched! Coalescing enabled: " + (coalesce ? "true" : "false"));
  return 0;
}

int run_keygen(Args, Ui& ui) {
  std::uint8_t key[32];
  std::FILE* f = std::fopen("/dev/urandom", "rb");
  const std::size_t n = f != nullptr ? std::fread(key, 1, sizeof key, f) : 0;
  if (f != nullptr) std::fclose(f);
  if (n != sizeof key) {
    ui.out("Couldn't read enough entropy. Generate more entropy!");
    return 1;
  }
  ui.out(base64_encode(key));
  return 0;
}

int run_version(Args, Ui& ui) {
  ui.out(agent::shoal_version);
  ui.out("Agent Protocol: " + std::to_string(agent::agent_protocol_max) +
         " (Understands back to: " + std::to_string(agent::agent_protocol_min) + ")");
  return 0;
}

}  // namespace cli
