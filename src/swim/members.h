// The node table of one Core: memberlist's `nodes` slice (the probe order, self included) and
// `nodeMap` (by name). New nodes go to a random position so that failure detection bounds stay
// low on average; the list is reshuffled and old dead nodes reaped when the probe index wraps.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "swim/node.h"
#include "util/rng.h"
#include "util/time.h"

namespace swim {

class Members {
 public:
  [[nodiscard]] Node* find(const std::string& name);
  [[nodiscard]] const Node* find(const std::string& name) const;
  // Inserts at a random position of the probe order; the name must be new.
  Node& add(Node node, util::Rng& rng);
  [[nodiscard]] std::size_t size() const { return order_.size(); }
  [[nodiscard]] Node& at(std::size_t i) { return *order_[i]; }
  [[nodiscard]] const Node& at(std::size_t i) const { return *order_[i]; }
  // By name, for stable listings.
  [[nodiscard]] const std::map<std::string, Node*>& by_name() const { return by_name_; }

  // Removes dead nodes (and left ones when `reap_left`) whose state changed more than
  // `keep_for` before `now`, except `self`, then shuffles the rest. Returns the removed names.
  std::vector<std::string> reset(util::Instant now, util::Duration keep_for, bool reap_left,
                                 const std::string& self, util::Rng& rng);

  // Up to k distinct random nodes for which `skip` is false (memberlist kRandomNodes: at most
  // 3n draws, so small clusters are searched exhaustively in practice).
  std::vector<Node*> k_random(int k, util::Rng& rng, const std::function<bool(const Node&)>& skip);

 private:
  std::vector<std::unique_ptr<Node>> order_;
  std::map<std::string, Node*> by_name_;
};

}  // namespace swim
