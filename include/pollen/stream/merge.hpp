// pollen/stream/merge.hpp: stream::merge(a, b), the items of two streams
// as they come, fairly.
//
// States:   Both --a ended--> OnlyB --b ended--> Ended
//             |                                    ^
//             +----b ended--> OnlyA --a ended------+
//
//   State::Both   polls both; which one first alternates on every poll_next
//   State::OnlyA  b has ended (and was not polled again); polls a
//   State::OnlyB  a has ended; polls b
//   State::Ended  both have ended; none forever (fused)
//
// Fairness: each poll_next polls first the side that was polled second last
// time, so two always-ready streams alternate item by item and neither can
// starve the other.
//
// Item: item_t<A> (both streams must have the same Item).
// Cancellation: destroying it destroys a and b; an item is taken out of a
//   side only when it is returned, so nothing is lost.
// Contract errors: none.
// Polling order: at most one poll_next of each side per poll_next; no budget
//   of its own (the sides spend theirs).
// Example: `auto both = pollen::stream::merge(std::move(rx1), std::move(rx2));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class A, class B>
class Merge {
  POLLEN_REQUIRE_STREAM(A);
  POLLEN_REQUIRE_STREAM(B);
  static_assert(std::is_same<item_t<A>, item_t<B>>::value,
                "pollen: stream::merge() needs two streams of the same Item type");

 public:
  using Item = item_t<A>;
  enum class State { Both, OnlyA, OnlyB, Ended };

  Merge(A a, B b) : a_(std::move(a)), b_(std::move(b)) {}

  Poll<Option<Item>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    bool b_first = b_first_;
    b_first_ = !b_first_;
    if (b_first) {
      if (poll_b(cx)) return take();
      if (poll_a(cx)) return take();
    } else {
      if (poll_a(cx)) return take();
      if (poll_b(cx)) return take();
    }
    if (state_ == State::Ended) return Option<Item>();
    return pending;
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("stream::Merge", state_ == State::Both    ? "state: Both"
                            : state_ == State::OnlyA ? "state: OnlyA"
                            : state_ == State::OnlyB ? "state: OnlyB"
                                                     : "state: Ended");
    d.child(a_);
    d.child(b_);
  }

 private:
  // Polls a if it has not ended: true when it yielded an item (in got_).
  bool poll_a(Context& cx) {
    if (state_ != State::Both && state_ != State::OnlyA) return false;
    return got(a_.poll_next(cx), State::OnlyB);
  }
  bool poll_b(Context& cx) {
    if (state_ != State::Both && state_ != State::OnlyB) return false;
    return got(b_.poll_next(cx), State::OnlyA);
  }
  // `other_only`: the state when this side ends while the other goes on.
  bool got(Poll<Option<Item>> p, State other_only) {
    if (p.is_pending()) return false;
    Option<Item> v = std::move(p).value();
    if (v.has_value()) {
      got_ = std::move(v);
      return true;
    }
    state_ = state_ == State::Both ? other_only : State::Ended;
    return false;
  }
  Poll<Option<Item>> take() { return got_.take(); }

  A a_;
  B b_;
  Option<Item> got_;      // empty between polls: the item being returned
  bool b_first_ = false;  // which side the next poll_next polls first
  State state_ = State::Both;
};

template <class A, class B>
POLLEN_NODISCARD Merge<A, B> merge(A a, B b) {
  return Merge<A, B>(std::move(a), std::move(b));
}

}  // namespace stream
POLLEN_NAMESPACE_END
