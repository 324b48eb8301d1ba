// pollen/stream/take_while.hpp: stream::take_while(s, pred), the items of s
// up to the first for which pred(item) is false.
//
// States:   Streaming --pred false, or s ended--> Ended
//              |  ^
//              +--+ pred true: yield the item; s Pending: Pending
//
//   State::Streaming  polls s
//   State::Ended      s is not polled again (fused); the item that failed
//                     pred was destroyed
//
// Item: item_t<S>. pred is called as pred(const item&) and returns bool.
// Cancellation: destroying it destroys s and pred; an item is taken out of s
//   only in the poll that returns it or ends the stream (is_cancel_safe
//   follows s).
// Contract errors: none of its own; an exception from pred propagates (the
//   item is destroyed), the stream stays usable.
// Polling order: one poll_next of s per poll_next while Streaming; no budget
//   of its own.
// Example: `auto header = pollen::stream::take_while(std::move(lines), [](const std::string& l) { return !l.empty(); });`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class TakeWhileState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class S, class Pred>
class TakeWhile : public detail::Machine<TakeWhile<S, Pred>, detail::TakeWhileState,
                                         detail::NoPayload, detail::NoPayload>,
                  private detail::FnSlot<Pred> {
  using Base = detail::Machine<TakeWhile<S, Pred>, detail::TakeWhileState, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<S>;
  using State = detail::TakeWhileState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<S>::value;

  TakeWhile(S&& s, Pred pred)
      : Base(detail::initial), detail::FnSlot<Pred>(std::move(pred)), s_(std::move(s)) {}
  TakeWhile(TakeWhile&&) = default;  // the moved-from TakeWhile has Ended

  void describe(Describer& d) const {
    d.node("stream::TakeWhile", this->state() == State::Ended ? "state: Ended" : "state: Streaming");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;  // pred threw: that item is lost, s goes on

  // Called in Streaming: s's next item, if it passes.
  Poll<Option<Item>> resume_next(Context& cx) {
    Poll<Option<Item>> p = s_.poll_next(cx);
    if (p.is_pending() || !p.value().has_value()) return p;
    if (static_cast<bool>(detail::invoke(this->fn(), *p.value()))) return p;
    return Option<Item>();  // the end (the item is destroyed with p)
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::take_while(s, pred).
template <class S, class Pred>
struct take_while_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool callable = is_invocable<Pred&, const item_t<S>&>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || callable,
                  "pollen: stream::take_while()'s predicate cannot be called with `const item&`");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && callable,
                             stream::TakeWhile<S, Pred>, errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S, class Pred>
POLLEN_NODISCARD typename detail::take_while_check<S, typename std::decay<Pred>::type>::type
take_while(S s, Pred&& pred) {
  return detail::build<typename detail::take_while_check<S, typename std::decay<Pred>::type>::type>(
      std::move(s), std::forward<Pred>(pred));
}
}  // namespace stream

POLLEN_NAMESPACE_END
