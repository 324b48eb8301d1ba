// pollen/stream/next.hpp: stream::next(s), a future of the next item of s.
//
// States:   Waiting --s yielded an item or ended--> Done
//              |  ^
//              +--+ s is Pending: Pending
//           Waiting --s.poll_next or a move threw--> Poisoned
//
// Output: Option<item>: some(item), or none when s has ended.
// Cancellation: cancel safe (is_cancel_safe is true). It borrows s and an
//   item is taken from s only in the poll that returns it, so dropping a
//   pending next() leaves every item in s.
// Contract errors: polling it after Ready, or again after its poll threw (the
//   item in flight was lost; s is still usable through a new next(s)). A
//   moved-from Next is Done.
// Polling order: one poll_next of s per poll. s must outlive the future and
//   not move while it is alive.
// Example:
//   auto s = pollen::stream::iter(std::vector<int>{1, 2});
//   pollen::Option<int> a = pollen::block_on(pollen::stream::next(s));  // some(1)
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>
#include <pollen/stream/stream.hpp>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S>
class POLLEN_NODISCARD_TYPE Next : public FutureExt<Next<S>> {
  POLLEN_REQUIRE_STREAM(S);

 public:
  using Output = Option<item_t<S>>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Poisoned, Done };

  explicit Next(S& s) noexcept : s_(&s) {}
  Next(Next&& o) noexcept : s_(o.s_), state_(o.state_) { o.state_ = State::Done; }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("stream::Next");
    if (state_ == State::Poisoned) detail::polled_after_throw("stream::Next");
    return poll_waiting(cx);
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("Next", state_ == State::Done       ? "state: Done"
                   : state_ == State::Poisoned ? "state: Poisoned"
                                               : "state: Waiting");
    d.child(*s_);
  }

 private:
  friend class detail::UnwindGuard<Next>;

  // s's Poll is the only return, built in the caller's slot: the item does
  // not move here once the state is Done (future/state_helpers.hpp).
  Poll<Output> poll_waiting(Context& cx) {
    detail::UnwindGuard<Next> guard(this);
    Poll<Output> p = s_->poll_next(cx);
    guard.dismiss();
    if (p.is_ready()) state_ = State::Done;
    return p;
  }
  void poison() noexcept { state_ = State::Poisoned; }

  S* s_;  // borrowed
  State state_ = State::Waiting;
};

template <class S>
POLLEN_NODISCARD Next<S> next(S& s) noexcept {
  return Next<S>(s);
}

}  // namespace stream
POLLEN_NAMESPACE_END
