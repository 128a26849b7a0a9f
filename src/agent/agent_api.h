// What the RPC server asks of the running agent. The Agent implements it; tests can fake it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rpc/messages.h"
#include "runtime/logger.h"
#include "serf/node.h"
#include "util/result.h"

namespace agent {

class AgentApi {
 public:
  using EventListener = std::function<void(const serf::Event&)>;
  virtual ~AgentApi() = default;

  // Resolves and joins; `done(number joined, error text or "")`.
  virtual void join(std::vector<std::string> addresses, bool replay,
                    std::function<void(int, std::string)> done) = 0;
  // Graceful leave; the agent exits afterwards. `done` runs once the leave is complete.
  virtual void leave(std::function<void()> done) = 0;
  virtual util::Status force_leave(const std::string& node, bool prune) = 0;
  virtual util::Status update_tags(const rpc::StringMap& set,
                                   const std::vector<std::string>& remove) = 0;
  virtual util::Status user_event(const std::string& name, util::ByteView payload,
                                  bool coalesce) = 0;
  [[nodiscard]] virtual std::vector<serf::Member> members() const = 0;
  [[nodiscard]] virtual rpc::StatsResponse stats() const = 0;
  [[nodiscard]] virtual const std::string& rpc_auth() const = 0;
  virtual runtime::AgentLogger& logger() = 0;

  virtual std::uint64_t subscribe(EventListener listener) = 0;
  virtual void unsubscribe(std::uint64_t id) = 0;
};

rpc::Member to_rpc_member(const serf::Member& m);

}  // namespace agent
