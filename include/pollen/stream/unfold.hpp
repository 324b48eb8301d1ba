// pollen/stream/unfold.hpp: stream::unfold(state, fn), the stream that
// fn(state) produces step by step: fn(state) is a future of
// Option<std::pair<item, next state>>; none ends the stream.
//
// States:
//
//     Idle --poll: fut = fn(move(state))--> Running --fut Ready(some({item, st})): yield item--> Idle (st)
//                                             |  |
//                                             |  +--fut Ready(none)--> Ended
//                                             +--fut Pending: Pending (fut kept)
//
//     Idle or Running --fn, the future or a move threw--> Poisoned
//
//   State::Idle      holds the state; fn is called at the next poll_next
//   State::Running   holds the future fn returned (the state moved into it)
//   State::Poisoned  holds nothing (a poll threw: the state went with it;
//                    polling again is an error)
//   State::Ended     holds nothing; none forever (fused)
//
// Item: A, where fn(St) returns a future of Option<std::pair<A, St>>.
// Size: the larger of the state and the future, fn (nothing for a lambda
//   without captures), and a state byte (in a niche when there is one).
// Cancellation: a Pending poll_next keeps the future in the stream: dropping
//   next() over it loses nothing (is_cancel_safe is true). Destroying the
//   stream destroys the state or the future in flight.
// Contract errors: polling it again after a poll threw (the state is gone:
//   there is no next step to take).
// Polling order: fn is called lazily, in the poll_next that needs the next
//   item, and its future is polled at once. No budget of its own.
// Example:
//   auto countdown = pollen::stream::unfold(3, [](int n) {
//     using Step = pollen::Option<std::pair<int, int>>;
//     return pollen::ready(n == 0 ? Step() : Step(std::make_pair(n, n - 1)));
//   });  // 3, 2, 1
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class UnfoldState : unsigned char { Idle, Running, Poisoned, Ended };

template <class St, class Fn>
using unfold_future_t = remove_cvref_t<invoke_result_t<Fn&, St&&>>;

// The item type of a step Option<std::pair<A, St>>, and whether a step
// output has that shape.
template <class Out, class St>
struct unfold_step {
  static constexpr bool ok = false;
  using item = NotAStream;
};
template <class A, class St>
struct unfold_step<Option<std::pair<A, St>>, St> {
  static constexpr bool ok = true;
  using item = A;
};
}  // namespace detail

namespace stream {

template <class St, class Fn>
class Unfold : public detail::Machine<Unfold<St, Fn>, detail::UnfoldState, St,
                                      detail::unfold_future_t<St, Fn>, detail::NoPayload,
                                      detail::NoPayload>,
               private detail::FnSlot<Fn> {
  using Fut = detail::unfold_future_t<St, Fn>;
  using Base = detail::Machine<Unfold<St, Fn>, detail::UnfoldState, St, Fut, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  using Item = typename detail::unfold_step<output_t<Fut>, St>::item;
  using State = detail::UnfoldState;
  static constexpr bool is_cancel_safe = true;  // the future in flight stays in the stream

  Unfold(St&& st, Fn fn) : Base(detail::initial, std::move(st)), detail::FnSlot<Fn>(std::move(fn)) {}
  Unfold(Unfold&&) = default;  // the moved-from Unfold has Ended

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Idle:
        d.node("stream::Unfold", "state: Idle");
        return;
      case State::Running:
        d.node("stream::Unfold", "state: Running");
        d.child(this->template get<State::Running>());
        return;
      case State::Poisoned:
        d.node("stream::Unfold", "state: Poisoned");
        return;
      case State::Ended:
        d.node("stream::Unfold", "state: Ended");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "stream::Unfold"; }
  static constexpr State kInitial = State::Idle;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = true;  // the state went with the exception

  // Called in Idle or Running: the next step.
  Poll<Option<Item>> resume_next(Context& cx) {
    if (this->state() == State::Idle) {
      St st(std::move(this->template get<State::Idle>()));
      this->leave(State::Poisoned);  // until the future holds the state
      this->template enter_result<State::Running>(this->fn(), std::move(st));
    }
    Poll<output_t<Fut>> p = this->template get<State::Running>().poll(cx);
    if (p.is_pending()) return pending;
    output_t<Fut>& step = p.value();
    if (!step.has_value()) return Option<Item>();  // the end
    this->leave(State::Poisoned);                   // until the next state is in place
    this->template enter<State::Idle>(std::move(step->second));
    return Option<Item>(std::move(step->first));
  }
};

}  // namespace stream

namespace detail {
// The one check of stream::unfold(state, fn): fn(state) must return a future
// of Option<std::pair<item, state>>.
template <class St, class Fn>
struct unfold_check {
  static constexpr bool callable = is_invocable<Fn&, St&&>::value;
  template <class T, bool = callable>
  struct step_ok : std::integral_constant<bool, is_future<unfold_future_t<T, Fn>>::value &&
                                                    unfold_step<output_t<unfold_future_t<T, Fn>>,
                                                                T>::ok> {};
  template <class T>
  struct step_ok<T, false> : std::false_type {};
  static constexpr bool ok = step_ok<St>::value;
  struct errors {
    static_assert(callable, "pollen: stream::unfold()'s function cannot be called with the state");
    static_assert(!callable || ok,
                  "pollen: stream::unfold()'s function must return a future of "
                  "pollen::Option<std::pair<Item, State>> (none ends the stream)");
  };
  using type = typename std::conditional<callable && ok, stream::Unfold<St, Fn>,
                                         Rejected<errors, NotAStream>>::type;
};
}  // namespace detail

namespace stream {
template <class St, class Fn>
POLLEN_NODISCARD typename detail::unfold_check<typename std::decay<St>::type,
                                               typename std::decay<Fn>::type>::type
unfold(St&& state, Fn&& fn) {
  return detail::build<typename detail::unfold_check<typename std::decay<St>::type,
                                                     typename std::decay<Fn>::type>::type>(
      typename std::decay<St>::type(std::forward<St>(state)), std::forward<Fn>(fn));
}
}  // namespace stream

POLLEN_NAMESPACE_END
