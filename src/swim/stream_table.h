// The stream calls a swim::Core has in flight (push/pulls, joins, TCP pings) and the joins
// waiting for their seeds. Part of Core's state (core_impl.h): it hands out ids and keeps the
// books; what a reply means is streams.cpp's and probe.cpp's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "swim/address.h"
#include "swim/outbox.h"

namespace swim {

enum class StreamPurpose { join, push_pull, tcp_ping };

struct PendingStream {
  StreamPurpose purpose = StreamPurpose::push_pull;
  JoinId join = 0;
  Address to;
  std::string node;       // periodic push/pull: the peer's name
  std::uint32_t seq = 0;  // tcp ping: the probe's sequence number
};

class StreamTable {
 public:
  // Records a call about to be handed to the driver; its id goes into the StreamCall.
  StreamId open(PendingStream call) {
    const StreamId id = next_stream_id_++;
    streams_.emplace(id, std::move(call));
    return id;
  }
  // The call a reply is for, removed; nullopt for an id we do not know (or no longer).
  std::optional<PendingStream> close(StreamId id) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return std::nullopt;
    PendingStream call = std::move(it->second);
    streams_.erase(it);
    return call;
  }
  [[nodiscard]] std::size_t size() const { return streams_.size(); }

  // A join waiting for `seeds` push/pull outcomes (seeds > 0).
  JoinId start_join(int seeds) {
    const JoinId id = next_join_id_++;
    PendingJoin& pending = joins_[id];
    pending.outstanding = seeds;
    pending.result.id = id;
    return id;
  }
  // A join with no seeds: finished at once, under a fresh id.
  JoinResult empty_join() { return JoinResult{next_join_id_++, 0, {}}; }
  // One seed's outcome (`error` empty: joined); the whole result once the last seed is in.
  std::optional<JoinResult> seed_done(JoinId id, std::optional<std::string> error) {
    auto it = joins_.find(id);
    if (it == joins_.end()) return std::nullopt;
    PendingJoin& pending = it->second;
    if (error) {
      pending.result.errors.push_back(std::move(*error));
    } else {
      ++pending.result.joined;
    }
    if (--pending.outstanding > 0) return std::nullopt;
    JoinResult done = std::move(pending.result);
    joins_.erase(it);
    return done;
  }

 private:
  struct PendingJoin {
    int outstanding = 0;
    JoinResult result;
  };

  std::map<StreamId, PendingStream> streams_;
  StreamId next_stream_id_ = 1;
  std::map<JoinId, PendingJoin> joins_;
  JoinId next_join_id_ = 1;
};

}  // namespace swim
