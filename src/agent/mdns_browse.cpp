// Browsing for serf's mDNS service: see mdns_browse.h.
#include "agent/mdns_browse.h"

namespace agent::mdns {

namespace {

std::string key_of(const Name& name) {
  std::string key = to_string(name);
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return key;
}

}  // namespace

Message question_message(const Name& name, std::uint16_t type) {
  Message m;
  m.questions.push_back(Question{name, type, class_in});
  return m;
}

void Browse::reset() {
  entries_.clear();
  by_name_.clear();
}

std::size_t Browse::ensure(const Name& name) {
  const std::string key = key_of(name);
  if (auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  if (entries_.size() >= limits::mdns_browse_entries_max) return none;
  entries_.push_back(Entry{.name = name});
  by_name_.emplace(key, entries_.size() - 1);
  return entries_.size() - 1;
}

std::size_t Browse::file(const Record& rec) {
  switch (rec.type) {
    case rrtype::ptr:
      return ensure(rec.target);
    case rrtype::srv: {
      const std::size_t i = ensure(rec.name);
      if (i == none) return none;
      if (!same_name(rec.target, rec.name)) by_name_[key_of(rec.target)] = i;
      entries_[i].port = rec.port;
      return i;
    }
    case rrtype::txt: {
      const std::size_t i = ensure(rec.name);
      if (i != none) entries_[i].has_txt = true;
      return i;
    }
    case rrtype::a:
    case rrtype::aaaa: {
      const std::size_t i = ensure(rec.name);
      if (i != none) entries_[i].ip = rec.address;
      return i;
    }
    default:
      return none;
  }
}

Browse::Step Browse::on_message(const Message& m) {
  Step step;
  if (!m.response) return step;
  std::size_t last = none;
  for (auto* section : {&m.answers, &m.additionals})
    for (auto& rec : *section)
      if (auto i = file(rec); i != none) last = i;
  if (last == none) return step;
  Entry& e = entries_[last];
  if (!is_below(e.name, service_)) return step;
  const bool complete = !e.ip.empty() && e.port != 0 && e.has_txt;
  if (complete && !e.reported) {
    e.reported = true;
    step.found.push_back(Found{e.name, e.ip, e.port});
  } else if (!complete && !e.followed_up) {
    e.followed_up = true;
    step.follow_ups.push_back(e.name);
  }
  return step;
}

void JoinedAddresses::add(const std::vector<std::string>& batch) {
  if (seen_.size() + batch.size() > limits::mdns_seen_max) seen_.clear();
  seen_.insert(batch.begin(), batch.end());
}

}  // namespace agent::mdns
