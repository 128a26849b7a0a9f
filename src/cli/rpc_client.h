// The CLI's RPC client: one blocking TCP connection to an agent, speaking the protocol of
// rpc/messages.h the way Serf's Go client does (handshake, optional auth, one Seq per
// request, stream records interleaved with replies). Error details are the texts Serf's CLI
// prints after "Error ...: ", e.g. "dial tcp 127.0.0.1:1: connect: connection refused".
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "rpc/codec.h"
#include "rpc/stream_splitter.h"
#include "util/result.h"

namespace cli {

// One stream record: the Seq of the request that opened the stream, and its body.
struct StreamRecord {
  std::uint64_t seq = 0;
  wire::mp::Document body;
};

class RpcClient {
 public:
  static constexpr std::chrono::seconds timeout{10};  // connect and write, as Serf's client

  // Dials addr ("host:port", "[v6]:port"), then handshakes and authenticates (if auth != "").
  static util::Result<std::unique_ptr<RpcClient>> connect(const std::string& addr,
                                                          const std::string& auth);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Sends a request and waits for its reply. An error in the reply header becomes an error
  // (Errc::refused, detail = the agent's text); `body` is filled when the command has a
  // response body, also on error (join, keys), except for "Authentication required".
  util::Status call(rpc::Command command, const rpc::RequestBody& request,
                    std::optional<wire::mp::Document>* body = nullptr);

  // Typed wrappers used by the commands.
  util::Result<std::vector<rpc::Member>> members();
  util::Result<std::vector<rpc::Member>> members_filtered(
      const rpc::MembersFilteredRequest& request);
  util::Result<rpc::StatsResponse> stats();
  // Ok with nullopt when the agent has no coordinate for the node.
  util::Result<std::optional<rpc::Coordinate>> get_coordinate(const std::string& node);

  // Sends a stream-opening request (stream, monitor, query) and waits for its first reply.
  // Returns the stream's Seq; later records come from next_record().
  util::Result<std::uint64_t> open_stream(rpc::Command command,
                                          const rpc::RequestBody& request);
  void forget_stream(std::uint64_t seq) { streams_.erase(seq); }
  // Blocks until the next record of an open stream. Errc::io "client closed" when the agent
  // closes the connection; Errc::timeout when interrupted (see interrupted()).
  util::Result<StreamRecord> next_record();

  // Set by SIGINT (see install_interrupt_handler); a blocked read then returns Errc::timeout.
  static void install_interrupt_handler();
  static bool interrupted();

 private:
  explicit RpcClient(int fd) : fd_(fd) {}
  util::Status send(const util::Bytes& bytes);
  util::Result<wire::mp::Document> read_object();
  // Reads one header and, if it belongs to an open stream, its body (queued as a record).
  // Returns the header when it answers `seq`.
  util::Result<std::optional<rpc::ResponseHeader>> read_until(std::uint64_t seq);

  int fd_;
  std::uint64_t next_seq_ = 0;
  rpc::StreamSplitter decoder_;
  std::map<std::uint64_t, bool> streams_;  // seq -> first reply seen
  std::deque<StreamRecord> records_;
};

// Go's net.SplitHostPort subset: "host:port" or "[v6]:port". Errors are Go's texts
// ("address x: missing port in address").
util::Result<std::pair<std::string, std::string>> split_host_port(const std::string& addr);

}  // namespace cli
