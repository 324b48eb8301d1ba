// pollen/future/state_helpers.hpp: two small building blocks that every
// combinator's state machine uses.
//
// * FutureAndFn<F, Fn>: a child future and the function to apply to its
//   output, stored together. An empty function object (a lambda without
//   captures) takes no space (it is a base class, not a member).
// * UnwindGuard<C>: calls c->poison() if the scope is left by an exception.
//   A combinator creates one before it polls a child and dismisses it after,
//   so that a child whose poll throws is destroyed at once and the combinator
//   is left Poisoned: safe to destroy, and polling it again is a
//   ContractError. Without exceptions it is never triggered.
//
// The Ready path follows one rule: a move that throws (of an output, of the
// function, of a loop state) leaves the combinator Poisoned, never in a state
// that says the value was delivered (Done) or that waits for it again
// (Running). So the output is moved into a local Poll<Output> while the
// guard is armed, and the final state is entered only after that; the local
// is the only return statement of its function (a small finish() helper), so
// the compiler builds it in the caller's slot (named return value
// optimization) and nothing moves once the state has changed.
#pragma once

#include <pollen/config.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

template <class Fn>
struct can_inherit_fn
    : std::integral_constant<bool, std::is_class<Fn>::value && std::is_empty<Fn>::value
#if __cplusplus >= 201402L
                                       && !std::is_final<Fn>::value
#endif
                             > {
};

template <class F, class Fn, bool = can_inherit_fn<Fn>::value>
struct FutureAndFn : private Fn {
  FutureAndFn(F&& f, Fn&& fn) : Fn(std::move(fn)), future(std::move(f)) {}
  Fn& fn() noexcept { return *this; }
  F future;
};

template <class F, class Fn>
struct FutureAndFn<F, Fn, false> {
  FutureAndFn(F&& f, Fn&& fn) : future(std::move(f)), fn_(std::move(fn)) {}
  Fn& fn() noexcept { return fn_; }
  F future;

 private:
  Fn fn_;
};

template <class C>
class UnwindGuard {
 public:
  explicit UnwindGuard(C* c) noexcept : c_(c) {}
  UnwindGuard(const UnwindGuard&) = delete;
  UnwindGuard& operator=(const UnwindGuard&) = delete;
  ~UnwindGuard() {
    if (c_ != nullptr) c_->poison();
  }
  void dismiss() noexcept { c_ = nullptr; }

 private:
  C* c_;  // null once dismissed
};

}  // namespace detail
POLLEN_NAMESPACE_END
