// A member as memberlist sees it.
#pragma once

#include <cstdint>
#include <string>

#include "swim/address.h"
#include "util/bytes.h"
#include "util/time.h"
#include "wire/messages.h"

namespace swim {

enum class State { alive, suspect, dead, left };

struct Node {
  std::string name;
  Address addr;
  util::Bytes meta;
  wire::Vsn vsn;
  std::uint32_t incarnation = 0;
  State state = State::alive;
  util::Instant state_change{};  // when `state` last changed
};

const char* state_name(State s);

}  // namespace swim
