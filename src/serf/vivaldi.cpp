// Vivaldi coordinates; see vivaldi.h. Follows hashicorp/serf coordinate/client.go.
#include "serf/vivaldi.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace serf {

namespace {
constexpr double error_max = 1.5;
constexpr double vivaldi_ce = 0.25;
constexpr double vivaldi_cc = 0.25;
constexpr double height_min = 1.0e-5;
constexpr std::size_t latency_filter_size = 3;
constexpr double gravity_rho = 150.0;
constexpr double zero_threshold = 1.0e-6;
constexpr std::size_t dims = wire::serf::coordinate_dimensions;

using Vec = std::array<double, dims>;

double magnitude(const Vec& v) {
  double sum = 0;
  for (double x : v) sum += x * x;
  return std::sqrt(sum);
}

double raw_distance(const Coordinate& a, const Coordinate& b) {
  Vec d{};
  for (std::size_t i = 0; i < dims; ++i) d[i] = a.vec[i] - b.vec[i];
  return magnitude(d) + a.height + b.height;
}

double distance_seconds(const Coordinate& a, const Coordinate& b) {
  const double dist = raw_distance(a, b);
  const double adjusted = dist + a.adjustment + b.adjustment;
  return adjusted > 0.0 ? adjusted : dist;
}

// Unit vector from b towards a and the distance between them; a random direction when they
// coincide (magnitude reported as 0 then).
std::pair<Vec, double> unit_vector_at(const Vec& a, const Vec& b, util::Rng& rng) {
  Vec d{};
  for (std::size_t i = 0; i < dims; ++i) d[i] = a[i] - b[i];
  if (const double mag = magnitude(d); mag > zero_threshold) {
    for (double& x : d) x /= mag;
    return {d, mag};
  }
  for (double& x : d) x = rng.unit() - 0.5;
  if (const double mag = magnitude(d); mag > zero_threshold) {
    for (double& x : d) x /= mag;
    return {d, 0.0};
  }
  Vec unit{};
  unit[0] = 1.0;
  return {unit, 0.0};
}

Coordinate apply_force(const Coordinate& c, double force, const Coordinate& other,
                       util::Rng& rng) {
  Coordinate ret = c;
  auto [unit, mag] = unit_vector_at(c.vec, other.vec, rng);
  for (std::size_t i = 0; i < dims; ++i) ret.vec[i] += unit[i] * force;
  if (mag > zero_threshold) {
    ret.height = (ret.height + other.height) * force / mag + ret.height;
    ret.height = std::max(ret.height, height_min);
  }
  return ret;
}
}  // namespace

util::Duration coordinate_distance(const Coordinate& a, const Coordinate& b) {
  return util::Duration(static_cast<std::int64_t>(distance_seconds(a, b) * 1e6));
}

bool coordinate_valid(const Coordinate& c) {
  auto ok = [](double f) { return std::isfinite(f); };
  return std::all_of(c.vec.begin(), c.vec.end(), ok) && ok(c.error) && ok(c.adjustment) &&
         ok(c.height);
}

double VivaldiClient::latency_filter(const std::string& node, double rtt_seconds) {
  auto& samples = latency_samples_[node];
  samples.push_back(rtt_seconds);
  if (samples.size() > latency_filter_size) samples.erase(samples.begin());
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

void VivaldiClient::update_vivaldi(const Coordinate& other, double rtt_seconds, util::Rng& rng) {
  const double dist = distance_seconds(coord_, other);
  rtt_seconds = std::max(rtt_seconds, zero_threshold);
  const double wrongness = std::abs(dist - rtt_seconds) / rtt_seconds;
  const double total_error = std::max(coord_.error + other.error, zero_threshold);
  const double weight = coord_.error / total_error;
  coord_.error = vivaldi_ce * weight * wrongness + coord_.error * (1.0 - vivaldi_ce * weight);
  coord_.error = std::min(coord_.error, error_max);
  const double force = vivaldi_cc * weight * (rtt_seconds - dist);
  coord_ = apply_force(coord_, force, other, rng);
}

void VivaldiClient::update_adjustment(const Coordinate& other, double rtt_seconds) {
  adjustment_samples_[adjustment_index_] = rtt_seconds - raw_distance(coord_, other);
  adjustment_index_ = (adjustment_index_ + 1) % adjustment_samples_.size();
  double sum = 0;
  for (double s : adjustment_samples_) sum += s;
  coord_.adjustment = sum / (2.0 * static_cast<double>(adjustment_samples_.size()));
}

void VivaldiClient::update_gravity(util::Rng& rng) {
  const double dist = distance_seconds(origin_, coord_);
  const double force = -1.0 * std::pow(dist / gravity_rho, 2.0);
  coord_ = apply_force(coord_, force, origin_, rng);
}

util::Status VivaldiClient::update(const std::string& node, const Coordinate& other,
                                   util::Duration rtt, util::Rng& rng) {
  if (!coordinate_valid(other)) return {util::Errc::malformed, "coordinate is invalid"};
  if (rtt < util::Duration::zero() || rtt > std::chrono::seconds(10)) {
    return {util::Errc::invalid_argument,
            fmt::format("round trip time not in valid range, duration {}us is not a positive "
                        "value less than 10s",
                        rtt.count())};
  }
  const double rtt_seconds = latency_filter(node, static_cast<double>(rtt.count()) / 1e6);
  update_vivaldi(other, rtt_seconds, rng);
  update_adjustment(other, rtt_seconds);
  update_gravity(rng);
  if (!coordinate_valid(coord_)) {
    ++resets_;
    coord_ = Coordinate{};
  }
  return {};
}

}  // namespace serf
