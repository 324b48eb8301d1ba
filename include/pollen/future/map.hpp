// pollen/future/map.hpp: map(f, fn), a future of fn(output of f).
//
// States:
//
//     Incomplete --f Ready--> (f destroyed, fn runs) --> Complete
//         |                          |
//         | f.poll threw             | fn threw
//         v                          v
//      Poisoned <--------------------+
//
//   State::Incomplete  holds f and fn
//   State::Poisoned    holds nothing (a poll threw; polling again is an error)
//   State::Complete    holds nothing (the output was returned)
//
// What it does: polls f; when f is Ready with v, destroys f, then returns
// Ready(fn(std::move(v))) in the same poll. fn returning void gives Unit.
// This is futures-rs's Map, and the desugaring of `fn(co_await f)`.
//
// Output: the result of fn(output_t<F>), or Unit when fn returns void.
// Cancellation: destroying it while Incomplete destroys f and fn (fn is
// never called). Once f is Ready, f is destroyed before fn runs, and fn is
// destroyed right after it returns.
// Contract errors: polling it after Ready ("Map polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: one child, f.
// Example:
//   auto f = pollen::map(pollen::ready(20), [](int x) { return x + 1; });
//   auto g = pollen::ready(20).map([](int x) { return x * 2; });  // chained
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/lazy.hpp>  // detail::invoke_to_value
#include <pollen/core/type_traits.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>

#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F, class Fn>
class POLLEN_NODISCARD_TYPE Map : public FutureExt<Map<F, Fn>> {
  POLLEN_REQUIRE_FUTURE(F);
  static_assert(detail::is_invocable<Fn&&, output_t<F>&&>::value,
                "pollen: map()'s function cannot be called with the output of the future");

 public:
  using Output = detail::value_result_t<Fn&&, output_t<F>&&>;
  enum class State : unsigned char { Incomplete, Poisoned, Complete };
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  // f by rvalue reference: building a chain moves each level once, not twice.
  Map(F&& f, Fn fn) : state_(State::Incomplete) {
    ::new (static_cast<void*>(&u_.incomplete)) Running(std::move(f), std::move(fn));
  }
  // Moving takes the state: the moved-from Map is Complete.
  Map(Map&& o) noexcept(std::is_nothrow_move_constructible<F>::value &&
                        std::is_nothrow_move_constructible<Fn>::value)
      : state_(o.state_) {
    if (state_ == State::Incomplete) {
      ::new (static_cast<void*>(&u_.incomplete))
          Running(std::move(o.u_.incomplete.future), std::move(o.u_.incomplete.fn()));
      o.leave(State::Complete);
    }
  }
  Map& operator=(Map&&) = delete;
  ~Map() { leave(State::Complete); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Incomplete:
        break;
      case State::Poisoned:
        detail::polled_after_throw("Map");
      case State::Complete:
        detail::polled_after_ready("Map");
    }
    detail::UnwindGuard<Map> guard(this);
    Poll<output_t<F>> p = u_.incomplete.future.poll(cx);
    guard.dismiss();
    if (p.is_pending()) return pending;
    return complete(p);
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Incomplete:
        d.node("Map", "state: Incomplete");
        d.child(u_.incomplete.future);
        return;
      case State::Poisoned:
        d.node("Map", "state: Poisoned");
        return;
      case State::Complete:
        d.node("Map", "state: Complete");
        return;
    }
  }

 private:
  friend class detail::UnwindGuard<Map>;
  using Running = detail::FutureAndFn<F, Fn>;

  // f was Ready with `p`: moves fn out, destroys f, and is Poisoned while fn
  // runs and its result moves into the returned Poll; only then Complete. A
  // throw anywhere here (moving fn, the value or the result, or fn itself)
  // leaves nothing alive (state_helpers.hpp).
  Poll<Output> complete(Poll<output_t<F>>& p) {
    detail::UnwindGuard<Map> guard(this);
    Fn fn(std::move(u_.incomplete.fn()));
    guard.dismiss();
    leave(State::Poisoned);
    Poll<Output> out(detail::invoke_to_value(std::move(fn), std::move(p).value()));
    state_ = State::Complete;
    return out;
  }

  // Destroys what the current state holds and enters `next`.
  void leave(State next) noexcept {
    if (state_ == State::Incomplete) u_.incomplete.~Running();
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    Running incomplete;  // valid in State::Incomplete
  } u_;
  State state_;
};

namespace detail {
template <class F, class Fn, bool = is_future<F>::value>
struct map_type {
  using type = NotAFuture;
};
template <class F, class Fn>
struct map_type<F, Fn, true> {
  using type = Map<F, Fn>;
};
template <class R, class F, class Fn>
R make_combinator(F&& f, Fn&& fn, std::true_type) {
  return R(std::move(f), std::forward<Fn>(fn));
}
template <class R, class F, class Fn>
R make_combinator(F&&, Fn&&, std::false_type) {
  return R{};
}
}  // namespace detail

// map(f, fn): Ready with fn(output of f). See the top of this file.
template <class F, class Fn>
POLLEN_NODISCARD typename detail::map_type<F, typename std::decay<Fn>::type>::type map(F f,
                                                                                      Fn&& fn) {
  POLLEN_REQUIRE_FUTURE(F);
  return detail::make_combinator<
      typename detail::map_type<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn), is_future<F>());
}

POLLEN_NAMESPACE_END
