// pollen/future/and_then.hpp: f.and_then(fn), for a future f of Result<T, E>:
// on a value, continue with the future fn(value) returns (a future of
// Result<U, E>, the same E); on an error, stop with that error.
//
// States:
//
//     First --f Ready with a value (f destroyed, fn runs)--> Second --g Ready--> Done
//       |  |                                                    |                ^
//       |  +--f Ready with an error (f and fn destroyed)--------|----------------+
//       |                                                       |
//       | f.poll threw, or fn threw                             | g.poll threw
//       v                                                       v
//     Poisoned <------------------------------------------------+
//
//   State::First     holds f and fn
//   State::Second    holds g, the future fn returned (f and fn are gone)
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the output was returned)
//
// Like then (then.hpp), it holds f *or* g, never both, and keeps its state in
// f's spare values when it can (future/machine.hpp). It is futures-rs's
// TryFutureExt::and_then.
//
// What it does: polls f; when f is Ready with a value v, destroys f, calls
// fn(v), keeps the future g it returns and polls g in the same call. When f
// is Ready with an error, f and fn are destroyed and the AndThen is Ready
// with that error, fn never called.
//
// Output: output_t<G>, a Result<U, E>.
// Cancellation: destroying it in First destroys f and fn (fn never runs); in
// Second it destroys g. Cancel-safe when f and g are.
// Contract errors: polling it after Ready ("AndThen polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: f until Ready, then g (in the same poll when f is Ready).
// Example:
//   auto f = open_config(loop).and_then([](Config c) { return fetch(c.url); });
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/result_traits.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
template <class F, class Fn>
using and_then_second_t = remove_cvref_t<invoke_result_t<Fn&&, typename output_t<F>::value_type&&>>;
enum class AndThenState : unsigned char { First, Second, Poisoned, Done };
}  // namespace detail

template <class F, class Fn>
class POLLEN_NODISCARD_TYPE AndThen
    : public detail::Machine<AndThen<F, Fn>, detail::AndThenState, detail::WithFn<F, Fn>,
                             detail::and_then_second_t<F, Fn>, detail::NoPayload,
                             detail::NoPayload> {
  using Base = detail::Machine<AndThen<F, Fn>, detail::AndThenState, detail::WithFn<F, Fn>,
                               detail::and_then_second_t<F, Fn>, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  // The future fn returns.
  using Second = detail::and_then_second_t<F, Fn>;
  using Output = output_t<Second>;
  using State = detail::AndThenState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  static constexpr bool is_cancel_safe =
      ::pollen::is_cancel_safe<F>::value && ::pollen::is_cancel_safe<Second>::value;

  AndThen(F&& f, Fn fn) : Base(detail::initial, std::move(f), std::move(fn)) {}
  AndThen(AndThen&&) = default;  // the moved-from AndThen is Done

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::First:
        d.node("AndThen", "state: First");
        d.child(this->template get<State::First>().future);
        return;
      case State::Second:
        d.node("AndThen", "state: Second");
        d.child(this->template get<State::Second>());
        return;
      case State::Poisoned:
        d.node("AndThen", "state: Poisoned");
        return;
      case State::Done:
        d.node("AndThen", "state: Done");
        return;
    }
  }

 private:
  using Error = typename Output::error_type;

  static const char* name() noexcept { return "AndThen"; }
  static constexpr State kInitial = State::First;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  // Called in First or Second (the machine handles the others).
  Poll<Output> resume(Context& cx) {
    if (this->state() == State::First) {
      Poll<output_t<F>> p = this->template get<State::First>().future.poll(cx);
      if (p.is_pending()) return pending;
      if (p.value().is_err()) {
        this->leave(State::Poisoned);  // f and fn destroyed; Done once returned
        return Poll<Output>(in_place, Err<Error>{std::move(p.value()).error()});
      }
      Fn fn = this->template get<State::First>().take_fn();
      this->leave(State::Poisoned);  // f destroyed; if fn throws, nothing is alive
      this->template enter_result<State::Second>(std::move(fn), std::move(p.value()).value());
    }
    return this->template get<State::Second>().poll(cx);
  }
};

namespace detail {
template <class F, class Fn, bool Callable>
struct and_then_future : std::false_type {};
template <class F, class Fn>
struct and_then_future<F, Fn, true> : is_future<and_then_second_t<F, Fn>> {};
template <class F, class Fn, bool Future>
struct and_then_same_error : std::false_type {};
template <class F, class Fn>
struct and_then_same_error<F, Fn, true>
    : outputs_same_error<and_then_second_t<F, Fn>, typename output_t<F>::error_type> {};

// The one check of f.and_then(fn): f a future of a Result, fn callable with
// its value and returning a future of a Result with the same error type. A
// failed check is the first error the compiler prints, at the call
// (Rejected, core/future.hpp).
template <class F, class Fn>
struct and_then_check {
  static constexpr bool result = outputs_result<F>::value;
  static constexpr bool callable = ok_callable<F, Fn&&>::value;
  static constexpr bool future = and_then_future<F, Fn, result && callable>::value;
  static constexpr bool same_error = and_then_same_error<F, Fn, future>::value;
  struct errors {
    static_assert(result,
                  "pollen: .and_then() needs a future whose output is a pollen::Result (use "
                  ".then() on other futures)");
    static_assert(!result || callable,
                  "pollen: .and_then()'s function cannot be called with the value of the "
                  "future's Result");
    static_assert(!(result && callable) || future,
                  "pollen: .and_then()'s function must return a future (of a pollen::Result); "
                  "use .map_ok() for a function that returns a value");
    static_assert(!future || same_error,
                  "pollen: .and_then()'s function must return a future of a pollen::Result with "
                  "the same error type (convert it with .map_err())");
  };
  using type = typename std::conditional<result && callable && future && same_error,
                                         AndThen<F, Fn>, Rejected<errors>>::type;
};
}  // namespace detail

// and_then(f, fn): see the top of this file; also f.and_then(fn).
template <class F, class Fn>
POLLEN_NODISCARD typename detail::and_then_check<F, typename std::decay<Fn>::type>::type and_then(
    F f, Fn&& fn) {
  return detail::build<typename detail::and_then_check<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
