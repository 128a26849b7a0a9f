// Vivaldi network coordinates as Serf's coordinate client computes them (gossip-wire.md §9.9):
// 8 dimensions plus height and adjustment, updated from each direct probe's RTT and the peer's
// coordinate found in its ack. Config is Serf's default: VivaldiErrorMax 1.5, CE 0.25,
// CC 0.25, AdjustmentWindowSize 20, HeightMin 1e-5, LatencyFilterSize 3, GravityRho 150.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/rng.h"
#include "util/time.h"
#include "wire/serf_messages.h"

namespace serf {

using Coordinate = wire::serf::Coordinate;

// Estimated RTT between two coordinates: |a - b| + heights, plus adjustments when positive.
util::Duration coordinate_distance(const Coordinate& a, const Coordinate& b);
[[nodiscard]] bool coordinate_valid(const Coordinate& c);

class VivaldiClient {
 public:
  [[nodiscard]] const Coordinate& coordinate() const { return coord_; }
  [[nodiscard]] std::uint64_t resets() const { return resets_; }
  // Rejects invalid coordinates and RTTs outside [0, 10 s] (Serf's texts).
  util::Status update(const std::string& node, const Coordinate& other, util::Duration rtt,
                      util::Rng& rng);
  void forget(const std::string& node) { latency_samples_.erase(node); }

 private:
  double latency_filter(const std::string& node, double rtt_seconds);
  void update_vivaldi(const Coordinate& other, double rtt_seconds, util::Rng& rng);
  void update_adjustment(const Coordinate& other, double rtt_seconds);
  void update_gravity(util::Rng& rng);

  Coordinate coord_{};
  Coordinate origin_{};
  std::map<std::string, std::vector<double>> latency_samples_;
  std::array<double, 20> adjustment_samples_{};
  std::size_t adjustment_index_ = 0;
  std::uint64_t resets_ = 0;
};

}  // namespace serf
