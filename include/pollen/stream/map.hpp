// pollen/stream/map.hpp: stream::map(s, fn), the stream of fn(item) for each
// item of s.
//
// States:   Streaming --s ended--> Ended
//              |  ^
//              +--+ item: yield fn(item); s Pending: Pending
//
//   State::Streaming  polls s
//   State::Ended      s has ended; s is not polled again (fused)
//
// Item: the result of fn(item_t<S>) (fn must return a value).
// Size: s, its state byte, and fn (nothing for a lambda without captures).
// Cancellation: destroying it destroys s and fn. fn runs only in the poll
//   that yields its result, so nothing is lost.
// Contract errors: none of its own. An exception from fn propagates; the
//   item it was given is gone, the stream stays usable and destructible.
// Polling order: one poll_next of s per poll_next. Spends no budget itself
//   (s does).
// Example: `auto s = pollen::stream::map(pollen::stream::iter(v), [](int x) { return 2 * x; });`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class StreamMapState : unsigned char { Streaming, Ended };
template <class S, class Fn>
using stream_map_item_t = remove_cvref_t<invoke_result_t<Fn&, item_t<S>&&>>;
}  // namespace detail

namespace stream {

template <class S, class Fn>
class Map : public detail::Machine<Map<S, Fn>, detail::StreamMapState, detail::NoPayload,
                                   detail::NoPayload>,
            private detail::FnSlot<Fn> {
  using Base =
      detail::Machine<Map<S, Fn>, detail::StreamMapState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = detail::stream_map_item_t<S, Fn>;
  using State = detail::StreamMapState;
  // Moves by a copy of its bytes when s and fn do (core/layout.hpp).
  using pollen_relocatable = detail::all_of<Base::payloads_relocatable::value,
                                            detail::is_relocatable<S>::value,
                                            detail::is_relocatable<Fn>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value,
                                                    detail::is_trivially_destroyed<Fn>::value>;

  Map(S&& s, Fn fn) : Base(detail::initial), detail::FnSlot<Fn>(std::move(fn)), s_(std::move(s)) {}
  Map(Map&&) = default;  // the moved-from Map has Ended

  void describe(Describer& d) const {
    d.node("stream::Map", this->state() == State::Ended ? "state: Ended" : "state: Streaming");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;  // fn threw: that item is lost, s goes on

  // Called in Streaming: s's next item, through fn.
  Poll<Option<Item>> resume_next(Context& cx) {
    Poll<Option<item_t<S>>> p = s_.poll_next(cx);
    if (p.is_pending()) return pending;
    Option<item_t<S>>& v = p.value();
    if (!v.has_value()) return Option<Item>();  // s has ended: so has this
    return Option<Item>(detail::invoke(this->fn(), std::move(*v)));
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::map(s, fn): s must be a stream and fn callable
// with its item. A failed check is the first error the compiler prints.
template <class S, class Fn>
struct stream_map_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool callable = is_invocable<Fn&, item_t<S>&&>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || callable,
                  "pollen: stream::map()'s function cannot be called with the stream's item");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && callable, stream::Map<S, Fn>,
                             errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S, class Fn>
POLLEN_NODISCARD typename detail::stream_map_check<S, typename std::decay<Fn>::type>::type map(S s,
                                                                                             Fn&& fn) {
  return detail::build<typename detail::stream_map_check<S, typename std::decay<Fn>::type>::type>(
      std::move(s), std::forward<Fn>(fn));
}
}  // namespace stream

POLLEN_NAMESPACE_END
