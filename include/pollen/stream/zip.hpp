// pollen/stream/zip.hpp: stream::zip(a, b), pairs of one item of a and one
// of b, in step.
//
// States:   Streaming --a or b ended--> Ended
//              |  ^
//              +--+ both items there: yield the pair; else Pending (the
//                   item of the side that was ready is kept)
//
//   State::Streaming  polls each side that has no item kept
//   State::Ended      one side has ended; neither is polled again (fused);
//                     an item kept from the other side is destroyed then
//
// Item: std::pair<item_t<A>, item_t<B>>.
// Cancellation: a Pending poll_next keeps the item of the ready side in the
//   Zip: dropping next() over it loses nothing (is_cancel_safe follows a and
//   b). Destroying it destroys a, b and the item kept.
// Contract errors: none. An exception from a side propagates; the item kept
//   from the other side stays, the Zip stays usable.
// Polling order: a (unless its item is kept), then b (likewise), each at
//   most once per poll_next. No budget of its own.
// Example: `auto numbered = pollen::stream::zip(pollen::stream::iter(ids), std::move(rx));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/option.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class ZipState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class A, class B>
class Zip
    : public detail::Machine<Zip<A, B>, detail::ZipState, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Zip<A, B>, detail::ZipState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = std::pair<item_t<A>, item_t<B>>;
  using State = detail::ZipState;
  static constexpr bool is_cancel_safe =
      ::pollen::is_cancel_safe<A>::value && ::pollen::is_cancel_safe<B>::value;

  Zip(A&& a, B&& b) : Base(detail::initial), a_(std::move(a)), b_(std::move(b)) {}
  Zip(Zip&&) = default;  // the moved-from Zip has Ended

  void describe(Describer& d) const {
    if (this->state() == State::Ended) {
      d.node("stream::Zip", "state: Ended");
    } else {
      d.node("stream::Zip", std::string("state: Streaming") + (a_item_.has_value() ? ", a's item kept" : "") +
                                (b_item_.has_value() ? ", b's item kept" : ""));
    }
    d.child(a_);
    d.child(b_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;  // a side threw: the other's item is kept

  // Called in Streaming: an item from each side that has none kept.
  Poll<Option<Item>> resume_next(Context& cx) {
    if (!a_item_.has_value() && !fill(a_, a_item_, cx)) return end();
    if (!b_item_.has_value() && !fill(b_, b_item_, cx)) return end();
    if (!a_item_.has_value() || !b_item_.has_value()) return pending;
    Option<Item> out(in_place, std::move(*a_item_), std::move(*b_item_));
    a_item_.reset();
    b_item_.reset();
    return out;
  }
  // Polls a side into `kept`; false when it has ended.
  template <class S, class T>
  static bool fill(S& s, Option<T>& kept, Context& cx) {
    Poll<Option<T>> p = s.poll_next(cx);
    if (p.is_pending()) return true;
    if (!p.value().has_value()) return false;
    kept.emplace(std::move(*p.value()));
    return true;
  }
  Poll<Option<Item>> end() noexcept {
    a_item_.reset();
    b_item_.reset();
    return Option<Item>();
  }

  A a_;
  B b_;
  Option<item_t<A>> a_item_;  // an item of a waiting for b's
  Option<item_t<B>> b_item_;
};

}  // namespace stream

namespace detail {
// The one check of stream::zip(a, b): two streams.
template <class A, class B>
struct zip_check {
  static constexpr bool streams = is_stream<A>::value && is_stream<B>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(A);
    POLLEN_REQUIRE_STREAM(B);
  };
  using type = stream_result<is_stand_in<A>::value || is_stand_in<B>::value, streams,
                             stream::Zip<A, B>, errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class A, class B>
POLLEN_NODISCARD typename detail::zip_check<A, B>::type zip(A a, B b) {
  return detail::build<typename detail::zip_check<A, B>::type>(std::move(a), std::move(b));
}
}  // namespace stream

POLLEN_NAMESPACE_END
