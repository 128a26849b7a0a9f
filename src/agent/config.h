// agent::Config: every `serf agent` option (serf-behaviour.md §1.1-§1.2) under Serf's config-file
// key names, loaded as Serf does: defaults <- -config-file/-config-dir in command-line order
// <- flags, with Serf's merge rules (§1.3) and validation messages. Options whose feature is not
// built yet (encryption, snapshots, handlers, mDNS, syslog, metrics) are still parsed and
// validated; the agent decides whether to refuse or warn.
//
// Error details are the exact line Serf prints after "==> " (e.g. "Unknown profile: foo",
// "Failed to setup the Serf agent: Tags config not allowed while using tag files"). Flag syntax
// errors are told apart by is_flag_error() (print them on stderr with agent_usage(), exit 1),
// -h/-help by util::FlagSet::is_help().
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/address_parse.h"
#include "serf/node.h"
#include "swim/address.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/result.h"
#include "util/time.h"

namespace agent {

using namespace std::chrono_literals;

struct MdnsConfig {
  std::string interface;      // "interface": mDNS interface, needs discover; default: -iface
  bool disable_ipv4 = false;  // "disable_ipv4"
  bool disable_ipv6 = false;  // "disable_ipv6"; both disabled is an error
};

// Field defaults are Serf's agent defaults. Comments give the config key and flag.
struct Config {
  std::string node_name;                 // node_name, -node; empty after loading -> hostname
  std::string bind = "0.0.0.0";          // bind, -bind: host[:port], port defaults to 7946
  std::string advertise;                 // advertise, -advertise: host[:port] (port 7946)
  std::string interface;                 // interface, -iface
  std::string discover;                  // discover, -discover: mDNS cluster name
  MdnsConfig mdns;                       // mdns {...}, -mdns-iface, -mdns-disable-ipv4/6
  std::string encrypt_key;               // encrypt_key, -encrypt: base64 of 16/24/32 bytes
  std::string keyring_file;              // keyring_file, -keyring-file
  std::vector<std::string> event_handlers;  // event_handlers, -event-handler (appended)
  std::vector<std::string> start_join;   // start_join, -join (appended)
  bool replay_on_join = false;           // replay_on_join, -replay
  std::vector<std::string> retry_join;   // retry_join, -retry-join (appended)
  util::Duration retry_interval = 30s;   // retry_interval, -retry-interval; min 1s
  int retry_max_attempts = 0;            // retry_max_attempts, -retry-max; 0 = unlimited
  std::string role;                      // role, -role: deprecated, copied to tags["role"]
  serf::Tags tags;                       // tags, -tag k=v (merged per key)
  std::string tags_file;                 // tags_file, -tags-file
  std::string log_level = "INFO";        // log_level, -log-level: TRACE DEBUG INFO WARN ERR
  std::string profile = "lan";           // profile, -profile: lan | wan | local
  int protocol = 5;                      // protocol, -protocol: Serf protocol 2..5
  std::string rpc_addr = "127.0.0.1:7373";  // rpc_addr, -rpc-addr
  std::string rpc_auth;                  // rpc_auth (file only)
  std::string snapshot_path;             // snapshot_path, -snapshot
  bool rejoin_after_leave = false;       // rejoin_after_leave, -rejoin
  bool enable_syslog = false;            // enable_syslog, -syslog
  std::string syslog_facility = "LOCAL0";  // syslog_facility
  // enable_compression: Serf's quirk, kept: the value always comes from the command line
  // (!-disable-compression); the file key is parsed and then overridden (§1.3).
  bool enable_compression = true;
  util::Duration broadcast_timeout = 5s;  // broadcast_timeout, -broadcast-timeout; min 1s
  bool leave_on_terminate = false;       // leave_on_terminate (file only)
  bool skip_leave_on_interrupt = false;  // skip_leave_on_interrupt (file only)
  util::Duration reconnect_interval = 30s;  // reconnect_interval (file only)
  util::Duration reconnect_timeout = 24h;   // reconnect_timeout (file only)
  util::Duration tombstone_timeout = 24h;   // tombstone_timeout (file only)
  bool disable_name_resolution = false;  // disable_name_resolution (file only)
  bool disable_coordinates = false;      // disable_coordinates (file only)
  int query_response_size_limit = 1024;  // query_response_size_limit, bytes
  int query_size_limit = 1024;           // query_size_limit, bytes
  int user_event_size_limit = 512;       // user_event_size_limit, bytes (hard cap 9216)
  std::string statsite_addr;             // statsite_addr
  std::string statsd_addr;               // statsd_addr
  bool validate_node_names = false;      // validate_node_names: accepted, not applied (HEAD)

  // Filled by load_config() after validation.
  std::vector<std::string> config_paths;  // -config-file/-config-dir values, in order
  util::LogLevel level = util::LogLevel::info;  // log_level parsed
  HostPort bind_addr;                     // bind parsed (host not resolved)
  std::optional<HostPort> advertise_addr;  // advertise parsed, if set
  util::Bytes encrypt_key_bytes;          // encrypt_key decoded, empty if none
  // Lines Serf prints (after "==> ") while loading, in order: the role deprecation notice,
  // "Warning: 'RetryInterval' is too low. Setting to 1s", ... The agent prints them first.
  std::vector<std::string> warnings;
};

// A layer with every field zero/empty, the starting point of each config file (Serf decodes
// files into a zero Config, so absent keys never override).
Config blank_config();

// Serf's MergeConfig(a, b): strings/ints/durations: non-empty/non-zero b wins (protocol only
// when > 0); bools: b true turns on; tags merged per key; event_handlers, start_join and
// retry_join appended; enable_compression always b's; mdns per field.
Config merge_config(const Config& a, const Config& b);

// Decodes one JSON/YAML document into a blank layer. Errors are Serf's text without the
// "Error decoding 'PATH': " prefix ("1 error(s) decoding:\n\n* '' has invalid keys: x").
util::Result<Config> decode_config(const std::string& text);

// Reads config files and directories in order (a directory: its *.json, *.yaml and *.yml
// files, lexical order, no recursion) into one blank-based layer. Errors: "Error reading
// 'PATH': open PATH: no such file or directory", "Error decoding 'PATH': ...".
util::Result<Config> read_config_paths(std::span<const std::string> paths);

// The whole of Serf's readConfig + the config checks of setupLoggers/setupAgent/Create:
// flags, files, merge, hostname, validation, warnings. args excludes "agent".
util::Result<Config> load_config(std::span<const std::string> agent_args);

// True for the errors load_config returns for bad flag syntax (Go's texts).
bool is_flag_error(const util::Error& e);

// "Usage: shoal agent [options]" and the option list, Serf's help text for our agent.
std::string agent_usage();

// Serf's "key=value" tag syntax (-tag); error "Invalid tag: 'x'".
util::Result<serf::Tags> parse_tag_args(std::span<const std::string> tags);

// Serf library config for a loaded agent config. advertise is the resolved address to
// gossip (the agent resolves bind/advertise/iface first). Tags are config.tags; an agent with
// a tags file puts the file's tags in first.
serf::Config to_serf_config(const Config& config, const swim::Address& advertise);

}  // namespace agent
