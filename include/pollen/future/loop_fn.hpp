// pollen/future/loop_fn.hpp: loop_fn(state, step), an async loop without
// recursion: step(state) returns a future of Loop<S, V>, either
// Continue(next state) or Break(value).
//
// States:
//
//     Start --first poll: g = step(s)--> Stepping --g Ready: Continue(s')--+
//       |                                  ^   |                          |
//       |                                  |   +--------------------------+
//       |                                  |     g destroyed, g' = step(s')
//       |                                  |
//       |                        g Ready: Break(v) --> Done
//       |
//       +-- step or a poll threw --> Poisoned (from Start or Stepping)
//
//   State::Start     holds the initial state s and step
//   State::Stepping  holds the current step's future g and step
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the value was returned)
//
// What it does: the iterations run in a loop inside poll(), not as nested
// calls, so a million ready iterations take constant stack. A step's future
// is polled where it was made, and kept in the LoopFn (State::Stepping) only
// when it returns Pending: an iteration whose future is Ready at once never
// stores it (when the future is relocatable, core/layout.hpp; otherwise it is
// made in place and polled there). Each Continue
// spends one unit of the cooperative budget (core/context.hpp): under an
// event loop, a loop whose steps are always ready yields to other tasks
// instead of running forever in one poll.
//
// Output: V, the value of the Break.
// Cancellation: destroying it destroys the current step's future (or the
// initial state) and step. Each step's future is destroyed before the next
// one is made.
// Contract errors: polling it after Ready ("LoopFn polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: one child at a time, the current step's future.
// Example:
//   // sum 0..9
//   using L = pollen::Loop<std::pair<int, int>, int>;
//   auto f = pollen::loop_fn(std::make_pair(0, 0), [](std::pair<int, int> s) {
//     return pollen::ready(s.first == 10 ? L(pollen::loop_break(s.second))
//                                        : L(pollen::loop_continue(
//                                              std::make_pair(s.first + 1, s.second + s.first))));
//   });
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/one_of.hpp>

#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class S>
struct Continue {
  S state;
};
template <class V>
struct Break {
  V value;
};
template <class S>
Continue<typename std::decay<S>::type> loop_continue(S&& s) {
  return Continue<typename std::decay<S>::type>{std::forward<S>(s)};
}
template <class V>
Break<typename std::decay<V>::type> loop_break(V&& v) {
  return Break<typename std::decay<V>::type>{std::forward<V>(v)};
}

// What one step of a loop_fn produces: go on with a new state, or stop with
// a value. Two Options side by side (not a union: the optimizer keeps a
// loop's state in registers across iterations that way): trivially copyable
// when S and V are.
template <class S, class V>
class Loop {
 public:
  using state_type = S;
  using value_type = V;
  using pollen_niche = detail::niche_t<Option<S>>;  // the state's engaged byte
  Loop(Continue<S> c) : state_(in_place, std::move(c.state)) {}  // NOLINT: implicit on purpose
  Loop(Break<V> b) : value_(in_place, std::move(b.value)) {}     // NOLINT: implicit on purpose

  bool is_break() const noexcept { return value_.has_value(); }
  S take_state() { return std::move(state_).value(); }
  V take_value() { return std::move(value_).value(); }

 private:
  Option<S> state_;  // engaged for Continue
  Option<V> value_;  // engaged for Break
};

namespace detail {
template <class L>
struct loop_parts {
  using state = NotAFuture;
  using value = NotAFuture;
  static constexpr bool is_loop = false;
};
template <class S, class V>
struct loop_parts<Loop<S, V>> {
  using state = S;
  using value = V;
  static constexpr bool is_loop = true;
};

template <class S, class Step>
using step_future_t = remove_cvref_t<invoke_result_t<Step&, S&&>>;

enum class LoopFnState : unsigned char { Start, Stepping, Poisoned, Done };

// The step function, kept beside the state payloads (it lives as long as the
// loop). A stateless step takes no bytes (see WithFn in machine.hpp).
template <class Step, bool = is_stateless_fn<Step>::value>
struct StepHolder {
  explicit StepHolder(Step&& s) : step_(std::move(s)) {}
  Step& step() noexcept { return step_; }

 private:
  Step step_;
};
template <class Step>
struct StepHolder<Step, true> {
  explicit StepHolder(Step&&) noexcept {}
  Step step() const noexcept { return make_stateless<Step>(); }
};
}  // namespace detail

template <class S, class Step>
class POLLEN_NODISCARD_TYPE LoopFn
    : public detail::Machine<LoopFn<S, Step>, detail::LoopFnState, S,
                             detail::step_future_t<S, Step>, detail::NoPayload, detail::NoPayload>,
      private detail::StepHolder<Step> {
  using Base = detail::Machine<LoopFn<S, Step>, detail::LoopFnState, S,
                               detail::step_future_t<S, Step>, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  // The future one step returns.
  using StepFuture = detail::step_future_t<S, Step>;

 private:
  using L = output_t<StepFuture>;

 public:
  using Output = typename detail::loop_parts<L>::value;
  using State = detail::LoopFnState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<StepFuture>::value;

  LoopFn(S s, Step step) : Base(detail::initial, std::move(s)), detail::StepHolder<Step>(std::move(step)) {}
  LoopFn(LoopFn&& o) noexcept(std::is_nothrow_move_constructible<Base>::value &&
                              std::is_nothrow_move_constructible<Step>::value)
      : Base(std::move(o)), detail::StepHolder<Step>(std::move(o)), iterations_(o.iterations_) {}
  LoopFn& operator=(LoopFn&&) = delete;

  // How many times a step said Continue.
  unsigned long long iterations() const noexcept { return iterations_; }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Start:
        d.node("LoopFn", "state: Start");
        return;
      case State::Stepping:
        d.node("LoopFn", "state: Stepping, iteration " + std::to_string(iterations_));
        d.child(this->template get<State::Stepping>());
        return;
      case State::Poisoned:
        d.node("LoopFn", "state: Poisoned");
        return;
      case State::Done:
        d.node("LoopFn", "state: Done");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "LoopFn"; }
  static constexpr State kInitial = State::Start;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;
  // Poll a fresh step future where it was made (a local) and store it only
  // when it is Pending: worth it when storing it later is a byte copy.
  static constexpr bool kPollFirst = detail::is_relocatable<StepFuture>::value;

  // Called in Start or Stepping (the machine handles the others).
  Poll<Output> resume(Context& cx) {
    if (this->state() == State::Stepping) {
      Poll<L> p = this->template get<State::Stepping>().poll(cx);
      if (p.is_pending()) return pending;
      this->leave(State::Poisoned);  // this step's future is destroyed first
      L& l = p.value();
      if (l.is_break()) return l.take_value();
      ++iterations_;
      if (!cx.consume_budget()) {  // already re-woken
        this->template enter<State::Start>(l.take_state());
        return pending;
      }
      return run(cx, l.take_state());
    }
    S s(std::move(this->template get<State::Start>()));
    this->leave(State::Poisoned);  // if step throws, nothing is alive
    return run(cx, std::move(s));
  }

  // The loop, from state s with nothing stored (Poisoned meanwhile). S need
  // only be move-constructible: each iteration's state is made afresh.
  Poll<Output> run(Context& cx, S first) {
    Option<S> s(in_place, std::move(first));
    for (;;) {
      Poll<L> p = step_once(cx, std::move(*s));
      if (p.is_pending()) return pending;
      L& l = p.value();
      if (l.is_break()) return l.take_value();
      ++iterations_;
      s.emplace(l.take_state());
      if (POLLEN_UNLIKELY(!cx.consume_budget())) {  // already re-woken
        this->template enter<State::Start>(std::move(*s));
        return pending;
      }
    }
  }

  // Makes the step's future from s and polls it; Pending leaves it stored in
  // State::Stepping.
  Poll<L> step_once(Context& cx, S&& s) { return step_once(cx, std::move(s), std::integral_constant<bool, kPollFirst>()); }
  Poll<L> step_once(Context& cx, S&& s, std::true_type) {
    StepFuture g(detail::invoke(this->step(), std::move(s)));
    Poll<L> p = g.poll(cx);
    if (p.is_pending()) this->template enter<State::Stepping>(std::move(g));
    return p;
  }
  Poll<L> step_once(Context& cx, S&& s, std::false_type) {
    this->template enter_result<State::Stepping>(this->step(), std::move(s));
    Poll<L> p = this->template get<State::Stepping>().poll(cx);
    if (p.is_ready()) this->leave(State::Poisoned);
    return p;
  }

  unsigned long long iterations_ = 0;
};

namespace detail {
// The one check of loop_fn(s, step): step must be callable with S and return
// a future of Loop<S, V>. A failed check is the first error the compiler
// prints, at the call (Rejected, core/future.hpp).
template <class S, class Step, bool Callable = is_invocable<Step&, S&&>::value>
struct loop_step_output {
  using future = NotAFuture;
  using type = NotAFuture;
};
template <class S, class Step>
struct loop_step_output<S, Step, true> {
  using future = step_future_t<S, Step>;
  using type = output_t<future>;
};
template <class S, class Step>
struct loop_fn_check {
  using Out = loop_step_output<S, Step>;
  static constexpr bool callable = is_invocable<Step&, S&&>::value;
  static constexpr bool returns_future = !callable || is_future<typename Out::future>::value;
  static constexpr bool returns_loop =
      !callable || !returns_future || loop_parts<typename Out::type>::is_loop;
  static constexpr bool same_state =
      !callable || !returns_future || !returns_loop ||
      std::is_same<typename loop_parts<typename Out::type>::state, S>::value;
  struct errors {
    static_assert(callable,
                  "pollen: loop_fn(s, step): step cannot be called with the loop's state s (it is "
                  "called as step(std::move(s)) and must accept S)");
    static_assert(returns_future,
                  "pollen: loop_fn(s, step): step must return a future of pollen::Loop<S, V> (for "
                  "example pollen::ready(L(pollen::loop_continue(s))))");
    static_assert(returns_loop,
                  "pollen: loop_fn(s, step): step's future must have the output pollen::Loop<S, V> "
                  "(made from pollen::loop_continue(s) or pollen::loop_break(v))");
    static_assert(same_state,
                  "pollen: loop_fn(s, step): step's future gives Loop<S2, V> with another state "
                  "type than the loop's S");
  };
  using type = typename std::conditional<callable && returns_future && returns_loop && same_state,
                                         LoopFn<S, Step>, Rejected<errors>>::type;
};
}  // namespace detail

// loop_fn(s, step): runs step until it Breaks. See the top of this file.
template <class S, class Step>
POLLEN_NODISCARD typename detail::loop_fn_check<typename std::decay<S>::type,
                                                typename std::decay<Step>::type>::type
loop_fn(S&& s, Step&& step) {
  return detail::build<typename detail::loop_fn_check<typename std::decay<S>::type,
                                                      typename std::decay<Step>::type>::type>(
      std::forward<S>(s), std::forward<Step>(step));
}

POLLEN_NAMESPACE_END
