// pollen/stream/chain.hpp: stream::chain(a, b), the items of a, then those
// of b.
//
// States:   First --a ended--> Second --b ended--> Ended
//             |  ^                |  ^
//             +--+ a's item       +--+ b's item
//
//   State::First   polls a; b has not been polled
//   State::Second  a has ended (and is not polled again); polls b
//   State::Ended   both have ended; none forever (fused)
//
// Item: item_t<A> (both streams must have the same Item).
// Cancellation: destroying it destroys a and b; an item is taken out of a
//   side only in the poll that returns it (is_cancel_safe follows a and b).
// Contract errors: none. An exception from a side propagates; the Chain
//   stays in its state, usable.
// Polling order: one poll_next of a, or, in the poll where a ends and after,
//   one of b. No budget of its own.
// Example: `auto all = pollen::stream::chain(std::move(backlog), std::move(live));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class ChainState : unsigned char { First, Second, Ended };
}

namespace stream {

template <class A, class B>
class Chain : public detail::Machine<Chain<A, B>, detail::ChainState, detail::NoPayload,
                                     detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Chain<A, B>, detail::ChainState, detail::NoPayload,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<A>;
  using State = detail::ChainState;
  static constexpr bool is_cancel_safe =
      ::pollen::is_cancel_safe<A>::value && ::pollen::is_cancel_safe<B>::value;
  // Moves by a copy of its bytes when a and b do (core/layout.hpp).
  using pollen_relocatable = detail::all_of<detail::is_relocatable<A>::value,
                                            detail::is_relocatable<B>::value>;
  using pollen_trivially_destroyed = detail::all_of<detail::is_trivially_destroyed<A>::value,
                                                    detail::is_trivially_destroyed<B>::value>;

  Chain(A&& a, B&& b) : Base(detail::initial), a_(std::move(a)), b_(std::move(b)) {}
  Chain(Chain&&) = default;  // the moved-from Chain has Ended

  void describe(Describer& d) const {
    const State s = this->state();
    d.node("stream::Chain", s == State::First    ? "state: First"
                            : s == State::Second ? "state: Second"
                                                 : "state: Ended");
    d.child(a_);
    d.child(b_);
  }

 private:
  static constexpr State kInitial = State::First;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;

  // Called in First or Second.
  Poll<Option<Item>> resume_next(Context& cx) {
    if (this->state() == State::First) {
      Poll<Option<Item>> p = a_.poll_next(cx);
      if (p.is_pending() || p.value().has_value()) return p;
      this->leave(State::Second);
    }
    return b_.poll_next(cx);
  }

  A a_;
  B b_;
};

}  // namespace stream

namespace detail {
// The one check of stream::chain(a, b): two streams of one Item type.
template <class A, class B>
struct chain_check {
  static constexpr bool streams = is_stream<A>::value && is_stream<B>::value;
  static constexpr bool same_item = std::is_same<item_t<A>, item_t<B>>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(A);
    POLLEN_REQUIRE_STREAM(B);
    static_assert(!streams || same_item,
                  "pollen: stream::chain() needs two streams of the same Item type");
  };
  using type = stream_result<is_stand_in<A>::value || is_stand_in<B>::value, streams && same_item,
                             stream::Chain<A, B>, errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class A, class B>
POLLEN_NODISCARD typename detail::chain_check<A, B>::type chain(A a, B b) {
  return detail::build<typename detail::chain_check<A, B>::type>(std::move(a), std::move(b));
}
}  // namespace stream

POLLEN_NAMESPACE_END
