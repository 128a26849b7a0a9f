// The version shoal reports, and the Serf agent protocol range it speaks.
#pragma once

namespace agent {
inline constexpr const char* shoal_version = "0.1.0";
inline constexpr int agent_protocol_max = 5;
inline constexpr int agent_protocol_min = 2;
}  // namespace agent
