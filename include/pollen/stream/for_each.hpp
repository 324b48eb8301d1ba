// pollen/stream/for_each.hpp: stream::for_each(s, fn), a future that calls
// fn(item) for every item of s and is Ready when s ends.
//
// States:   Running --s ended--> Done (Ready(Unit))
//              |  ^
//              +--+ item: fn(item), poll s again (one unit of budget per
//                   item); s Pending or budget spent: Pending
//           Running --s.poll_next, fn or a move threw--> Poisoned
//
//   State::Running   s has not ended
//   State::Poisoned  a poll threw; polling again is a ContractError
//   State::Done      s has ended
//   No state holds anything of its own: s and fn live beside the states, as
//   long as the ForEach.
//
// Output: Unit.
// Cancellation: cancel safe (is_cancel_safe is true): destroying it
//   destroys s and fn; each item is either given to fn or never taken out
//   of s.
// Contract errors: polling it after Ready, or again after its poll threw (s
//   or fn threw: the item in flight may not have reached fn).
// Polling order: polls s in a loop until s is Pending or ends, or the budget
//   is spent (then Pending with the task re-woken): at most the budget in
//   items per poll.
// Example: `pollen::block_on(pollen::stream::for_each(std::move(rx), [&](int v) { sum += v; }));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class ForEachState : unsigned char { Running, Poisoned, Done };
}

namespace stream {

template <class S, class Fn>
class POLLEN_NODISCARD_TYPE ForEach
    : public detail::Machine<ForEach<S, Fn>, detail::ForEachState, detail::NoPayload,
                             detail::NoPayload, detail::NoPayload>,
      private detail::FnSlot<Fn> {
  using Base = detail::Machine<ForEach<S, Fn>, detail::ForEachState, detail::NoPayload,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Output = Unit;
  using State = detail::ForEachState;
  // Moves by a copy of its bytes when s and fn do (core/layout.hpp).
  using pollen_relocatable = detail::all_of<Base::payloads_relocatable::value,
                                            detail::is_relocatable<S>::value,
                                            detail::is_relocatable<Fn>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value,
                                                    detail::is_trivially_destroyed<Fn>::value>;
  static constexpr bool is_cancel_safe = true;  // every item taken was given to fn

  ForEach(S&& s, Fn fn) : Base(detail::initial), detail::FnSlot<Fn>(std::move(fn)), s_(std::move(s)) {}
  ForEach(ForEach&&) = default;  // the moved-from ForEach is Done

  void describe(Describer& d) const {
    const State st = this->state();
    d.node("stream::ForEach", st == State::Running    ? "state: Running"
                              : st == State::Poisoned ? "state: Poisoned"
                                                      : "state: Done");
    d.child(s_);
  }

 private:
  static const char* name() noexcept { return "stream::ForEach"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  // Called in Running: gives s's items to fn until s is Pending or ends, or
  // the budget is spent.
  Poll<Unit> resume(Context& cx) {
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      Option<item_t<S>>& v = p.value();
      if (!v.has_value()) return Unit{};
      detail::invoke(this->fn(), std::move(*v));
      if (!detail::spend_item_budget(cx)) return pending;
    }
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::for_each(s, fn): s must be a stream and fn
// callable with its item.
template <class S, class Fn>
struct for_each_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool callable = is_invocable<Fn&, item_t<S>&&>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || callable,
                  "pollen: stream::for_each()'s function cannot be called with the stream's item");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && callable, stream::ForEach<S, Fn>,
                             errors, NotAFuture>;
};
}  // namespace detail

namespace stream {
template <class S, class Fn>
POLLEN_NODISCARD typename detail::for_each_check<S, typename std::decay<Fn>::type>::type for_each(
    S s, Fn&& fn) {
  return detail::build<typename detail::for_each_check<S, typename std::decay<Fn>::type>::type>(
      std::move(s), std::forward<Fn>(fn));
}
}  // namespace stream

POLLEN_NAMESPACE_END
