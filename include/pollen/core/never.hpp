// pollen/core/never.hpp: never<T>(), a future that is never Ready.
//
// States:   Waiting (forever)
//
// It never keeps the waker, so nothing ever wakes the task for it: it is the
// losing arm of a select, the "no deadline" of a timeout, the future a test
// uses to prove that something else wins.
//
// (The name: `pollen::pending` is the tag poll() returns, so the future
// cannot also be called `pending<T>()`; C++ forbids a variable and a function
// template of the same name. See docs/design.md.)
//
// Output: T (never produced).
// Cancellation: nothing to cancel; destroying it is free.
// Contract errors: none.
// Polling order: no children.
// Example: `auto s = pollen::select(pollen::ready(1), pollen::never<int>());`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describer.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/unit.hpp>

POLLEN_NAMESPACE_BEGIN

template <class T>
class POLLEN_NODISCARD_TYPE Never : public FutureExt<Never<T>> {
 public:
  using Output = T;
  enum class State { Waiting };

  Poll<T> poll(Context& cx) noexcept {
    detail::observe_poll(cx, this);
    return pending;
  }
  State state() const noexcept { return State::Waiting; }
  void describe(Describer& d) const { d.node("Never", "never ready"); }
};

// Not marked POLLEN_NODISCARD: gcc 12's warn_unused_result misfires on
// functions that return an empty class, even when the result is used.
template <class T = Unit>
Never<T> never() noexcept {
  return Never<T>();
}

POLLEN_NAMESPACE_END
