// The debug-build warning select() prints when it drops an arm that is not
// cancel safe.
#include <pollen/core/cancel_safe.hpp>

#include "format.hpp"

#include <cstdio>

POLLEN_NAMESPACE_BEGIN
namespace detail {

void warn_cancel_unsafe_drop(const char* combinator, std::size_t arm,
                             const char* future_name) noexcept {
  print_stderr(
      "pollen warning: {} dropped its arm {} ({}) while it was pending, and that future "
      "is not cancel safe: what it was doing is lost. Use a cancel-safe form (e.g. "
      "reserve() before send) or keep the future alive across iterations.\n",
      combinator, arm, future_name);
  std::fflush(stderr);
}

}  // namespace detail
POLLEN_NAMESPACE_END
