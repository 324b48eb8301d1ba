// pollen/stream/fold.hpp: stream::fold(s, init, fn), a future of the
// accumulator after acc = fn(std::move(acc), item) for every item of s.
//
// States:   Folding --s ended--> Done (Ready(acc))
//              |  ^
//              +--+ item: acc = fn(acc, item), poll s again (one unit of
//                   budget per item); s Pending or budget spent: Pending
//           Folding --s.poll_next, fn or a move threw--> Poisoned
//
//   State::Folding   holds acc
//   State::Poisoned  holds nothing: a poll threw (acc is destroyed at once);
//                    polling again is a ContractError
//   State::Done      holds nothing: acc was returned
//   s and fn live beside the states, as long as the Fold.
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
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class FoldState : unsigned char { Folding, Poisoned, Done };
}

namespace stream {

template <class S, class Acc, class Fn>
class POLLEN_NODISCARD_TYPE Fold : public detail::Machine<Fold<S, Acc, Fn>, detail::FoldState, Acc,
                                                          detail::NoPayload, detail::NoPayload>,
                                   private detail::FnSlot<Fn> {
  using Base = detail::Machine<Fold<S, Acc, Fn>, detail::FoldState, Acc, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  using Output = Acc;
  using State = detail::FoldState;
  // Moves by a copy of its bytes when acc, s and fn do (core/layout.hpp).
  using pollen_relocatable = detail::all_of<Base::payloads_relocatable::value,
                                            detail::is_relocatable<S>::value,
                                            detail::is_relocatable<Fn>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value,
                                                    detail::is_trivially_destroyed<Fn>::value>;
  static constexpr bool is_cancel_safe = false;  // the accumulator dies with it

  Fold(S&& s, Acc init, Fn fn)
      : Base(detail::initial, std::move(init)), detail::FnSlot<Fn>(std::move(fn)), s_(std::move(s)) {}
  Fold(Fold&&) = default;  // the moved-from Fold is Done

  void describe(Describer& d) const {
    const State st = this->state();
    d.node("stream::Fold", st == State::Folding    ? "state: Folding"
                           : st == State::Poisoned ? "state: Poisoned"
                                                   : "state: Done");
    d.child(s_);
  }

 private:
  static const char* name() noexcept { return "stream::Fold"; }
  static constexpr State kInitial = State::Folding;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Acc& acc() noexcept { return this->template get<State::Folding>(); }

  // Called in Folding: folds s's items until s is Pending or ends, or the
  // budget is spent. When s ends, acc moves into the result here, before
  // the machine enters Done (future/state_helpers.hpp).
  Poll<Acc> resume(Context& cx) {
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      Option<item_t<S>>& v = p.value();
      if (!v.has_value()) return Poll<Acc>(in_place, std::move(acc()));
      Acc next = detail::invoke(this->fn(), std::move(acc()), std::move(*v));
      this->leave(State::Poisoned);  // the old acc goes; if the move below throws, nothing is left
      this->template enter<State::Folding>(std::move(next));
      if (!detail::spend_item_budget(cx)) return pending;
    }
  }

  S s_;
};

}  // namespace stream

namespace detail {
template <class Fn, class Acc, class Item, bool = is_invocable<Fn&, Acc&&, Item&&>::value>
struct folds_into : std::false_type {};
template <class Fn, class Acc, class Item>
struct folds_into<Fn, Acc, Item, true>
    : std::is_convertible<invoke_result_t<Fn&, Acc&&, Item&&>, Acc> {};

// The one check of stream::fold(s, init, fn): s must be a stream and
// acc = fn(std::move(acc), item) must compile.
template <class S, class Acc, class Fn>
struct fold_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool folds = folds_into<Fn, Acc, item_t<S>>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || folds,
                  "pollen: stream::fold()'s function must be callable as acc = fn(std::move(acc), "
                  "item)");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && folds, stream::Fold<S, Acc, Fn>,
                             errors, NotAFuture>;
};
}  // namespace detail

namespace stream {
template <class S, class Acc, class Fn>
POLLEN_NODISCARD typename detail::fold_check<S, Acc, typename std::decay<Fn>::type>::type fold(
    S s, Acc init, Fn&& fn) {
  return detail::build<typename detail::fold_check<S, Acc, typename std::decay<Fn>::type>::type>(
      std::move(s), std::move(init), std::forward<Fn>(fn));
}
}  // namespace stream

POLLEN_NAMESPACE_END
