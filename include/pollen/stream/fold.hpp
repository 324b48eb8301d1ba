// pollen/stream/fold.hpp: stream::fold(s, init, fn), a future of the
// accumulator after acc = fn(std::move(acc), item) for every item of s.
//
// States:   Folding --s ended--> Done (Ready(acc))
//              |  ^
//              +--+ item: acc = fn(acc, item), poll s again (one unit of
//                   budget per item); s Pending or budget spent: Pending
//           Folding --s.poll_next, fn or a move threw--> Poisoned
//
//   State::Folding   holds s, acc, fn
//   State::Poisoned  a poll threw (acc is destroyed at once; s and fn stay
//                    until the Fold is destroyed); polling again is a
//                    ContractError
//   State::Done      acc was returned
//
// Output: Acc.
// Cancellation: not cancel safe (is_cancel_safe is false): destroying it
//   destroys s, acc and fn, and the items already folded are lost with acc;
//   items not yet polled stay in s (destroyed with it).
// Contract errors: polling it after Ready, or again after its poll threw (s
//   or fn threw: the item in flight is lost).
// Polling order: polls s in a loop until s is Pending or ends, or the budget
//   is spent (then Pending with the task re-woken): at most the budget in
//   items per poll.
// Example: `int sum = pollen::block_on(pollen::stream::fold(pollen::stream::iter(v), 0, std::plus<int>()));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S, class Acc, class Fn>
class POLLEN_NODISCARD_TYPE Fold : public FutureExt<Fold<S, Acc, Fn>> {
  POLLEN_REQUIRE_STREAM(S);
  static_assert(std::is_convertible<detail::invoke_result_t<Fn&, Acc&&, item_t<S>&&>, Acc>::value,
                "pollen: stream::fold()'s function must be callable as acc = fn(std::move(acc), item)");

 public:
  using Output = Acc;
  static constexpr bool is_cancel_safe = false;  // the accumulator dies with it
  enum class State { Folding, Poisoned, Done };

  Fold(S s, Acc init, Fn fn) : s_(std::move(s)), acc_(std::move(init)), fn_(std::move(fn)) {}
  Fold(Fold&& o) noexcept(std::is_nothrow_move_constructible<S>::value &&
                          std::is_nothrow_move_constructible<Acc>::value &&
                          std::is_nothrow_move_constructible<Fn>::value)
      : s_(std::move(o.s_)), acc_(o.acc_.take()), fn_(std::move(o.fn_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Acc> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("stream::Fold");
    if (state_ == State::Poisoned) detail::polled_after_throw("stream::Fold");
    detail::UnwindGuard<Fold> guard(this);  // s, fn or a move threw: poison
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) break;
      Option<item_t<S>> v = std::move(p).value();
      if (!v.has_value()) {
        guard.dismiss();
        return finish();
      }
      Acc next = detail::invoke(fn_, std::move(*acc_), std::move(*v));
      acc_.emplace(std::move(next));
      if (!detail::spend_item_budget(cx)) break;
    }
    guard.dismiss();
    return pending;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("stream::Fold", state_ == State::Folding    ? "state: Folding"
                           : state_ == State::Poisoned ? "state: Poisoned"
                                                       : "state: Done");
    d.child(s_);
  }

 private:
  friend class detail::UnwindGuard<Fold>;

  // s ended: acc moves into the result, then Done; a move that throws
  // poisons (state_helpers.hpp).
  Poll<Acc> finish() {
    detail::UnwindGuard<Fold> guard(this);
    Poll<Acc> out(std::move(*acc_));
    guard.dismiss();
    acc_.reset();
    state_ = State::Done;
    return out;
  }
  void poison() noexcept {
    acc_.reset();  // destroyed at once; the items folded into it are lost
    state_ = State::Poisoned;
  }

  S s_;
  Option<Acc> acc_;  // engaged in State::Folding
  Fn fn_;
  State state_ = State::Folding;
};

template <class S, class Acc, class Fn>
POLLEN_NODISCARD Fold<S, Acc, typename std::decay<Fn>::type> fold(S s, Acc init, Fn&& fn) {
  return Fold<S, Acc, typename std::decay<Fn>::type>(std::move(s), std::move(init),
                                                     std::forward<Fn>(fn));
}

}  // namespace stream
POLLEN_NAMESPACE_END
