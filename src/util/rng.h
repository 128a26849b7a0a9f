// Rng: xoshiro256** seeded by splitmix64. Our own, so that a seed gives the same stream on
// every standard library (std distributions differ between them). fork() splits off an
// independent stream, one per node in the simulator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace util {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();
  std::uint32_t next_u32() { return static_cast<std::uint32_t>(next_u64() >> 32); }
  // Uniform in [0, bound); bound 0 gives 0.
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [0, 1).
  double unit();
  bool chance(double p) { return unit() < p; }
  Rng fork();

  template <typename Vec>
  void shuffle(Vec& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(below(i));
      using std::swap;
      swap(v[i - 1], v[j]);
    }
  }

 private:
  std::uint64_t s_[4];
};

}  // namespace util
