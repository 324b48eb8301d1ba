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
// calls, so a million ready iterations take constant stack. Each Continue
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
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>

#include <new>
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
// a value.
template <class S, class V>
class Loop {
 public:
  using state_type = S;
  using value_type = V;
  Loop(Continue<S> c) : state_(std::move(c.state)) {}  // NOLINT: implicit on purpose
  Loop(Break<V> b) : value_(std::move(b.value)) {}     // NOLINT: implicit on purpose

  bool is_break() const noexcept { return value_.has_value(); }
  S take_state() { return std::move(state_).value(); }
  V take_value() { return std::move(value_).value(); }

 private:
  Option<S> state_;  // engaged for Continue
  Option<V> value_;  // engaged for Break
};

namespace detail {
template <class L>
struct loop_parts;
template <class S, class V>
struct loop_parts<Loop<S, V>> {
  using state = S;
  using value = V;
};
}  // namespace detail

template <class S, class Step>
class POLLEN_NODISCARD_TYPE LoopFn : public FutureExt<LoopFn<S, Step>> {
 public:
  // The future one step returns.
  using StepFuture = detail::remove_cvref_t<detail::invoke_result_t<Step&, S&&>>;

 private:
  static_assert(is_future<StepFuture>::value,
                "pollen: loop_fn()'s step must return a future of pollen::Loop<S, V>");
  using L = output_t<StepFuture>;
  static_assert(std::is_same<typename detail::loop_parts<L>::state, S>::value,
                "pollen: loop_fn()'s step must return a future of Loop<S, V> with the loop's S");

 public:
  using Output = typename detail::loop_parts<L>::value;
  enum class State : unsigned char { Start, Stepping, Poisoned, Done };
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<StepFuture>::value;

  LoopFn(S s, Step step) : state_(State::Start) {
    ::new (static_cast<void*>(&u_.start)) Start(std::move(s), std::move(step));
  }
  LoopFn(LoopFn&& o) noexcept(std::is_nothrow_move_constructible<S>::value &&
                              std::is_nothrow_move_constructible<Step>::value &&
                              std::is_nothrow_move_constructible<StepFuture>::value)
      : state_(o.state_) {
    if (state_ == State::Start) {
      ::new (static_cast<void*>(&u_.start)) Start(std::move(o.u_.start.future), std::move(o.u_.start.fn()));
    } else if (state_ == State::Stepping) {
      ::new (static_cast<void*>(&u_.stepping))
          Stepping(std::move(o.u_.stepping.future), std::move(o.u_.stepping.fn()));
    }
    o.leave(State::Done);
  }
  LoopFn& operator=(LoopFn&&) = delete;
  ~LoopFn() { leave(State::Done); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Start: {
        // Take s and step out, then make the first step's future.
        detail::UnwindGuard<LoopFn> guard(this);  // a move that throws poisons
        S s(std::move(u_.start.future));
        Step step(std::move(u_.start.fn()));
        guard.dismiss();
        leave(State::Poisoned);  // if step throws, nothing is alive
        enter_stepping(std::move(step), std::move(s));
        break;
      }
      case State::Stepping:
        break;
      case State::Poisoned:
        detail::polled_after_throw("LoopFn");
      case State::Done:
        detail::polled_after_ready("LoopFn");
    }
    for (;;) {
      // The step's poll, or a move of its result or of step, threw: poison.
      detail::UnwindGuard<LoopFn> guard(this);
      Poll<L> p = u_.stepping.future.poll(cx);
      if (p.is_pending()) {
        guard.dismiss();
        return pending;
      }
      L& l = p.value();
      if (l.is_break()) {
        guard.dismiss();
        return finish(l);
      }
      // Continue: destroy this step's future, then make the next one.
      Step step(std::move(u_.stepping.fn()));
      guard.dismiss();
      leave(State::Poisoned);
      enter_stepping(std::move(step), l.take_state());
      ++iterations_;
      if (!cx.consume_budget()) return pending;  // already re-woken
    }
  }

  State state() const noexcept { return state_; }
  // How many times a step said Continue.
  unsigned long long iterations() const noexcept { return iterations_; }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Start:
        d.node("LoopFn", "state: Start");
        return;
      case State::Stepping:
        d.node("LoopFn", "state: Stepping, iteration " + std::to_string(iterations_));
        d.child(u_.stepping.future);
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
  friend class detail::UnwindGuard<LoopFn>;
  using Start = detail::FutureAndFn<S, Step>;  // .future is the state here
  using Stepping = detail::FutureAndFn<StepFuture, Step>;

  // A step said Break: moves its value into the result, then enters Done. A
  // move that throws poisons (state_helpers.hpp).
  Poll<Output> finish(L& l) {
    detail::UnwindGuard<LoopFn> guard(this);
    Poll<Output> out(l.take_value());
    guard.dismiss();
    leave(State::Done);
    return out;
  }

  // From State::Poisoned (nothing alive): calls step(s) and enters Stepping.
  void enter_stepping(Step&& step, S&& s) {
    StepFuture g(detail::invoke(step, std::move(s)));
    ::new (static_cast<void*>(&u_.stepping)) Stepping(std::move(g), std::move(step));
    state_ = State::Stepping;
  }

  void leave(State next) noexcept {
    if (state_ == State::Start) {
      u_.start.~Start();
    } else if (state_ == State::Stepping) {
      u_.stepping.~Stepping();
    }
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    Start start;        // valid in State::Start
    Stepping stepping;  // valid in State::Stepping
  } u_;
  unsigned long long iterations_ = 0;
  State state_;
};

// loop_fn(s, step): runs step until it Breaks. See the top of this file.
template <class S, class Step>
POLLEN_NODISCARD LoopFn<typename std::decay<S>::type, typename std::decay<Step>::type> loop_fn(
    S&& s, Step&& step) {
  return LoopFn<typename std::decay<S>::type, typename std::decay<Step>::type>(
      std::forward<S>(s), std::forward<Step>(step));
}

POLLEN_NAMESPACE_END
