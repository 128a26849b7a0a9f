// Commands that stream or fan out: monitor, query, reachability, rtt, keys.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "cli/commands.h"

namespace cli {


namespace {

constexpr const char* too_many_args =
    "Too many command line arguments. Only a name and payload must be specified.";

constexpr const char* troubleshooting =
    "\nTroubleshooting tips:\n"
    "* Ensure that the bind addr:port is accessible by all other nodes\n"
    "* If an advertise address is set, ensure it routes to the bind address\n"
    "* Check that no nodes are behind a NAT\n"
    "* If nodes are behind firewalls or iptables, check that Serf traffic is permitted (UDP and "
    "TCP)\n"
    "* Verify networking equipment is functional";

// Prints one stream record of `monitor`: a log line, or an event as "Event Info:" + fields.
void print_monitor_record(Ui& ui, const StreamRecord& rec, std::uint64_t log_seq) {
  const wire::mp::Object& o = rec.body.root();
  if (rec.seq == log_seq) {
    rpc::LogRecord log;
    if (rpc::decode(o, log).ok()) ui.out(printable(log.log));
    return;
  }
  ui.out("Event Info:");
  if (o.type != msgpack::type::MAP) return;
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    const auto& kv = o.via.map.ptr[i];
    std::string key = kv.key.type == msgpack::type::STR
                          ? printable(std::string_view(kv.key.via.str.ptr, kv.key.via.str.size))
                          : go_syntax(kv.key);
    fields.emplace_back(std::move(key), go_syntax(kv.val));
  }
  std::sort(fields.begin(), fields.end());
  for (const auto& [k, v] : fields) ui.out("\t" + k + ": " + v);
}

// Columnized "failed: | node | message" lines of a key operation.
void print_key_failures(Ui& ui, const rpc::KeyResponse& resp) {
  if (resp.messages.empty()) return;
  std::vector<std::string> lines;
  for (const auto& [node, msg] : resp.messages) {
    lines.push_back("failed: | " + printable(node) + " | " + printable(msg));
  }
  ui.out(columnize(lines));
}

}  // namespace

double coordinate_distance_s(const rpc::Coordinate& a, const rpc::Coordinate& b) {
  double sum = 0;
  for (std::size_t i = 0; i < std::min(a.vec.size(), b.vec.size()); ++i) {
    const double d = a.vec[i] - b.vec[i];
    sum += d * d;
  }
  double dist = std::sqrt(sum) + a.height + b.height;
  const double adjusted = dist + a.adjustment + b.adjustment;
  if (adjusted > 0) dist = adjusted;
  // Go converts to an integer count of nanoseconds before printing.
  return std::trunc(dist * 1e9) / 1e9;
}

int run_monitor(Args args, Ui& ui) {
  util::FlagSet flags("monitor");
  std::string level = "INFO";
  RpcFlags rpc_flags;
  flags.add_string("log-level", &level, "log level");
  add_rpc_flags(flags, rpc_flags);
  if (!parse_flags(flags, args, ui, find_command("monitor")->help)) return 1;
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  auto stream = client->open_stream(rpc::Command::stream, rpc::StreamRequest{"*"});
  if (!stream.ok()) {
    ui.out("Error starting stream: " + stream.error().detail);
    return 1;
  }
  auto monitor = client->open_stream(rpc::Command::monitor, rpc::MonitorRequest{level});
  if (!monitor.ok()) {
    ui.out("Error starting monitor: " + monitor.error().detail);
    return 1;
  }
  RpcClient::install_interrupt_handler();
  while (true) {
    auto rec = client->next_record();
    if (!rec.ok()) {
      if (RpcClient::interrupted()) return 0;
      ui.out("");
      ui.out("Remote side ended the monitor! This usually means that the\n"
             "remote side has exited or crashed.");
      return 1;
    }
    print_monitor_record(ui, *rec, *monitor);
  }
}

namespace {

struct QueryOutcome {
  std::vector<std::string> acks;
  std::map<std::string, std::string> responses;
  std::size_t num_responses = 0;
};

// A record that ends a query: "done", or an ack or response from no one. Serf's agent streams
// zero-valued ack and response records (From "") once the query's channels close at its
// deadline and until its own end timer fires (ipc_query_response_stream.go selects on both);
// Serf's CLI stops at the first of them, and so do we, or they would print as "Ack from ''".
bool ends_query(const rpc::QueryRecord& qr) {
  return qr.type == "done" || ((qr.type == "ack" || qr.type == "response") && qr.from.empty());
}

// Feeds each record of a query to on(record) until its end; false when interrupted or the agent
// went away. Records that do not decode are skipped.
template <typename F>
bool read_query_records(RpcClient& client, F&& on) {
  for (;;) {
    auto rec = client.next_record();
    if (!rec.ok()) return false;
    rpc::QueryRecord qr;
    if (!rpc::decode(rec->body.root(), qr).ok()) continue;
    if (ends_query(qr)) return true;
    on(qr);
  }
}

// Reads a query's records; text mode prints each as it arrives. nullopt when interrupted or
// the agent went away.
std::optional<QueryOutcome> collect_query(RpcClient& client, Ui& ui, bool text) {
  QueryOutcome q;
  const bool done = read_query_records(client, [&](const rpc::QueryRecord& qr) {
    if (qr.type == "ack") {
      q.acks.push_back(qr.from);
      if (text) ui.out("Ack from '" + printable(qr.from) + "'");
    } else if (qr.type == "response") {
      ++q.num_responses;
      std::string payload(util::as_chars(qr.payload));
      q.responses[qr.from] = payload;
      if (!payload.empty() && payload.back() == '\n') payload.pop_back();
      if (text) ui.out("Response from '" + printable(qr.from) + "': " + printable_lines(payload));
    }
  });
  if (!done) return std::nullopt;
  return q;
}

void print_query_json(Ui& ui, const QueryOutcome& q) {
  Json acks;  // null with -no-ack (Go nil slice)
  if (!q.acks.empty()) {
    Json::Array a;
    for (const auto& n : q.acks) a.push_back(Json::str(n));
    acks = Json::array(std::move(a));
  }
  ui.out(to_json(Json::object({{"Acks", std::move(acks)},
                               {"Responses", Json::string_map(q.responses)}})));
}

struct AckTally {
  std::set<std::string> from;
  std::size_t count = 0;
  bool duplicates = false;
  double total_s = 0, last_s = 0;
};

// Reads _serf_ping acks until "done". nullopt when interrupted or the agent went away.
std::optional<AckTally> collect_acks(RpcClient& client, Ui& ui, bool verbose) {
  using Clock = std::chrono::steady_clock;
  const auto since = [start = Clock::now()] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  AckTally t;
  const bool done = read_query_records(client, [&](const rpc::QueryRecord& qr) {
    if (qr.type != "ack") return;
    if (verbose) ui.out("\tAck from '" + printable(qr.from) + "'");
    ++t.count;
    if (!t.from.insert(qr.from).second) {
      t.duplicates = true;
      ui.out("Duplicate response from '" + printable(qr.from) + "'");
    }
    t.last_s = since();
  });
  if (!done) return std::nullopt;
  t.total_s = since();
  return t;
}

int report_reachability(Ui& ui, const AckTally& t, const std::set<std::string>& live) {
  if (t.duplicates) {
    ui.out("Duplicate responses means there is a misconfiguration. "
           "Verify that node names are unique.");
  }
  if (t.count == live.size()) {
    ui.out("Successfully contacted all live nodes");
    return t.duplicates ? 1 : 0;
  }
  if (t.count > live.size()) {
    ui.out("Received more acks than live nodes! Acks from non-live nodes:");
    for (const auto& n : t.from) {
      if (!live.count(n)) ui.out("\t" + printable(n));
    }
    ui.out("This could mean Serf is detecting false-failures due to a misconfiguration or "
           "network issue.");
  } else {
    ui.out("Received less acks than live nodes! Missing acks from:");
    for (const auto& n : live) {
      if (!t.from.count(n)) ui.out("\t" + printable(n));
    }
    ui.out("This could mean Serf gossip packets are being lost due to a misconfiguration or "
           "network issue.");
  }
  ui.out(troubleshooting);
  return 1;
}

}  // namespace

int run_query(Args args, Ui& ui) {
  util::FlagSet flags("query");
  std::vector<std::string> nodes, tag_filters;
  util::Duration timeout{0};
  bool no_ack = false;
  std::string format = "text";
  int relay_factor = 0;
  RpcFlags rpc_flags;
  flags.add_list("node", &nodes, "node filter");
  flags.add_list("tag", &tag_filters, "tag filter");
  flags.add_duration("timeout", &timeout, "query timeout");
  flags.add_bool("no-ack", &no_ack, "no-ack");
  flags.add_string("format", &format, "output format");
  flags.add_int("relay-factor", &relay_factor, "response relay count");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("query")->help;
  auto rest = parse_flags(flags, args, ui, help);
  if (!rest) return 1;
  auto tags = parse_tags(tag_filters);
  if (!tags.ok()) {
    ui.out("Error: " + tags.error().detail);
    return 1;
  }
  if (rest->empty()) return usage_error(ui, "A query name must be specified.", help);
  if (rest->size() > 2) return usage_error(ui, too_many_args, help);
  if (relay_factor < 0 || relay_factor > 255) {
    ui.out("Relay factor must be between 0 and 255");
    return 1;
  }
  const std::string& name = (*rest)[0];
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  if (format != "text" && format != "json") {
    ui.out("Invalid format: " + format);
    return 1;
  }
  rpc::QueryRequest req{nodes, *tags, !no_ack, static_cast<std::uint8_t>(relay_factor),
                        std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count(),
                        name, rest->size() == 2 ? util::to_bytes((*rest)[1]) : util::Bytes{}};
  if (auto seq = client->open_stream(rpc::Command::query, req); !seq.ok()) {
    ui.out("Error sending query: " + seq.error().detail);
    return 1;
  }
  const bool text = format == "text";
  if (text) ui.out("Query '" + name + "' dispatched");
  RpcClient::install_interrupt_handler();
  auto outcome = collect_query(*client, ui, text);
  if (!outcome) return 1;
  if (!text) {
    print_query_json(ui, *outcome);
    return 0;
  }
  if (!no_ack) ui.out("Total Acks: " + std::to_string(outcome->acks.size()));
  ui.out("Total Responses: " + std::to_string(outcome->num_responses));
  return 0;
}

int run_reachability(Args args, Ui& ui) {
  util::FlagSet flags("reachability");
  bool verbose = false;
  RpcFlags rpc_flags;
  flags.add_bool("verbose", &verbose, "verbose mode");
  add_rpc_flags(flags, rpc_flags);
  if (!parse_flags(flags, args, ui, find_command("reachability")->help)) return 1;
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  auto members = client->members();
  if (!members.ok()) {
    ui.out("Error getting members: " + members.error().detail);
    return 1;
  }
  std::set<std::string> live;
  for (const auto& m : *members) {
    if (m.status == "alive") live.insert(m.name);
  }
  ui.out("Total members: " + std::to_string(members->size()) +
         ", live members: " + std::to_string(live.size()));
  rpc::QueryRequest req;
  req.request_ack = true;
  req.name = "_serf_ping";
  if (auto seq = client->open_stream(rpc::Command::query, req); !seq.ok()) {
    ui.out("Error sending query: " + seq.error().detail);
    return 1;
  }
  ui.out("Starting reachability test...");
  RpcClient::install_interrupt_handler();
  auto tally = collect_acks(*client, ui, verbose);
  if (!tally) {
    ui.out("Test interrupted");
    return 1;
  }
  if (verbose) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "Query time: %0.2f sec, time to last response: %0.2f sec",
                  tally->total_s, tally->last_s);
    ui.out(buf);
  }
  return report_reachability(ui, *tally, live);
}

int run_rtt(Args args, Ui& ui) {
  util::FlagSet flags("rtt");
  RpcFlags rpc_flags;
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("rtt")->help;
  auto nodes = parse_flags(flags, args, ui, help);
  if (!nodes) return 1;
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  if (nodes->size() == 1) {
    auto stats = client->stats();
    if (!stats.ok()) {
      ui.out("Error querying agent: " + stats.error().detail);
      return 1;
    }
    nodes->push_back((*stats)["agent"]["name"]);
  } else if (nodes->size() != 2) {
    return usage_error(ui, "One or two node names must be specified", help);
  }
  std::optional<rpc::Coordinate> coords[2];
  for (int i = 0; i < 2; ++i) {
    auto c = client->get_coordinate((*nodes)[static_cast<std::size_t>(i)]);
    if (!c.ok()) {
      ui.out("Error getting coordinates: " + c.error().detail);
      return 1;
    }
    if (!c->has_value()) {
      ui.out("Could not find a coordinate for node " +
             go_quote((*nodes)[static_cast<std::size_t>(i)]));
      return 1;
    }
    coords[i] = std::move(**c);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f ms", coordinate_distance_s(*coords[0], *coords[1]) * 1000.0);
  ui.out("Estimated " + printable((*nodes)[0]) + " <-> " + printable((*nodes)[1]) + " rtt: " + buf);
  return 0;
}

int run_keys(Args args, Ui& ui) {
  util::FlagSet flags("key");
  std::string install, use, remove;
  bool list = false;
  RpcFlags rpc_flags;
  flags.add_string("install", &install, "install a new key");
  flags.add_string("use", &use, "change primary encryption key");
  flags.add_string("remove", &remove, "remove a key");
  flags.add_bool("list", &list, "list cluster keys");
  add_rpc_flags(flags, rpc_flags);
  const char* help = find_command("keys")->help;
  if (!parse_flags(flags, args, ui, help)) return 1;
  const int chosen = (list ? 1 : 0) + (install.empty() ? 0 : 1) + (use.empty() ? 0 : 1) +
                     (remove.empty() ? 0 : 1);
  if (chosen > 1) {
    ui.out("Only one of -install, -use, -remove, or -list allowed");
    return 1;
  }
  if (chosen == 0) {
    ui.out(help);
    return 1;
  }
  auto client = connect_or_report(rpc_flags, ui);
  if (!client) return 1;
  struct Op {
    rpc::Command command;
    const char* start;
    const char* done;
    const char* error;
  };
  static constexpr Op ops[] = {
      {rpc::Command::list_keys, "Asking all members for installed keys...",
       "Keys gathered, listing cluster keys...", "Failed to gather member keys"},
      {rpc::Command::install_key, "Installing key on all members...",
       "Successfully installed key!", "Error installing key"},
      {rpc::Command::use_key, "Changing primary key on all members...",
       "Successfully changed primary key!", "Error changing primary key"},
      {rpc::Command::remove_key, "Removing key on all members...", "Successfully removed key!",
       "Error removing key"},
  };
  const Op& op = ops[list ? 0 : !install.empty() ? 1 : !use.empty() ? 2 : 3];
  ui.out(std::string("==> ") + op.start);
  rpc::RequestBody body;
  if (!list) body = rpc::KeyRequest{!install.empty() ? install : !use.empty() ? use : remove};
  std::optional<wire::mp::Document> resp_obj;
  auto s = client->call(op.command, body, &resp_obj);
  rpc::KeyResponse resp;
  const bool decoded = resp_obj && rpc::decode(resp_obj->root(), resp).ok();
  if (!s.ok()) {
    if (decoded) print_key_failures(ui, resp);
    ui.out("");
    ui.out(std::string(op.error) + ": " + s.error().detail);
    return 1;
  }
  ui.out(std::string("==> ") + op.done);
  if (!list) return 0;
  ui.out("");
  std::vector<std::string> lines;
  for (const auto& [key, n] : resp.keys) {
    lines.push_back(printable(key) + " | [" + std::to_string(n) + "/" +
                    std::to_string(resp.num_nodes) + "]");
  }
  ui.out(columnize(lines));
  return 0;
}

}  // namespace cli
