// pollen/stream/collect.hpp: stream::collect(s), a future of a std::vector
// of every item of s, in order.
//
// States:   Collecting --s ended--> Done (Ready(vector))
//              |  ^
//              +--+ item: push_back, poll s again (one unit of budget per
//                   item); s Pending or budget spent: Pending
//           Collecting --s.poll_next or a move threw--> Poisoned
//
//   State::Collecting  holds s and the items so far
//   State::Poisoned    holds s (destroyed with the Collect); the items so
//                      far are destroyed at once
//   State::Done        holds s (ended); the vector was returned
//
// Output: std::vector<item_t<S>>.
// Cancellation: not cancel safe (is_cancel_safe is false): destroying it
//   destroys s and the items collected so far.
// Contract errors: polling it after Ready, or again after its poll threw
//   (an item may have been lost with the exception).
// Polling order: polls s in a loop until s is Pending or ends, or the budget
//   is spent (then Pending with the task re-woken): at most the budget in
//   items per poll.
// Example: `std::vector<int> all = pollen::block_on(pollen::stream::collect(std::move(rx)));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>
#include <pollen/stream/stream.hpp>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S>
class POLLEN_NODISCARD_TYPE Collect : public FutureExt<Collect<S>> {
  POLLEN_REQUIRE_STREAM(S);

 public:
  using Output = std::vector<item_t<S>>;
  static constexpr bool is_cancel_safe = false;  // the items so far die with it
  enum class State { Collecting, Poisoned, Done };

  explicit Collect(S s) : s_(std::move(s)) {}
  Collect(Collect&& o) noexcept(std::is_nothrow_move_constructible<S>::value)
      : s_(std::move(o.s_)), items_(std::move(o.items_)), state_(o.state_) {
    o.state_ = State::Done;
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("stream::Collect");
    if (state_ == State::Poisoned) detail::polled_after_throw("stream::Collect");
    detail::UnwindGuard<Collect> guard(this);  // s or a move threw: poison
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) break;
      Option<item_t<S>> v = std::move(p).value();
      if (!v.has_value()) {
        guard.dismiss();
        return finish();
      }
      items_.push_back(std::move(*v));
      if (!detail::spend_item_budget(cx)) break;
    }
    guard.dismiss();
    return pending;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("stream::Collect", state_ == State::Done       ? std::string("state: Done")
                              : state_ == State::Poisoned ? std::string("state: Poisoned")
                                                          : "state: Collecting, " +
                                                                std::to_string(items_.size()) + " so far");
    d.child(s_);
  }

 private:
  friend class detail::UnwindGuard<Collect>;

  // s ended: the items move into the result, then Done (state_helpers.hpp).
  Poll<Output> finish() {
    Poll<Output> out(std::move(items_));  // a vector's move does not throw
    state_ = State::Done;
    return out;
  }
  void poison() noexcept {
    Output().swap(items_);  // the items so far are destroyed at once
    state_ = State::Poisoned;
  }

  S s_;
  Output items_;  // valid in State::Collecting
  State state_ = State::Collecting;
};

template <class S>
POLLEN_NODISCARD Collect<S> collect(S s) {
  return Collect<S>(std::move(s));
}

}  // namespace stream
POLLEN_NAMESPACE_END
