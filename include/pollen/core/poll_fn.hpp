// pollen/core/poll_fn.hpp: poll_fn(fn), a future whose poll() is fn(cx).
//
// States:   Polling --fn returned Ready--> Done
//              ^  |
//              +--+ fn returned Pending
//           (fn threw: Poisoned)
//
// fn has the signature `pollen::Poll<T>(pollen::Context&)`. It follows the
// protocol itself: before returning Pending it arranges for cx.waker() to be
// woken.
//
// Output: T.
// Cancellation: destroying it destroys fn.
// Contract errors: polling it after Ready, or again after fn threw. A
// moved-from PollFn is Done: polling it is the "after Ready" error.
// Polling order: fn runs inside every poll() until it is Ready.
// Example:
//   int n = 0;
//   auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
//     if (++n == 3) return n;
//     cx.waker().wake();
//     return pollen::pending;
//   });
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/require.hpp>
#include <pollen/core/describer.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/type_traits.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
template <class P>
struct poll_value;
template <class T>
struct poll_value<Poll<T>> {
  using type = T;
};
}  // namespace detail

template <class Fn>
class POLLEN_NODISCARD_TYPE PollFn : public FutureExt<PollFn<Fn>> {
  static_assert(detail::is_invocable<Fn&, Context&>::value,
                "pollen: poll_fn needs a function `pollen::Poll<T>(pollen::Context&)`");

 public:
  using Output =
      typename detail::poll_value<detail::remove_cvref_t<detail::invoke_result_t<Fn&, Context&>>>::type;
  enum class State { Polling, Poisoned, Done };

  explicit PollFn(Fn fn) : fn_(std::move(fn)) {}
  // Moving takes the state: the moved-from PollFn is Done (its fn, moved
  // from, is never called).
  PollFn(PollFn&& o) noexcept(std::is_nothrow_move_constructible<Fn>::value)
      : fn_(std::move(o.fn_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("PollFn");
    if (state_ == State::Poisoned) detail::polled_after_throw("PollFn");
    state_ = State::Poisoned;  // stays so only if fn throws
    Poll<Output> p = detail::invoke(fn_, cx);
    state_ = p.is_ready() ? State::Done : State::Polling;
    return p;
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("PollFn", state_ == State::Polling    ? "state: Polling"
                     : state_ == State::Poisoned ? "state: Poisoned (fn threw)"
                                                 : "state: Done");
  }

 private:
  Fn fn_;
  State state_ = State::Polling;
};

template <class Fn>
POLLEN_NODISCARD PollFn<typename std::decay<Fn>::type> poll_fn(Fn&& fn) {
  return PollFn<typename std::decay<Fn>::type>(std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
