// Recent-intent buffer; see intents.h.
#include "serf/intents.h"

#include "serf/limits.h"

namespace serf {

bool RecentIntents::upsert(const std::string& node, IntentType type, LamportTime ltime,
                           util::Instant now) {
  auto it = intents_.find(node);
  if (it != intents_.end()) {
    if (ltime <= it->second.ltime) return false;
    it->second = Intent{type, ltime, now};
    return true;
  }
  if (intents_.size() >= limits::recent_intents_max) {
    ++refused_;
    return false;
  }
  intents_.emplace(node, Intent{type, ltime, now});
  return true;
}

std::optional<LamportTime> RecentIntents::recent(const std::string& node, IntentType type) const {
  auto it = intents_.find(node);
  if (it == intents_.end() || it->second.type != type) return std::nullopt;
  return it->second.ltime;
}

void RecentIntents::reap(util::Instant now, util::Duration timeout) {
  for (auto it = intents_.begin(); it != intents_.end();) {
    if (now - it->second.stored > timeout) {
      it = intents_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace serf
