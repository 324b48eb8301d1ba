// pollen/stream/for_each.hpp: stream::for_each(s, fn), a future that calls
// fn(item) for every item of s and is Ready when s ends.
//
// States:   Running --s ended--> Done (Ready(Unit))
//              |  ^
//              +--+ item: fn(item), poll s again (one unit of budget per
//                   item); s Pending or budget spent: Pending
//           Running --s.poll_next, fn or a move threw--> Poisoned
//
//   State::Running   holds s and fn
//   State::Poisoned  a poll threw (s and fn stay until the ForEach is
//                    destroyed); polling again is a ContractError
//   State::Done      s has ended
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
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S, class Fn>
class POLLEN_NODISCARD_TYPE ForEach : public FutureExt<ForEach<S, Fn>> {
  POLLEN_REQUIRE_STREAM(S);
  static_assert(detail::is_invocable<Fn&, item_t<S>&&>::value,
                "pollen: stream::for_each()'s function cannot be called with the stream's item");

 public:
  using Output = Unit;
  static constexpr bool is_cancel_safe = true;  // every item taken was given to fn
  enum class State { Running, Poisoned, Done };

  ForEach(S s, Fn fn) : s_(std::move(s)), fn_(std::move(fn)) {}
  ForEach(ForEach&& o) noexcept(std::is_nothrow_move_constructible<S>::value &&
                                std::is_nothrow_move_constructible<Fn>::value)
      : s_(std::move(o.s_)), fn_(std::move(o.fn_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("stream::ForEach");
    if (state_ == State::Poisoned) detail::polled_after_throw("stream::ForEach");
    detail::UnwindGuard<ForEach> guard(this);  // s, fn or a move threw: poison
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) break;
      Option<item_t<S>> v = std::move(p).value();
      if (!v.has_value()) {
        guard.dismiss();
        state_ = State::Done;
        return Unit{};
      }
      detail::invoke(fn_, std::move(*v));
      if (!detail::spend_item_budget(cx)) break;
    }
    guard.dismiss();
    return pending;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("stream::ForEach", state_ == State::Running    ? "state: Running"
                              : state_ == State::Poisoned ? "state: Poisoned"
                                                          : "state: Done");
    d.child(s_);
  }

 private:
  friend class detail::UnwindGuard<ForEach>;
  void poison() noexcept { state_ = State::Poisoned; }

  S s_;
  Fn fn_;
  State state_ = State::Running;
};

template <class S, class Fn>
POLLEN_NODISCARD ForEach<S, typename std::decay<Fn>::type> for_each(S s, Fn&& fn) {
  return ForEach<S, typename std::decay<Fn>::type>(std::move(s), std::forward<Fn>(fn));
}

}  // namespace stream
POLLEN_NAMESPACE_END
