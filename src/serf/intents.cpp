// Recent-intent buffer; see intents.h.
#include "serf/intents.h"

namespace serf {

bool RecentIntents::upsert(const std::string& node, IntentType type, LamportTime ltime,
                           util::Instant now) {
  auto it = intents_.find(node);
  if (it != intents_.end() && ltime <= it->second.ltime) return false;
  intents_[node] = Intent{type, ltime, now};
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
