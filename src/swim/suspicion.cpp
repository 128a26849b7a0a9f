// See suspicion.h.
#include "swim/suspicion.h"

#include "swim/formulas.h"

namespace swim {

Suspicion::Suspicion(const std::string& from, int k, util::Duration min, util::Duration max,
                     util::Instant start)
    : k_(k), min_(min), max_(max), timeout_(k < 1 ? min : max), start_(start) {
  seen_.insert(from);
}

bool Suspicion::confirm(const std::string& from) {
  if (n_ >= k_) return false;
  if (!seen_.insert(from).second) return false;
  ++n_;
  // remaining_suspicion_time measured from the start is the new total timeout.
  timeout_ = remaining_suspicion_time(n_, k_, util::Duration::zero(), min_, max_);
  return true;
}

}  // namespace swim
