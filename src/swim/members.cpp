// See members.h.
#include "swim/members.h"

#include <algorithm>

#include "util/assert.h"

namespace swim {

const char* state_name(State s) {
  switch (s) {
    case State::alive: return "alive";
    case State::suspect: return "suspect";
    case State::dead: return "dead";
    case State::left: return "left";
  }
  return "unknown";
}

Node* Members::find(const std::string& name) {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const Node* Members::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

Node& Members::add(Node node, util::Rng& rng) {
  ASSERT(by_name_.count(node.name) == 0);
  const std::size_t n = order_.size();
  const auto offset = static_cast<std::size_t>(rng.below(n));
  order_.push_back(std::make_unique<Node>(std::move(node)));
  if (n > 0) std::swap(order_[offset], order_[n]);
  Node& added = *order_[n > 0 ? offset : 0];
  by_name_[added.name] = &added;
  return added;
}

std::vector<std::string> Members::reset(util::Instant now, util::Duration keep_for,
                                        bool reap_left, const std::string& self,
                                        util::Rng& rng) {
  std::vector<std::string> removed;
  auto reap = [&](const std::unique_ptr<Node>& n) {
    const bool gone = n->state == State::dead || (reap_left && n->state == State::left);
    return gone && n->name != self && now - n->state_change > keep_for;
  };
  for (const auto& n : order_) {
    if (reap(n)) removed.push_back(n->name);
  }
  for (const auto& name : removed) by_name_.erase(name);
  // One pass (keeping the order of the rest): many reaped at once must not cost n^2.
  auto gone = [&](const std::unique_ptr<Node>& n) { return by_name_.count(n->name) == 0; };
  order_.erase(std::remove_if(order_.begin(), order_.end(), gone), order_.end());
  rng.shuffle(order_);
  return removed;
}

std::vector<Node*> Members::k_random(int k, util::Rng& rng,
                                     const std::function<bool(const Node&)>& skip) {
  std::vector<Node*> out;
  const std::size_t n = order_.size();
  for (std::size_t i = 0; i < 3 * n && out.size() < static_cast<std::size_t>(std::max(k, 0)); ++i) {
    Node* node = order_[static_cast<std::size_t>(rng.below(n))].get();
    if (skip(*node)) continue;
    if (std::find(out.begin(), out.end(), node) != out.end()) continue;
    out.push_back(node);
  }
  return out;
}

}  // namespace swim
