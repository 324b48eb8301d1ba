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
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class MergeState : unsigned char { Both, OnlyA, OnlyB, Ended };
}

namespace stream {

template <class A, class B>
class Merge : public detail::Machine<Merge<A, B>, detail::MergeState, detail::NoPayload,
                                     detail::NoPayload, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Merge<A, B>, detail::MergeState, detail::NoPayload, detail::NoPayload,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<A>;
  using State = detail::MergeState;
  // Moves by a copy of its bytes when a and b do (core/layout.hpp).
  using pollen_relocatable = detail::all_of<detail::is_relocatable<A>::value,
                                            detail::is_relocatable<B>::value>;
  using pollen_trivially_destroyed = detail::all_of<detail::is_trivially_destroyed<A>::value,
                                                    detail::is_trivially_destroyed<B>::value>;

  Merge(A&& a, B&& b) : Base(detail::initial), b_first_(false), a_(std::move(a)), b_(std::move(b)) {}
  Merge(Merge&&) = default;  // the moved-from Merge has Ended

  void describe(Describer& d) const {
    const State s = this->state();
    d.node("stream::Merge", s == State::Both    ? "state: Both"
                            : s == State::OnlyA ? "state: OnlyA"
                            : s == State::OnlyB ? "state: OnlyB"
                                                : "state: Ended");
    d.child(a_);
    d.child(b_);
  }

 private:
  static constexpr State kInitial = State::Both;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;

  // Called in Both, OnlyA or OnlyB: the side polled second last time first,
  // then the other; the first item wins.
  Poll<Option<Item>> resume_next(Context& cx) {
    const bool b_first = b_first_;
    b_first_ = !b_first_;
    Poll<Option<Item>> p = b_first ? poll_b(cx) : poll_a(cx);
    if (p.is_ready()) return p;
    p = b_first ? poll_a(cx) : poll_b(cx);
    if (p.is_ready()) return p;
    if (this->state() == State::Ended) return Option<Item>();  // both sides ended in this poll
    return pending;
  }

  // Polls a if it has not ended: Ready only with an item. When a ends, the
  // Merge goes on with b alone (or has Ended), and this is Pending.
  Poll<Option<Item>> poll_a(Context& cx) {
    const State s = this->state();
    if (s != State::Both && s != State::OnlyA) return pending;
    return got(a_.poll_next(cx), s == State::Both ? State::OnlyB : State::Ended);
  }
  Poll<Option<Item>> poll_b(Context& cx) {
    const State s = this->state();
    if (s != State::Both && s != State::OnlyB) return pending;
    return got(b_.poll_next(cx), s == State::Both ? State::OnlyA : State::Ended);
  }
  // `after_end`: the state when this side has ended.
  Poll<Option<Item>> got(Poll<Option<Item>> p, State after_end) {
    if (p.is_ready() && !p.value().has_value()) {
      this->leave(after_end);
      return pending;
    }
    return p;
  }

  bool b_first_;  // which side the next poll_next polls first (first: beside the state byte)
  A a_;
  B b_;
};

}  // namespace stream

namespace detail {
// The one check of stream::merge(a, b): two streams of one Item type.
template <class A, class B>
struct merge_check {
  static constexpr bool streams = is_stream<A>::value && is_stream<B>::value;
  static constexpr bool same_item = std::is_same<item_t<A>, item_t<B>>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(A);
    POLLEN_REQUIRE_STREAM(B);
    static_assert(!streams || same_item,
                  "pollen: stream::merge() needs two streams of the same Item type");
  };
  using type = stream_result<is_stand_in<A>::value || is_stand_in<B>::value, streams && same_item,
                             stream::Merge<A, B>, errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class A, class B>
POLLEN_NODISCARD typename detail::merge_check<A, B>::type merge(A a, B b) {
  return detail::build<typename detail::merge_check<A, B>::type>(std::move(a), std::move(b));
}
}  // namespace stream

POLLEN_NAMESPACE_END
