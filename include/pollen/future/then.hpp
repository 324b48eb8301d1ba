// pollen/future/then.hpp: then(f, fn), run fn on the output of f; when fn
// returns a future, continue with that future.
//
// States:
//
//     First --f Ready--> (f destroyed, fn runs) --> Second --g Ready--> Done
//       |                         |                   |
//       | f.poll threw            | fn threw          | g.poll threw
//       v                         v                   v
//     Poisoned <------------------+-------------------+
//
//   State::First     holds f and fn
//   State::Second    holds g, the future fn returned (f and fn are gone)
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the output was returned, or g was adopted
//                    by the BoxFuture that held this Then, see below)
//
// A Then holds f *or* g, never both: its size is the larger of the two plus
// a tag, as in the enum Rust generates for an async fn, and the tag lives in
// f's spare values when g fits beside them (future/machine.hpp), so a chain
// of thens costs one tag, not one per level. It is futures-rs's
// Flatten<Map<F, Fn>>, written as one machine.
//
// What it does: polls f; when f is Ready with v, destroys f, calls fn(v),
// keeps the future g it returns in f's place, and polls g in the same call.
// When fn returns a value instead of a future, then(f, fn) is map(f, fn) (the
// function returns a Map).
//
// Recursion through boxes: when g is a BoxFuture of this Then's own Output
// and this Then is itself inside a BoxFuture, the outer box adopts g's
// contents in place of this Then (poll_adopting() below, the hook that
// BoxFuture calls). An async loop written as recursion,
//   BoxFuture<int> step(int n) { return boxed(ready(n).then(step)); }
// therefore runs in constant stack and constant work per poll, however many
// steps it takes (KJ does the same for promise chains).
//
// Output: the output of g (or of fn, when fn returns a value).
// Cancellation: destroying it in First destroys f and fn (fn never runs); in
// Second it destroys g. f is destroyed before fn runs and before g is first
// polled.
// Contract errors: polling it after Ready ("Then polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: f until Ready, then g (in the same poll when f is Ready).
// Example:
//   auto f = pollen::then(read_header(), [](Header h) { return read_body(h); });
//   auto g = pollen::ready(1).then([](int x) { return pollen::ready(x + 1); });
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/box_future.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/map.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
template <class F, class Fn>
using then_second_t = remove_cvref_t<invoke_result_t<Fn&&, output_t<F>&&>>;
enum class ThenState : unsigned char { First, Second, Poisoned, Done };
}  // namespace detail

template <class F, class Fn>
class POLLEN_NODISCARD_TYPE Then
    : public detail::Machine<Then<F, Fn>, detail::ThenState, detail::WithFn<F, Fn>,
                             detail::then_second_t<F, Fn>, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Then<F, Fn>, detail::ThenState, detail::WithFn<F, Fn>,
                               detail::then_second_t<F, Fn>, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  // The future fn returns.
  using Second = detail::then_second_t<F, Fn>;
  using Output = output_t<Second>;
  using State = detail::ThenState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  static constexpr bool is_cancel_safe =
      ::pollen::is_cancel_safe<F>::value && ::pollen::is_cancel_safe<Second>::value;

  // f by rvalue reference: building a chain moves each level once, not twice.
  Then(F&& f, Fn fn) : Base(detail::initial, std::move(f), std::move(fn)) {}
  Then(Then&&) = default;  // the moved-from Then is Done

  // The adoption hook BoxFuture calls (see the top of this file and
  // core/box_future.hpp): like poll(), except that once only g is left and g
  // is a BoxFuture<Output>, g is moved into `out` unpolled, this Then becomes
  // Done, and the result is Pending; the box then holds g's contents in
  // place of this Then and polls them.
  Poll<Output> poll_adopting(Context& cx, BoxFuture<Output>& out) {
    return poll_adopting_impl(cx, out, std::is_same<Second, BoxFuture<Output>>());
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::First:
        d.node("Then", "state: First");
        d.child(this->template get<State::First>().future);
        return;
      case State::Second:
        d.node("Then", "state: Second");
        d.child(this->template get<State::Second>());
        return;
      case State::Poisoned:
        d.node("Then", "state: Poisoned");
        return;
      case State::Done:
        d.node("Then", "state: Done");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "Then"; }
  static constexpr State kInitial = State::First;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  // Called in First or Second (the machine handles the others).
  Poll<Output> resume(Context& cx) {
    // f was Ready and g is in place: poll g in this same call.
    if (this->state() == State::First && !poll_first(cx)) return pending;
    return this->template get<State::Second>().poll(cx);
  }

  // In State::First: polls f. When f is Ready, moves to State::Second (f
  // destroyed first, then fn called) and returns true.
  POLLEN_NODISCARD bool poll_first(Context& cx) {
    Poll<output_t<F>> p = this->template get<State::First>().future.poll(cx);
    if (p.is_pending()) return false;
    Fn fn = this->template get<State::First>().take_fn();
    this->leave(State::Poisoned);  // f destroyed; if fn throws, nothing is alive
    this->template enter_result<State::Second>(std::move(fn), std::move(p).value());
    return true;
  }

  Poll<Output> poll_adopting_impl(Context& cx, BoxFuture<Output>&, std::false_type) {
    return this->poll(cx);
  }
  Poll<Output> poll_adopting_impl(Context& cx, BoxFuture<Output>& out, std::true_type) {
    this->begin_poll(cx);
    typename Base::PoisonOnUnwind guard(this);
    if (this->state() == State::First && !poll_first(cx)) {
      guard.dismiss();
      return pending;
    }
    guard.dismiss();
    out = std::move(this->template get<State::Second>());
    this->leave(State::Done);
    return pending;
  }
};

namespace detail {
// The one check of then(f, fn) and f.then(fn): f must be a future and fn
// callable with its output; fn returning a future makes a Then, fn returning
// a value makes a Map. A failed check is the first error the compiler
// prints, at the call (Rejected, core/future.hpp).
template <class F, class Fn, bool Callable, class Failed>
struct then_result {
  using type = Failed;
};
template <class F, class Fn, class Failed>
struct then_result<F, Fn, true, Failed> {
  using type = typename std::conditional<is_future<then_second_t<F, Fn>>::value, Then<F, Fn>,
                                         Map<F, Fn>>::type;
};
template <class F, class Fn>
struct then_check {
  static constexpr bool future = is_future<F>::value;
  static constexpr bool callable = is_invocable<Fn&&, output_t<F>&&>::value;
  struct errors {
    static_assert(future,
                  "pollen: this type is not a future: a future is a movable type with `using "
                  "Output = T;` and `pollen::Poll<T> poll(pollen::Context&)`");
    static_assert(!future || callable,
                  "pollen: then()'s function cannot be called with the output of the future "
                  "(its parameter must accept output_t<F>: by value, by rvalue or by const "
                  "reference)");
  };
  using type = typename then_result<F, Fn, future && callable, Rejected<errors>>::type;
};
}  // namespace detail

// then(f, fn): fn(output of f), continued with the future fn returns. See the
// top of this file.
template <class F, class Fn>
POLLEN_NODISCARD typename detail::then_check<F, typename std::decay<Fn>::type>::type then(F f,
                                                                                        Fn&& fn) {
  return detail::build<typename detail::then_check<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
