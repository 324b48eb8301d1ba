// pollen/stream/skip.hpp: stream::skip(s, n), the items of s after the
// first n.
//
// States:   Streaming --s ended--> Ended
//              |  ^
//              +--+ while left_ > 0: drop an item (one unit of budget each);
//                   then yield s's items; s Pending: Pending
//
//   State::Streaming  left_ items still to drop, then polls s
//   State::Ended      s has ended; s is not polled again (fused)
//
// Item: item_t<S>.
// Cancellation: destroying it destroys s. The dropped items are destroyed in
//   the poll that drops them; the count of those still to drop is kept across
//   Pending polls (is_cancel_safe follows s).
// Contract errors: none. An exception from s propagates; the count is
//   unchanged for the item that was not produced, the stream stays usable.
// Polling order: polls s until an item is past the first n, s is Pending,
//   s ends, or the budget is spent (then Pending, task re-woken): skipping
//   many items of an always-ready stream cannot starve the loop.
// Example: `auto body = pollen::stream::skip(std::move(lines), 1);  // no header`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class SkipState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class S>
class Skip
    : public detail::Machine<Skip<S>, detail::SkipState, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Skip<S>, detail::SkipState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<S>;
  using State = detail::SkipState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<S>::value;
  // Moves by a copy of its bytes when s does (core/layout.hpp).
  using pollen_relocatable =
      detail::all_of<Base::payloads_relocatable::value, detail::is_relocatable<S>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value>;

  Skip(S&& s, std::size_t n) : Base(detail::initial), s_(std::move(s)), left_(n) {}
  Skip(Skip&&) = default;  // the moved-from Skip has Ended

  // Items still to drop.
  std::size_t remaining() const noexcept { return left_; }
  void describe(Describer& d) const {
    d.node("stream::Skip", this->state() == State::Ended
                               ? "state: Ended"
                               : "state: Streaming, " + std::to_string(left_) + " to skip");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;

  // Called in Streaming: drops what is left to drop, then s's next item.
  Poll<Option<Item>> resume_next(Context& cx) {
    while (left_ != 0) {
      Poll<Option<Item>> p = s_.poll_next(cx);
      if (p.is_pending() || !p.value().has_value()) return p;
      --left_;
      if (!detail::spend_item_budget(cx)) return pending;
    }
    return s_.poll_next(cx);
  }

  S s_;
  std::size_t left_;  // items still to drop
};

}  // namespace stream

namespace detail {
// The one check of stream::skip(s, n): s must be a stream.
template <class S>
struct skip_check {
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
  };
  using type = stream_result<is_stand_in<S>::value, is_stream<S>::value, stream::Skip<S>, errors,
                             NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::skip_check<S>::type skip(S s, std::size_t n) {
  return detail::build<typename detail::skip_check<S>::type>(std::move(s), n);
}
}  // namespace stream

POLLEN_NAMESPACE_END
