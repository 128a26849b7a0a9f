// Serf's member table: the status of every known member (alive, leaving, left, failed) as
// Serf 0.9.4 decides it from memberlist's notifications plus join/leave intents
// (gossip-wire.md §9.3, §9.4; serf-behaviour.md §6). Pure bookkeeping: the Node witnesses
// clocks, logs, emits events and broadcasts according to what these methods return.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "serf/intents.h"
#include "serf/lamport.h"
#include "serf/node.h"
#include "util/time.h"

namespace serf {

struct MemberState {
  Member member;
  LamportTime status_ltime = 0;
  util::Instant leave_time{};  // when it became failed or left
};

enum class Prune { none, now, after_delay };

struct LeaveIntentOutcome {
  bool rebroadcast = false;
  bool refute = false;            // a leave intent about ourselves while we are running
  bool forced_leave = false;      // failed -> left: emit member-leave
  Prune prune = Prune::none;      // Prune flag set: erase now, or once a leaving node is gone
};

class MemberTable {
 public:
  // memberlist reported the node alive (new, or back from failed/left): always a member-join.
  const Member& on_node_join(Member m, const RecentIntents& intents);
  // memberlist reported the node dead or left: leaving -> left, alive -> failed.
  // Returns the event type, or nullopt when the node is unknown or in another status.
  std::optional<MemberEventType> on_node_leave(const std::string& name, util::Instant now);
  // memberlist reported new meta or address: member-update, unless unknown.
  const Member* on_node_update(const Member& m);

  // Intents, after the caller has witnessed the LTime. Unknown nodes go to `intents`.
  bool on_join_intent(const std::string& name, LamportTime ltime, util::Instant now,
                      RecentIntents& intents);
  LeaveIntentOutcome on_leave_intent(const std::string& name, LamportTime ltime, bool prune,
                                     bool is_self_running, util::Instant now,
                                     RecentIntents& intents);

  // Erases failed members older than reconnect_timeout and left ones older than
  // tombstone_timeout; returns what was erased (for member-reap events).
  std::vector<Member> reap(util::Instant now, util::Duration reconnect_timeout,
                           util::Duration tombstone_timeout);
  std::optional<Member> erase(const std::string& name);

  [[nodiscard]] const MemberState* find(const std::string& name) const;
  [[nodiscard]] const std::map<std::string, MemberState>& all() const { return members_; }
  [[nodiscard]] const std::vector<std::string>& failed() const { return failed_; }
  [[nodiscard]] const std::vector<std::string>& left() const { return left_; }
  [[nodiscard]] bool has_alive_other(const std::string& self) const;

 private:
  static void remove_name(std::vector<std::string>& list, const std::string& name);
  std::map<std::string, MemberState> members_;
  std::vector<std::string> failed_;  // in the order they failed (reconnect picks from it)
  std::vector<std::string> left_;
};

}  // namespace serf
