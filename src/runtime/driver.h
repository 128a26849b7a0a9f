// runtime::Driver: runs one serf::Node on a libuv loop. It owns the gossip UDP socket, the TCP
// listener, the outbound/inbound stream connections and the node's single timer; it feeds
// every input to the node with the current time and carries out the node's Outbox.
// Encryption (a later issue) plugs in here, around the bytes, through PacketCipher.
#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "runtime/stream_budget.h"
#include "runtime/uv_handle.h"
#include "serf/node.h"
#include "swim/address.h"
#include "util/log.h"
#include "util/result.h"

namespace runtime {

// The seam for gossip encryption: seal what we send, open what we receive (UDP and streams).
class PacketCipher {
 public:
  virtual ~PacketCipher() = default;
  virtual util::Bytes seal_packet(util::ByteView plain) = 0;
  virtual util::Result<util::Bytes> open_packet(util::ByteView sealed) = 0;
  virtual util::Bytes seal_stream(util::ByteView plain) = 0;
  virtual util::Result<util::Bytes> open_stream(util::ByteView sealed) = 0;
};

class StreamConn;

// What the driver has done since it started: for the agent's dump (SIGUSR1), tests and benches.
struct DriverCounters {
  std::uint64_t udp_packets_received = 0;
  std::uint64_t udp_packets_dropped = 0;  // read errors, truncated or undecryptable datagrams
  std::uint64_t streams_accepted = 0;     // inbound TCP streams taken
  std::uint64_t streams_opened = 0;       // outbound TCP streams started
  std::uint64_t stream_errors = 0;        // streams that failed (refused, timed out, bad bytes)
  std::uint64_t streams_refused = 0;      // inbound streams closed at once: limits::inbound_streams_max
  std::uint64_t streams_over_budget = 0;  // streams closed: limits::stream_buffer_bytes_max
};

class Driver {
 public:
  struct Callbacks {
    std::function<void(const serf::Event&)> on_event;
    std::function<void()> on_shutdown;  // the node left for good or lost a name vote
  };

  // Binds UDP and TCP on `bind` (port 0 picks one; the chosen port is bound_port()).
  static util::Result<std::unique_ptr<Driver>> start(uv_loop_t* loop, serf::Config config,
                                                     const swim::Address& bind,
                                                     util::Logger& log, Callbacks callbacks);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  void join(std::vector<swim::Address> seeds, bool ignore_old,
            std::function<void(const swim::JoinResult&)> done);
  // Graceful leave; `done` runs once the node reports LeaveState::left.
  void leave(std::function<void()> done);
  util::Status force_leave(const std::string& name, bool prune);
  util::Status set_tags(serf::Tags tags);
  util::Status user_event(const std::string& name, util::ByteView payload, bool coalesce);

  [[nodiscard]] const serf::Node& node() const { return *node_; }
  [[nodiscard]] std::uint16_t bound_port() const { return bound_port_; }
  [[nodiscard]] util::Instant now() const;
  [[nodiscard]] DriverCounters counters() const;
  // Streams now open in each direction and the bytes they buffer (the driver's queue depths).
  [[nodiscard]] std::size_t inbound_streams() const { return inbound_open_; }
  [[nodiscard]] std::size_t outbound_streams() const { return streams_.size() - inbound_open_; }
  [[nodiscard]] std::size_t stream_buffer_bytes() const { return stream_budget_.in_use(); }

  // Closes every handle; the loop can then run empty.
  void close();

  // Called by StreamConn, from inside its callbacks: the connection is retired (closed now,
  // destroyed once the callback has returned), never destroyed on the spot.
  void on_stream_complete(StreamConn& conn, util::Result<util::Bytes> framed);
  void forget_stream(StreamConn& conn);
  // The slab every stream reads into (one read at a time on the loop thread).
  uv_buf_t stream_read_buffer();

 private:
  Driver(uv_loop_t* loop, util::Logger& log, Callbacks callbacks);
  util::Status bind_sockets(const swim::Address& bind);
  template <typename Step>
  void step(Step&& fn);
  void drain(serf::Outbox& out);
  void send_datagram(const swim::Address& to, util::ByteView bytes);
  void open_stream(const swim::StreamCall& call);
  void reply_stream(const swim::StreamReply& reply);
  void arm_timer();
  void check_leave();
  void retire(std::map<StreamConn*, std::unique_ptr<StreamConn>>::iterator it);
  void on_reap();

  void on_udp_read(ssize_t nread, const uv_buf_t* buf, const sockaddr* addr, unsigned flags);
  void on_tcp_connection(int status);
  void on_timer();

  uv_loop_t* loop_;
  util::Logger& log_;
  Callbacks callbacks_;
  std::unique_ptr<serf::Node> node_;
  PacketCipher* cipher_ = nullptr;  // none until encryption lands
  UvHandle<uv_udp_t> udp_;
  UvHandle<uv_tcp_t> listener_;
  UvHandle<uv_timer_t> timer_;
  UvHandle<uv_check_t> reaper_;  // destroys retired connections after the callback that retired them
  std::uint16_t bound_port_ = 0;
  util::Duration tcp_timeout_{};
  util::Instant epoch_{};
  std::uint64_t epoch_hrtime_ns_ = 0;
  std::vector<std::uint8_t> udp_slab_;
  bool udp_slab_busy_ = false;
  std::vector<std::uint8_t> stream_slab_;
  StreamBudget stream_budget_;  // declared before the connections, which give bytes back to it
  std::map<swim::JoinId, std::function<void(const swim::JoinResult&)>> joins_;
  std::map<StreamConn*, std::unique_ptr<StreamConn>> streams_;
  std::map<swim::StreamId, StreamConn*> inbound_;
  std::vector<std::unique_ptr<StreamConn>> retired_;  // closed, waiting for the reaper
  std::size_t inbound_open_ = 0;  // inbound connections in streams_
  DriverCounters counters_;
  swim::StreamId next_inbound_id_ = 1;
  int udp_family_ = AF_INET;  // of the bound UDP socket: how IPv4 peers are addressed
  std::function<void()> leave_done_;
  bool closed_ = false;
};

}  // namespace runtime
