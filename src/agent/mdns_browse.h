// The browsing half of serf's mDNS discovery, pure: the query serf's poll sends and the
// assembly of answers into service entries, as hashicorp/mdns's client.query does.
//
// Within one poll, records are filed by owner name: PTR creates the entry it points to, SRV
// gives the port and, when its target differs from its owner, makes the target an alias of the
// entry (so A/AAAA records owned by the host fill the instance's address), TXT marks the entry
// as having its text, A/AAAA give the address (the last one seen wins, as serf reads Addr).
// After each message the last entry touched is checked: complete (address, port, TXT) it is
// reported once; incomplete, it gets a follow-up question.
//
// Differences from the Go client, on purpose: only responses are read (a query's known answers
// are not news), only entries named below our service are reported (the Go client would report
// any service it overhears, a printer's included), names match without regard to case, the
// follow-up asks ANY at the instance (which hashicorp/mdns answers; its PTR is never answered)
// once per entry and poll, and the number of entries per poll is capped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/limits.h"
#include "agent/mdns_message.h"
#include "util/bytes.h"

namespace agent::mdns {

struct Found {
  Name instance{};
  util::Bytes ip{};  // 4 or 16 bytes
  std::uint16_t port = 0;
};

// A multicast query: one question, id 0, RD clear, class IN without the QU bit.
Message question_message(const Name& name, std::uint16_t type);

class Browse {
 public:
  // service: the full service name, e.g. _serf_c._tcp.local.
  explicit Browse(Name service) : service_(std::move(service)) {}

  // Forget the previous poll's entries.
  void reset();

  struct Step {
    std::vector<Found> found;       // complete entries reported for the first time
    std::vector<Name> follow_ups;   // instances to ask ANY about
  };
  Step on_message(const Message& m);

  [[nodiscard]] const Name& service() const { return service_; }

 private:
  struct Entry {
    Name name{};
    util::Bytes ip{};
    std::uint16_t port = 0;
    bool has_txt = false;
    bool reported = false;
    bool followed_up = false;
  };
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  // Index of the entry for `name`, created if new; `none` once the cap is reached.
  std::size_t ensure(const Name& name);
  // Files one record; returns the entry it touched or `none`.
  std::size_t file(const Record& rec);

  Name service_;
  std::vector<Entry> entries_;
  std::map<std::string, std::size_t> by_name_;  // lower-cased dotted name -> entries_ index
};

// The "ip:port" addresses discovery has handed to the agent to join, so that each is joined
// once. Bounded by limits::mdns_seen_max: a batch that would pass it starts the memory afresh.
class JoinedAddresses {
 public:
  [[nodiscard]] bool contains(const std::string& address) const { return seen_.count(address) != 0; }
  void add(const std::vector<std::string>& batch);
  [[nodiscard]] std::size_t size() const { return seen_.size(); }

 private:
  std::set<std::string> seen_;
};

}  // namespace agent::mdns
