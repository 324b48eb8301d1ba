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
// formatting machinery or fmt; core/require.hpp has the checks without this
// class, for headers that need no <stdexcept>.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/require.hpp>  // POLLEN_REQUIRE, POLLEN_ASSERT, contract_violation

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

POLLEN_NAMESPACE_END
