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
// Size: a Map is exactly as big as f when f has a spare value in one of its
// bytes (every library future does) and fn is a lambda without captures:
// the state lives in f's spare values, and fn takes no bytes
// (future/machine.hpp).
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
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/lazy.hpp>  // detail::invoke_to_value
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class MapState : unsigned char { Incomplete, Poisoned, Complete };
}

template <class F, class Fn>
class POLLEN_NODISCARD_TYPE Map
    : public detail::Machine<Map<F, Fn>, detail::MapState, detail::WithFn<F, Fn>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Map<F, Fn>, detail::MapState, detail::WithFn<F, Fn>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Output = detail::value_result_t<Fn&&, output_t<F>&&>;
  using State = detail::MapState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  // f by rvalue reference: building a chain moves each level once, not twice.
  Map(F&& f, Fn fn) : Base(detail::initial, std::move(f), std::move(fn)) {}
  Map(Map&&) = default;  // the moved-from Map is Complete

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Incomplete:
        d.node("Map", "state: Incomplete");
        d.child(running().future);
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
  static const char* name() noexcept { return "Map"; }
  static constexpr State kInitial = State::Incomplete;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Complete;
  static constexpr bool kFinalIsError = true;

  detail::WithFn<F, Fn>& running() noexcept { return this->template get<State::Incomplete>(); }
  const detail::WithFn<F, Fn>& running() const noexcept {
    return this->template get<State::Incomplete>();
  }

  // Called in State::Incomplete (the machine handles the others).
  Poll<Output> resume(Context& cx) {
    Poll<output_t<F>> p = running().future.poll(cx);
    if (p.is_pending()) return pending;
    // Move fn out, destroy f, and be Poisoned while fn runs: if it throws,
    // nothing is left to destroy.
    Fn fn = running().take_fn();
    this->leave(State::Poisoned);
    return Poll<Output>(in_place, detail::invoke_to_value(std::move(fn), std::move(p).value()));
  }
};

namespace detail {
// The one check of map(f, fn) and f.map(fn): f must be a future, and fn
// callable with its output. A failed check is the first error the compiler
// prints, at the call, and the call then yields a NotAFuture, which keeps
// quiet (Rejected, core/future.hpp).
template <class F, class Fn>
struct map_check {
  static constexpr bool future = is_future<F>::value;
  static constexpr bool callable = is_invocable<Fn&&, output_t<F>&&>::value;
  struct errors {
    static_assert(future,
                  "pollen: this type is not a future: a future is a movable type with `using "
                  "Output = T;` and `pollen::Poll<T> poll(pollen::Context&)`");
    static_assert(!future || callable,
                  "pollen: map()'s function cannot be called with the output of the future "
                  "(its parameter must accept output_t<F>: by value, by rvalue or by const "
                  "reference)");
  };
  using type = typename std::conditional<future && callable, Map<F, Fn>, Rejected<errors>>::type;
};
}  // namespace detail

// map(f, fn): Ready with fn(output of f). See the top of this file.
template <class F, class Fn>
POLLEN_NODISCARD typename detail::map_check<F, typename std::decay<Fn>::type>::type map(F f,
                                                                                      Fn&& fn) {
  return detail::build<typename detail::map_check<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
