// pollen/core/lazy.hpp: lazy(fn), a future that calls fn() on its first poll
// and is Ready with its result.
//
// States:   Unstarted --poll--> Running --fn returned--> Done
//                                  |
//                                  fn threw: stays Running (poisoned)
//
// Output: what fn returns; Unit when fn returns void.
// Cancellation: destroying it before the first poll destroys fn uncalled.
// Contract errors: polling it after Ready, or again after fn threw.
// Polling order: no children; fn runs inside the first poll().
// Example: `auto f = pollen::lazy([] { return compute(); });  // nothing runs yet`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/require.hpp>
#include <pollen/core/describer.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/unit.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
// Calls fn(args...) and returns its result, or Unit when it returns void.
template <class Fn, class... Args,
          typename std::enable_if<std::is_void<invoke_result_t<Fn, Args...>>::value, int>::type = 0>
Unit invoke_to_value(Fn&& fn, Args&&... args) {
  detail::invoke(std::forward<Fn>(fn), std::forward<Args>(args)...);
  return Unit{};
}
template <class Fn, class... Args,
          typename std::enable_if<!std::is_void<invoke_result_t<Fn, Args...>>::value, int>::type = 0>
invoke_result_t<Fn, Args...> invoke_to_value(Fn&& fn, Args&&... args) {
  return detail::invoke(std::forward<Fn>(fn), std::forward<Args>(args)...);
}
template <class Fn, class... Args>
using value_result_t = decltype(invoke_to_value(std::declval<Fn>(), std::declval<Args>()...));
}  // namespace detail

template <class Fn>
class POLLEN_NODISCARD_TYPE Lazy : public FutureExt<Lazy<Fn>> {
 public:
  using Output = detail::value_result_t<Fn&&>;
  enum class State { Unstarted, Running, Done };

  explicit Lazy(Fn fn) : fn_(std::move(fn)) {}
  Lazy(Lazy&& o) noexcept(std::is_nothrow_move_constructible<Fn>::value)
      : fn_(o.fn_.take()), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Unstarted: {
        state_ = State::Running;  // if fn throws, we stay here: poisoned
        Option<Fn> fn = fn_.take();
        Output out = detail::invoke_to_value(std::move(*fn));
        state_ = State::Done;
        return Poll<Output>(std::move(out));
      }
      case State::Running:
        detail::polled_after_throw("Lazy");
      case State::Done:
        break;
    }
    detail::polled_after_ready("Lazy");
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("Lazy", state_ == State::Unstarted ? "state: Unstarted"
                   : state_ == State::Running ? "state: Running (fn threw)"
                                              : "state: Done");
  }

 private:
  Option<Fn> fn_;                      // engaged only in State::Unstarted
  State state_ = State::Unstarted;
};

template <class Fn>
POLLEN_NODISCARD Lazy<typename std::decay<Fn>::type> lazy(Fn&& fn) {
  return Lazy<typename std::decay<Fn>::type>(std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
