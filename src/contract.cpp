// Raising ContractError, or printing and aborting without exceptions.
#include <pollen/core/contract.hpp>

#include "format.hpp"

#include <cstdio>
#include <cstdlib>

POLLEN_NAMESPACE_BEGIN

ContractError::~ContractError() = default;

namespace detail {

void contract_violation(const std::string& message) {
  std::string full = "pollen: " + message;
#if POLLEN_HAS_EXCEPTIONS
  throw ContractError(full);
#else
  detail::print_stderr("{} (ContractError; built without exceptions, aborting)\n", full);
  std::fflush(stderr);
  std::abort();
#endif
}

void contract_violation(const char* message) { contract_violation(std::string(message)); }

void polled_after_ready(const char* future_name) {
  contract_violation(detail::format(
      "{} polled after it returned Ready; a future is finished once it is Ready (wrap it in "
      "fuse() if you need to poll it again)",
      future_name));
}

void polled_after_throw(const char* future_name) {
  contract_violation(detail::format(
      "{} polled again after its poll threw; a future whose poll threw is finished: destroy it",
      future_name));
}

void internal_error(const char* condition, const char* message, const char* file,
                    int line) noexcept {
  std::fprintf(stderr,
               "pollen internal error: %s\n  check `%s` failed at %s:%d\n"
               "  this is a bug in pollen, not in your program; please report it\n",
               message, condition, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail
POLLEN_NAMESPACE_END
