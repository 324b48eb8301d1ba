// pollen/stream/take.hpp: stream::take(s, n), the first n items of s.
//
// States:   Streaming --n items yielded, or s ended--> Ended
//              |  ^
//              +--+ item: yield it, one fewer left; s Pending: Pending
//
//   State::Streaming  left_ > 0 items still to yield; polls s
//   State::Ended      s is not polled again (fused); take(s, 0) starts here
//
// Item: item_t<S>.
// Cancellation: destroying it destroys s; s is never polled for an item
//   beyond the n-th, so nothing past it is taken out of s.
// Contract errors: none.
// Polling order: one poll_next of s per poll_next while Streaming; no budget
//   of its own.
// Example: `auto first3 = pollen::stream::take(std::move(rx), 3);`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class TakeState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class S>
class Take
    : public detail::Machine<Take<S>, detail::TakeState, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Take<S>, detail::TakeState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<S>;
  using State = detail::TakeState;
  // Moves by a copy of its bytes when s does (core/layout.hpp).
  using pollen_relocatable =
      detail::all_of<Base::payloads_relocatable::value, detail::is_relocatable<S>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value>;

  Take(S&& s, std::size_t n) : Base(detail::initial), s_(std::move(s)), left_(n) {
    if (n == 0) this->leave(State::Ended);
  }
  Take(Take&&) = default;  // the moved-from Take has Ended

  std::size_t remaining() const noexcept { return left_; }
  void describe(Describer& d) const {
    d.node("stream::Take", this->state() == State::Ended
                               ? "state: Ended"
                               : "state: Streaming, " + std::to_string(left_) + " left");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;

  // Called in Streaming (left_ > 0): s's next item; the n-th ends the Take.
  Poll<Option<Item>> resume_next(Context& cx) {
    Poll<Option<Item>> p = s_.poll_next(cx);
    if (p.is_pending()) return pending;
    if (p.value().has_value() && --left_ == 0) this->leave(State::Ended);
    return p;
  }

  S s_;
  std::size_t left_;  // valid in State::Streaming: items still to yield (> 0)
};

}  // namespace stream

namespace detail {
// The one check of stream::take(s, n): s must be a stream.
template <class S>
struct take_check {
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
  };
  using type = stream_result<is_stand_in<S>::value, is_stream<S>::value, stream::Take<S>, errors,
                             NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::take_check<S>::type take(S s, std::size_t n) {
  return detail::build<typename detail::take_check<S>::type>(std::move(s), n);
}
}  // namespace stream

POLLEN_NAMESPACE_END
