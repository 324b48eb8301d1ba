// pollen/core/require.hpp: POLLEN_REQUIRE and POLLEN_ASSERT, the checks of
// contract.hpp without the ContractError class, for headers that raise
// ContractError but need not define it (no <stdexcept>, no <string>: the
// raising functions live in the library). Catching ContractError needs
// <pollen/core/contract.hpp>.
#pragma once

#include <pollen/config.hpp>

#include <iosfwd>  // std::string, declared only

POLLEN_NAMESPACE_BEGIN

namespace detail {

// Raises ContractError("pollen: " + message), or prints it and aborts when
// built without exceptions. Never returns.
[[noreturn]] void contract_violation(const char* message);
[[noreturn]] void contract_violation(const std::string& message);

// The ContractError for polling `future_name` after it returned Ready.
[[noreturn]] void polled_after_ready(const char* future_name);
// The ContractError for polling `future_name` again after its poll threw.
[[noreturn]] void polled_after_throw(const char* future_name);

// Reports a broken internal invariant and aborts. Never returns.
[[noreturn]] void internal_error(const char* condition, const char* message, const char* file,
                                 int line) noexcept;

}  // namespace detail

POLLEN_NAMESPACE_END

// Checks one of pollen's own invariants (not the caller's): a failure is a bug
// in pollen and aborts with the condition, the message and the location.
#define POLLEN_ASSERT(cond, msg)                                                 \
  do {                                                                           \
    if (POLLEN_UNLIKELY(!(cond))) {                                              \
      ::pollen::detail::internal_error(#cond, (msg), __FILE__, __LINE__);        \
    }                                                                            \
  } while (0)

// Checks a rule the caller must follow: a failure raises ContractError.
#define POLLEN_REQUIRE(cond, msg)                                                \
  do {                                                                           \
    if (POLLEN_UNLIKELY(!(cond))) {                                              \
      ::pollen::detail::contract_violation(msg);                                 \
    }                                                                            \
  } while (0)
