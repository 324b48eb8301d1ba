// pollen/core/contract.hpp: the two kinds of failure.
//
// * ContractError: the caller broke a rule (polled a future after it returned
//   Ready, read the value of a Pending Poll, polled an empty BoxFuture, ...).
//   The message says what happened and what to do instead. Without
//   exceptions, the message goes to stderr and the process aborts.
// * POLLEN_ASSERT: pollen broke one of its own invariants. Always on, always
//   aborts with "pollen internal error", never thrown: there is nothing the
//   caller could do about it.
//
// The raising functions live in src/ so that no header needs <string>
// formatting machinery or fmt.
#pragma once

#include <pollen/config.hpp>

#include <stdexcept>
#include <string>

POLLEN_NAMESPACE_BEGIN

// A misuse of pollen by its caller. Thrown only by contract_violation().
class ContractError : public std::logic_error {
 public:
  explicit ContractError(const std::string& what) : std::logic_error(what) {}
  explicit ContractError(const char* what) : std::logic_error(what) {}
  ContractError(const ContractError&) = default;
  ContractError& operator=(const ContractError&) = default;
  // Defined in the library, which then holds the one copy of the vtable.
  ~ContractError() override;
};

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
