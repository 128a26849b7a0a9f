// Serf member statuses; see member_table.h.
#include "serf/member_table.h"

#include <algorithm>

namespace serf {

void MemberTable::remove_name(std::vector<std::string>& list, const std::string& name) {
  list.erase(std::remove(list.begin(), list.end(), name), list.end());
}

const Member& MemberTable::on_node_join(Member m, const RecentIntents& intents) {
  auto it = members_.find(m.name);
  if (it == members_.end()) {
    MemberState st;
    st.member = std::move(m);
    st.member.status = MemberStatus::alive;
    // The buffer holds one intent per node, so at most one of these applies.
    if (auto join = intents.recent(st.member.name, IntentType::join)) st.status_ltime = *join;
    if (auto leave = intents.recent(st.member.name, IntentType::leave)) {
      st.member.status = MemberStatus::leaving;
      st.status_ltime = *leave;
    }
    const std::string name = st.member.name;
    return members_.emplace(name, std::move(st)).first->second.member;
  }
  MemberState& st = it->second;
  const MemberStatus old = st.member.status;
  st.member = std::move(m);  // address, port, tags and versions as memberlist reports them
  st.member.status = MemberStatus::alive;
  st.leave_time = {};
  if (old == MemberStatus::failed || old == MemberStatus::left) {
    remove_name(failed_, st.member.name);
    remove_name(left_, st.member.name);
  }
  return st.member;
}

std::optional<MemberEventType> MemberTable::on_node_leave(const std::string& name,
                                                          util::Instant now) {
  auto it = members_.find(name);
  if (it == members_.end()) return std::nullopt;
  MemberState& st = it->second;
  switch (st.member.status) {
    case MemberStatus::leaving:
      st.member.status = MemberStatus::left;
      st.leave_time = now;
      left_.push_back(name);
      return MemberEventType::leave;
    case MemberStatus::alive:
      st.member.status = MemberStatus::failed;
      st.leave_time = now;
      failed_.push_back(name);
      return MemberEventType::failed;
    default:
      return std::nullopt;
  }
}

const Member* MemberTable::on_node_update(const Member& m) {
  auto it = members_.find(m.name);
  if (it == members_.end()) return nullptr;
  Member& cur = it->second.member;
  const MemberStatus status = cur.status;
  cur = m;
  cur.status = status;
  return &cur;
}

bool MemberTable::on_join_intent(const std::string& name, LamportTime ltime, util::Instant now,
                                 RecentIntents& intents) {
  auto it = members_.find(name);
  if (it == members_.end()) return intents.upsert(name, IntentType::join, ltime, now);
  MemberState& st = it->second;
  if (ltime <= st.status_ltime) return false;
  st.status_ltime = ltime;
  // A leave intent older than this join is void.
  if (st.member.status == MemberStatus::leaving) st.member.status = MemberStatus::alive;
  return true;
}

LeaveIntentOutcome MemberTable::on_leave_intent(const std::string& name, LamportTime ltime,
                                                bool prune, bool is_self_running,
                                                util::Instant now, RecentIntents& intents) {
  LeaveIntentOutcome out;
  auto it = members_.find(name);
  if (it == members_.end()) {
    out.rebroadcast = intents.upsert(name, IntentType::leave, ltime, now);
    return out;
  }
  MemberState& st = it->second;
  if (ltime <= st.status_ltime) return out;
  if (is_self_running) {
    out.refute = true;
    return out;
  }
  // Recorded even when the status does not change, so that a repeated leave intent is not
  // re-broadcast forever (hashicorp/consul#8179).
  st.status_ltime = ltime;
  switch (st.member.status) {
    case MemberStatus::alive:
      st.member.status = MemberStatus::leaving;
      out.rebroadcast = true;
      if (prune) out.prune = Prune::after_delay;
      return out;
    case MemberStatus::failed:
      st.member.status = MemberStatus::left;
      remove_name(failed_, name);
      left_.push_back(name);
      out.rebroadcast = true;
      out.forced_leave = true;
      if (prune) out.prune = Prune::now;
      return out;
    case MemberStatus::leaving:
      out.rebroadcast = true;
      if (prune) out.prune = Prune::after_delay;
      return out;
    case MemberStatus::left:
      out.rebroadcast = true;
      if (prune) out.prune = Prune::now;
      return out;
    default:
      return out;
  }
}

std::vector<Member> MemberTable::reap(util::Instant now, util::Duration reconnect_timeout,
                                      util::Duration tombstone_timeout) {
  std::vector<Member> reaped;
  auto sweep = [&](std::vector<std::string>& list, util::Duration timeout) {
    std::vector<std::string> keep;
    for (const auto& name : list) {
      auto it = members_.find(name);
      if (it == members_.end()) continue;
      if (now - it->second.leave_time <= timeout) {
        keep.push_back(name);
        continue;
      }
      reaped.push_back(it->second.member);
      members_.erase(it);
    }
    list = std::move(keep);
  };
  sweep(failed_, reconnect_timeout);
  sweep(left_, tombstone_timeout);
  return reaped;
}

std::optional<Member> MemberTable::erase(const std::string& name) {
  auto it = members_.find(name);
  if (it == members_.end()) return std::nullopt;
  Member m = std::move(it->second.member);
  members_.erase(it);
  remove_name(failed_, name);
  remove_name(left_, name);
  return m;
}

const MemberState* MemberTable::find(const std::string& name) const {
  auto it = members_.find(name);
  return it == members_.end() ? nullptr : &it->second;
}

bool MemberTable::has_alive_other(const std::string& self) const {
  return std::any_of(members_.begin(), members_.end(), [&](const auto& kv) {
    return kv.first != self && kv.second.member.status == MemberStatus::alive;
  });
}

}  // namespace serf
