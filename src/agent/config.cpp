// Loading and validating agent::Config (see config.h). The order of the checks is Serf's
// (readConfig, then setupLoggers, setupAgent, agent.Create and serf.Create), so that a command
// line with several mistakes reports the same one Serf would.
#include "agent/config.h"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "util/duration.h"
#include "util/flags.h"

namespace agent {
namespace {

constexpr int protocol_min = 2;
constexpr int protocol_max = 5;
constexpr int user_event_size_hard_max = 9216;  // Serf's UserEventSizeLimit cap
constexpr util::Duration min_retry_interval = 1s;
constexpr util::Duration min_broadcast_timeout = 1s;

util::Error config_error(std::string msg) { return {util::Errc::config, std::move(msg)}; }

template <typename T>
void override_if_set(T& out, const T& in) {
  if (in != T{}) out = in;
}

// Go's base64.StdEncoding.DecodeString, with its error offsets
// ("illegal base64 data at input byte N"); \r and \n are skipped as Go does.
util::Result<util::Bytes> go_base64_decode(std::string_view s) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  auto corrupt = [](std::size_t at) {
    return util::Error{util::Errc::malformed,
                       "illegal base64 data at input byte " + std::to_string(at)};
  };
  util::Bytes out;
  std::size_t si = 0;
  while (si < s.size()) {
    int quad[4] = {0, 0, 0, 0};
    int j = 0;
    bool padded = false;
    for (; j < 4; ++j) {
      if (si == s.size()) {
        if (j == 0) return out;
        return corrupt(si - static_cast<std::size_t>(j));
      }
      char in = s[si++];
      int v = value(in);
      if (v >= 0) {
        quad[j] = v;
        continue;
      }
      if (in == '\n' || in == '\r') {
        --j;
        continue;
      }
      if (in != '=' || j < 2) return corrupt(si - 1);
      if (j == 2) {  // "==" expected
        while (si < s.size() && (s[si] == '\n' || s[si] == '\r')) ++si;
        if (si == s.size()) return corrupt(s.size());
        if (s[si] != '=') return corrupt(si - 1);
        ++si;
      }
      while (si < s.size() && (s[si] == '\n' || s[si] == '\r')) ++si;
      if (si < s.size()) return corrupt(si);
      padded = true;
      break;
    }
    const int bits = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3];
    const int bytes = padded ? j - 1 : 3;
    for (int k = 0; k < bytes; ++k) out.push_back(static_cast<std::uint8_t>(bits >> (16 - 8 * k)));
  }
  return out;
}

// Serf's ParseEventScript/Valid: "[filter,filter=]command", filters are event types with
// optional "user:NAME" / "query:NAME".
util::Status check_event_handler(const std::string& spec) {
  auto eq = spec.find('=');
  std::string filter = eq == std::string::npos ? "" : spec.substr(0, eq);
  std::string script = eq == std::string::npos ? spec : spec.substr(eq + 1);
  if (filter.empty()) filter = "*";
  std::size_t start = 0;
  while (true) {
    auto comma = filter.find(',', start);
    std::string event = filter.substr(start, comma == std::string::npos ? comma : comma - start);
    if (event.rfind("user:", 0) == 0) event = "user";
    if (event.rfind("query:", 0) == 0) event = "query";
    static const char* const valid[] = {"member-join",   "member-leave", "member-failed",
                                        "member-update", "member-reap",  "user",
                                        "query",         "*"};
    bool ok = false;
    for (const char* v : valid) ok = ok || event == v;
    if (!ok) {
      return config_error("Invalid event script: Event '" + event + "' invoking '" + script + "'");
    }
    if (comma == std::string::npos) return {};
    start = comma + 1;
  }
}

bool interface_exists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

// readConfig's checks after merging: hostname, handlers, interfaces, role, minimums.
util::Status finish_read_config(Config& c) {
  if (c.node_name.empty()) {
    char host[HOST_NAME_MAX + 1] = {};
    if (::gethostname(host, sizeof host - 1) != 0) {
      return config_error(std::string("Error determining hostname: ") + std::strerror(errno));
    }
    c.node_name = host;
  }
  for (const auto& h : c.event_handlers) {
    auto st = check_event_handler(h);
    if (!st.ok()) return st;
  }
  const std::string no_iface = "route ip+net: no such network interface";
  if (!c.interface.empty() && !interface_exists(c.interface)) {
    return config_error("Invalid network interface: " + no_iface);
  }
  if (!c.mdns.interface.empty()) {
    if (c.discover.empty()) {
      return config_error("mDNS interface specified without enabling mDNS discovery");
    }
    if (!interface_exists(c.mdns.interface)) {
      return config_error("Invalid mDNS network interface: " + no_iface);
    }
  }
  if (c.mdns.disable_ipv4 && c.mdns.disable_ipv6) {
    return config_error("Invalid mDNS configuration: both IPv4 and IPv6 are disabled");
  }
  if (!c.role.empty()) {
    c.warnings.push_back("Deprecation warning: 'Role' has been replaced with 'Tags'");
    c.tags["role"] = c.role;
  }
  if (c.retry_interval < min_retry_interval) {
    c.retry_interval = min_retry_interval;
    c.warnings.push_back("Warning: 'RetryInterval' is too low. Setting to " +
                         util::format_go_duration(c.retry_interval));
  }
  if (c.broadcast_timeout < min_broadcast_timeout) {
    c.broadcast_timeout = min_broadcast_timeout;
    c.warnings.push_back("Warning: 'BroadcastTimeout' is too low. Setting to " +
                         util::format_go_duration(c.broadcast_timeout));
  }
  if (c.rejoin_after_leave && c.snapshot_path.empty()) {
    c.warnings.push_back("Warning: 'RejoinAfterLeave' enabled without snapshot file");
  }
  return {};
}

// The checks Serf makes while setting up logging, the agent and the Serf instance.
util::Status check_setup(Config& c) {
  std::string level = c.log_level;
  for (auto& ch : level) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
  const bool known = level == "TRACE" || level == "DEBUG" || level == "INFO" || level == "WARN" ||
                     level == "ERR";
  if (!known) {
    return config_error("Invalid log level: " + level +
                        ". Valid log levels are: [TRACE DEBUG INFO WARN ERR]");
  }
  c.level = util::parse_log_level(level).value_or(util::LogLevel::info);
  auto bind = parse_bind_address(c.bind);
  if (!bind.ok()) return config_error("Invalid bind address: " + bind.error().detail);
  c.bind_addr = *bind;
  if (!c.advertise.empty()) {
    auto adv = parse_bind_address(c.advertise);
    if (!adv.ok()) return config_error("Invalid advertise address: " + adv.error().detail);
    c.advertise_addr = *adv;
  }
  auto key = go_base64_decode(c.encrypt_key);
  if (!key.ok()) return config_error("Invalid encryption key: " + key.error().detail);
  c.encrypt_key_bytes = *key;
  if (c.profile != "lan" && c.profile != "wan" && c.profile != "local") {
    return config_error("Unknown profile: " + c.profile);
  }
  const std::string setup = "Failed to setup the Serf agent: ";
  if (!c.tags_file.empty() && !c.tags.empty()) {
    return config_error(setup + "Tags config not allowed while using tag files");
  }
  if (!c.keyring_file.empty() && !c.encrypt_key.empty()) {
    return config_error(setup + "Encryption key not allowed while using a keyring");
  }
  const std::string start = "Failed to start the Serf agent: Error creating Serf: ";
  const std::string range = ". Must be in range: [2, 5]";
  if (c.protocol < protocol_min) {
    return config_error(start + "Protocol version '" + std::to_string(c.protocol) + "' too low" +
                        range);
  }
  if (c.protocol > protocol_max) {
    return config_error(start + "Protocol version '" + std::to_string(c.protocol) + "' too high" +
                        range);
  }
  if (c.user_event_size_limit > user_event_size_hard_max) {
    return config_error(start + "user event size limit exceeds limit of " +
                        std::to_string(user_event_size_hard_max) + " bytes");
  }
  return {};
}

}  // namespace

Config blank_config() {
  Config c;
  c.bind.clear();
  c.retry_interval = 0s;
  c.log_level.clear();
  c.profile.clear();
  c.protocol = 0;
  c.rpc_addr.clear();
  c.syslog_facility.clear();
  c.enable_compression = false;
  c.broadcast_timeout = 0s;
  c.reconnect_interval = 0s;
  c.reconnect_timeout = 0s;
  c.tombstone_timeout = 0s;
  c.query_response_size_limit = 0;
  c.query_size_limit = 0;
  c.user_event_size_limit = 0;
  return c;
}

Config merge_config(const Config& a, const Config& b) {
  Config r = a;
  for (auto field : {&Config::node_name, &Config::role, &Config::bind, &Config::advertise,
                     &Config::encrypt_key, &Config::log_level, &Config::rpc_addr,
                     &Config::rpc_auth, &Config::profile, &Config::snapshot_path,
                     &Config::discover, &Config::interface, &Config::tags_file,
                     &Config::keyring_file, &Config::syslog_facility, &Config::statsite_addr,
                     &Config::statsd_addr}) {
    override_if_set(r.*field, b.*field);
  }
  for (auto field : {&Config::disable_coordinates, &Config::replay_on_join,
                     &Config::leave_on_terminate, &Config::skip_leave_on_interrupt,
                     &Config::disable_name_resolution, &Config::enable_syslog,
                     &Config::rejoin_after_leave, &Config::validate_node_names}) {
    if (b.*field) r.*field = true;
  }
  for (auto field : {&Config::retry_max_attempts, &Config::query_response_size_limit,
                     &Config::query_size_limit, &Config::user_event_size_limit}) {
    override_if_set(r.*field, b.*field);
  }
  for (auto field : {&Config::reconnect_interval, &Config::reconnect_timeout,
                     &Config::tombstone_timeout, &Config::retry_interval,
                     &Config::broadcast_timeout}) {
    override_if_set(r.*field, b.*field);
  }
  if (b.protocol > 0) r.protocol = b.protocol;
  for (const auto& [k, v] : b.tags) r.tags[k] = v;
  override_if_set(r.mdns.interface, b.mdns.interface);
  if (b.mdns.disable_ipv4) r.mdns.disable_ipv4 = true;
  if (b.mdns.disable_ipv6) r.mdns.disable_ipv6 = true;
  r.enable_compression = b.enable_compression;
  r.event_handlers.insert(r.event_handlers.end(), b.event_handlers.begin(), b.event_handlers.end());
  r.start_join.insert(r.start_join.end(), b.start_join.begin(), b.start_join.end());
  r.retry_join.insert(r.retry_join.end(), b.retry_join.begin(), b.retry_join.end());
  return r;
}

util::Result<serf::Tags> parse_tag_args(std::span<const std::string> tags) {
  serf::Tags out;
  for (const auto& tag : tags) {
    auto eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return config_error("Invalid tag: '" + tag + "'");
    }
    out[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return out;
}

bool is_flag_error(const util::Error& e) { return e.code == util::Errc::invalid_argument; }

namespace {

// The command-line layer and the flag values Serf post-processes itself.
struct CommandLine {
  Config layer = blank_config();
  std::vector<std::string> paths, tags;
  std::string retry_interval, broadcast_timeout;
  bool disable_compression = false;
};

// Serf's agent flag set, flag for flag (retry-interval and broadcast-timeout are strings there,
// so their errors are "Error: time: ..." config errors rather than flag errors).
void define_flags(util::FlagSet& fs, CommandLine& cl) {
  Config& c = cl.layer;
  c.protocol = -1;
  fs.add_string("bind", &c.bind, "address to bind listeners to");
  fs.add_string("advertise", &c.advertise, "address to advertise to cluster");
  fs.add_list("config-file", &cl.paths, "json file to read config from");
  fs.add_list("config-dir", &cl.paths, "directory of json files to read");
  fs.add_string("encrypt", &c.encrypt_key, "encryption key");
  fs.add_string("keyring-file", &c.keyring_file, "path to the keyring file");
  fs.add_list("event-handler", &c.event_handlers, "command to execute when events occur");
  fs.add_list("join", &c.start_join, "address of agent to join on startup");
  fs.add_bool("replay", &c.replay_on_join, "replay events for startup join");
  fs.add_string("log-level", &c.log_level, "log level");
  fs.add_string("node", &c.node_name, "node name");
  fs.add_int("protocol", &c.protocol, "protocol version");
  fs.add_string("role", &c.role, "role name");
  fs.add_string("rpc-addr", &c.rpc_addr, "address to bind RPC listener to");
  fs.add_string("profile", &c.profile, "timing profile to use (lan, wan, local)");
  fs.add_string("snapshot", &c.snapshot_path, "path to the snapshot file");
  fs.add_list("tag", &cl.tags, "tag pair, specified as key=value");
  fs.add_string("discover", &c.discover, "mDNS discovery name");
  fs.add_string("iface", &c.interface, "interface to bind to");
  fs.add_string("mdns-iface", &c.mdns.interface, "interface to use for mDNS");
  fs.add_bool("mdns-disable-ipv4", &c.mdns.disable_ipv4, "disable IPv4 for mDNS");
  fs.add_bool("mdns-disable-ipv6", &c.mdns.disable_ipv6, "disable IPv6 for mDNS");
  fs.add_string("tags-file", &c.tags_file, "tag persistence file");
  fs.add_bool("syslog", &c.enable_syslog, "enable logging to syslog facility");
  fs.add_list("retry-join", &c.retry_join, "address of agent to join on startup with retry");
  fs.add_int("retry-max", &c.retry_max_attempts, "maximum retry join attempts");
  fs.add_string("retry-interval", &cl.retry_interval, "retry join interval");
  fs.add_bool("rejoin", &c.rejoin_after_leave, "enable re-joining after a previous leave");
  fs.add_bool("disable-compression", &cl.disable_compression,
              "disable message compression for broadcasting events");
  fs.add_string("broadcast-timeout", &cl.broadcast_timeout, "timeout for broadcast messages");
}

// Flags into a layer; positional arguments are ignored, as Serf does.
util::Result<CommandLine> parse_command_line(std::span<const std::string> args) {
  CommandLine cl;
  util::FlagSet fs("agent");
  define_flags(fs, cl);
  auto rest = fs.parse(args);
  if (!rest.ok()) {
    if (util::FlagSet::is_help(rest.error())) return rest.error();
    return util::Error{util::Errc::invalid_argument, rest.error().detail};
  }
  Config& c = cl.layer;
  c.enable_compression = !cl.disable_compression;
  auto tags = parse_tag_args(cl.tags);
  if (!tags.ok()) return config_error("Error: " + tags.error().detail);
  c.tags = *tags;
  for (auto [raw, field] : {std::pair{&cl.retry_interval, &Config::retry_interval},
                            std::pair{&cl.broadcast_timeout, &Config::broadcast_timeout}}) {
    if (raw->empty()) continue;
    auto d = util::parse_go_duration(*raw);
    if (!d.ok()) return config_error("Error: " + d.error().detail);
    c.*field = *d;
  }
  return cl;
}

}  // namespace

util::Result<Config> load_config(std::span<const std::string> agent_args) {
  auto cl = parse_command_line(agent_args);
  if (!cl.ok()) return cl.error();
  Config config;
  if (!cl->paths.empty()) {
    auto files = read_config_paths(cl->paths);
    if (!files.ok()) return files.error();
    config = merge_config(config, *files);
  }
  config = merge_config(config, cl->layer);
  config.config_paths = cl->paths;
  auto st = finish_read_config(config);
  if (!st.ok()) return st.error();
  st = check_setup(config);
  if (!st.ok()) return st.error();
  return config;
}

serf::Config to_serf_config(const Config& config, const swim::Address& advertise) {
  serf::Config s;
  if (config.profile == "wan") {
    s.memberlist = swim::Config::wan();
  } else if (config.profile == "local") {
    s.memberlist = swim::Config::local();
  } else {
    s.memberlist = swim::Config::lan();
  }
  s.memberlist.name = config.node_name;
  s.memberlist.advertise = advertise;
  s.memberlist.enable_compression = config.enable_compression;
  s.memberlist.vsn.dcur = static_cast<std::uint8_t>(config.protocol);
  s.protocol = config.protocol;
  s.tags = config.tags;
  if (config.broadcast_timeout != 0s) s.broadcast_timeout = config.broadcast_timeout;
  if (config.reconnect_interval != 0s) s.reconnect_interval = config.reconnect_interval;
  if (config.reconnect_timeout != 0s) s.reconnect_timeout = config.reconnect_timeout;
  if (config.tombstone_timeout != 0s) s.tombstone_timeout = config.tombstone_timeout;
  s.query_size_limit = static_cast<std::size_t>(std::max(0, config.query_size_limit));
  s.query_response_size_limit =
      static_cast<std::size_t>(std::max(0, config.query_response_size_limit));
  s.user_event_size_limit = static_cast<std::size_t>(std::max(0, config.user_event_size_limit));
  s.enable_name_conflict_resolution = !config.disable_name_resolution;
  s.disable_coordinates = config.disable_coordinates;
  return s;
}

}  // namespace agent
