// The recent-intent buffer (gossip-wire.md §9.3): join/leave intents about nodes memberlist has
// not reported yet, one entry per node (the newest LTime wins), kept recent_intent_timeout so
// that a node's first notify_join can pick up its status LTime and a pending leave. At most
// limits::recent_intents_max nodes: beyond, intents about new names are refused and counted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "serf/lamport.h"
#include "util/time.h"

namespace serf {

enum class IntentType { join, leave };

class RecentIntents {
 public:
  // Stores the intent if it is the first for `node` or newer than the stored one. Returns
  // whether it was stored, which is also whether the message deserves a re-broadcast.
  bool upsert(const std::string& node, IntentType type, LamportTime ltime, util::Instant now);
  // The stored LTime when the stored intent for `node` has this type.
  [[nodiscard]] std::optional<LamportTime> recent(const std::string& node, IntentType type) const;
  // Drops entries stored longer than `timeout` before `now`.
  void reap(util::Instant now, util::Duration timeout);
  [[nodiscard]] std::size_t size() const { return intents_.size(); }
  // Intents about new names refused because the buffer was full, since the start.
  [[nodiscard]] std::uint64_t refused() const { return refused_; }

 private:
  struct Intent {
    IntentType type;
    LamportTime ltime;
    util::Instant stored;
  };
  std::map<std::string, Intent> intents_;
  std::uint64_t refused_ = 0;
};

}  // namespace serf
