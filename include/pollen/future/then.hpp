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
// a tag, as in the enum Rust generates for an async fn. It is futures-rs's
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
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/map.hpp>
#include <pollen/future/state_helpers.hpp>

#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
template <class F, class Fn>
using then_second_t = remove_cvref_t<invoke_result_t<Fn&&, output_t<F>&&>>;
}  // namespace detail

template <class F, class Fn>
class POLLEN_NODISCARD_TYPE Then : public FutureExt<Then<F, Fn>> {
  POLLEN_REQUIRE_FUTURE(F);
  static_assert(detail::is_invocable<Fn&&, output_t<F>&&>::value,
                "pollen: then()'s function cannot be called with the output of the future");

 public:
  // The future fn returns.
  using Second = detail::then_second_t<F, Fn>;
  static_assert(is_future<Second>::value, "pollen: Then needs a function that returns a future");
  using Output = output_t<Second>;
  enum class State : unsigned char { First, Second, Poisoned, Done };
  static constexpr bool is_cancel_safe =
      ::pollen::is_cancel_safe<F>::value && ::pollen::is_cancel_safe<Second>::value;

  // f by rvalue reference: building a chain moves each level once, not twice.
  Then(F&& f, Fn fn) : state_(State::First) {
    ::new (static_cast<void*>(&u_.first)) First(std::move(f), std::move(fn));
  }
  // Moving takes the state: the moved-from Then is Done.
  Then(Then&& o) noexcept(std::is_nothrow_move_constructible<F>::value &&
                          std::is_nothrow_move_constructible<Fn>::value &&
                          std::is_nothrow_move_constructible<Second>::value)
      : state_(o.state_) {
    if (state_ == State::First) {
      ::new (static_cast<void*>(&u_.first))
          First(std::move(o.u_.first.future), std::move(o.u_.first.fn()));
    } else if (state_ == State::Second) {
      ::new (static_cast<void*>(&u_.second)) Second(std::move(o.u_.second));
    }
    o.leave(State::Done);
  }
  Then& operator=(Then&&) = delete;
  ~Then() { leave(State::Done); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::First:
        if (!poll_first(cx)) return pending;
        // f was Ready and g is in place: poll it in this same call.
        // fall through
      case State::Second:
        return poll_second(cx);
      case State::Poisoned:
        detail::polled_after_throw("Then");
      case State::Done:
        break;
    }
    detail::polled_after_ready("Then");
  }

  // The adoption hook BoxFuture calls (see the top of this file and
  // core/box_future.hpp): like poll(), except that once only g is left and g
  // is a BoxFuture<Output>, g is moved into `out` unpolled, this Then becomes
  // Done, and the result is Pending; the box then holds g's contents in
  // place of this Then and polls them.
  Poll<Output> poll_adopting(Context& cx, BoxFuture<Output>& out) {
    return poll_adopting_impl(cx, out, std::is_same<Second, BoxFuture<Output>>());
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    switch (state_) {
      case State::First:
        d.node("Then", "state: First");
        d.child(u_.first.future);
        return;
      case State::Second:
        d.node("Then", "state: Second");
        d.child(u_.second);
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
  friend class detail::UnwindGuard<Then>;
  using First = detail::FutureAndFn<F, Fn>;

  // In State::First: polls f. When f is Ready, moves to State::Second (f
  // destroyed first, then fn called) and returns true.
  POLLEN_NODISCARD bool poll_first(Context& cx) {
    detail::UnwindGuard<Then> guard(this);  // f's poll or fn's move threw: poison
    Poll<output_t<F>> p = u_.first.future.poll(cx);
    if (p.is_pending()) {
      guard.dismiss();
      return false;
    }
    Fn fn(std::move(u_.first.fn()));
    guard.dismiss();
    leave(State::Poisoned);  // f destroyed; if fn throws, nothing is alive
    ::new (static_cast<void*>(&u_.second))
        Second(detail::invoke(std::move(fn), std::move(p).value()));
    state_ = State::Second;
    return true;
  }
  // In State::Second: polls g; Ready enters State::Done. g's Poll is the only
  // return, built in the caller's slot: nothing moves after Done.
  Poll<Output> poll_second(Context& cx) {
    detail::UnwindGuard<Then> guard(this);
    Poll<Output> p = u_.second.poll(cx);
    guard.dismiss();
    if (p.is_ready()) leave(State::Done);
    return p;
  }

  Poll<Output> poll_adopting_impl(Context& cx, BoxFuture<Output>&, std::false_type) {
    return poll(cx);
  }
  Poll<Output> poll_adopting_impl(Context& cx, BoxFuture<Output>& out, std::true_type) {
    detail::observe_poll(cx, this);
    if (state_ == State::First && !poll_first(cx)) return pending;
    if (state_ != State::Second) return poll(cx);  // Poisoned or Done: the errors
    out = std::move(u_.second);
    leave(State::Done);
    return pending;
  }

  void leave(State next) noexcept {
    if (state_ == State::First) {
      u_.first.~First();
    } else if (state_ == State::Second) {
      u_.second.~Second();
    }
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    First first;    // valid in State::First
    Second second;  // valid in State::Second
  } u_;
  State state_;
};

namespace detail {
template <class F, class Fn, bool Callable>
struct then_type_impl {
  using type = NotAFuture;  // the static_assert in then() reports it
};
template <class F, class Fn>
struct then_type_impl<F, Fn, true> {
  using type = typename std::conditional<is_future<then_second_t<F, Fn>>::value, Then<F, Fn>,
                                         Map<F, Fn>>::type;
};
template <class F, class Fn>
struct then_type<F, Fn, void>
    : then_type_impl<F, Fn, is_future<F>::value && is_invocable<Fn&&, output_t<F>&&>::value> {};
}  // namespace detail

// then(f, fn): fn(output of f), continued with the future fn returns. See the
// top of this file.
template <class F, class Fn>
POLLEN_NODISCARD typename detail::then_type<F, typename std::decay<Fn>::type>::type then(F f,
                                                                                        Fn&& fn) {
  POLLEN_REQUIRE_FUTURE(F);
  static_assert(!is_future<F>::value ||
                    detail::is_invocable<typename std::decay<Fn>::type&&, output_t<F>&&>::value,
                "pollen: then()'s function cannot be called with the output of the future");
  return detail::make_combinator<
      typename detail::then_type<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn),
      std::integral_constant<bool, is_future<F>::value &&
                                       detail::is_invocable<typename std::decay<Fn>::type&&,
                                                            output_t<F>&&>::value>());
}

POLLEN_NAMESPACE_END
