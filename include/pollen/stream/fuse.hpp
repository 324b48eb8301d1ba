// pollen/stream/fuse.hpp: stream::fuse(s), s made fused: once s has
// returned none, it is not polled again and every poll_next returns none;
// is_terminated() says whether that happened.
//
// States:   Streaming --s ended--> Ended
//              |  ^
//              +--+ s's item, or Pending
//
//   State::Streaming  polls s
//   State::Ended      s returned none; s is not polled again
//
// Library streams are fused already and have is_terminated() (future/
// machine.hpp); fuse() is for a stream of your own that may not be (whose
// poll_next after the end is not defined, or yields again). futures-rs's
// StreamExt::fuse.
//
// Item: item_t<S>.
// Cancellation: destroying it destroys s; nothing of its own
//   (is_cancel_safe follows s).
// Contract errors: none. An exception from s propagates; the Fuse stays
//   Streaming.
// Polling order: one poll_next of s per poll_next while Streaming; no budget
//   of its own.
// Example: `auto s = pollen::stream::fuse(MyStream{}); ... if (!s.is_terminated()) ...`
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
enum class StreamFuseState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class S>
class Fuse : public detail::Machine<Fuse<S>, detail::StreamFuseState, detail::NoPayload,
                                    detail::NoPayload> {
  using Base =
      detail::Machine<Fuse<S>, detail::StreamFuseState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<S>;
  using State = detail::StreamFuseState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<S>::value;
  // Moves by a copy of its bytes when s does (core/layout.hpp).
  using pollen_relocatable =
      detail::all_of<Base::payloads_relocatable::value, detail::is_relocatable<S>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value>;

  explicit Fuse(S&& s) : Base(detail::initial), s_(std::move(s)) {}
  Fuse(Fuse&&) = default;  // the moved-from Fuse has Ended

  // is_terminated() comes from the machine base: true once s has ended.

  void describe(Describer& d) const {
    d.node("stream::Fuse", this->is_terminated() ? "state: Ended" : "state: Streaming");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;

  // Called in Streaming: s's next item; its none ends the Fuse.
  Poll<Option<Item>> resume_next(Context& cx) { return s_.poll_next(cx); }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::fuse(s): s must be a stream.
template <class S>
struct stream_fuse_check {
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
  };
  using type = stream_result<is_stand_in<S>::value, is_stream<S>::value, stream::Fuse<S>, errors,
                             NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::stream_fuse_check<S>::type fuse(S s) {
  return detail::build<typename detail::stream_fuse_check<S>::type>(std::move(s));
}
}  // namespace stream

POLLEN_NAMESPACE_END
