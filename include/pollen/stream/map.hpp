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
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S, class Fn>
class Map {
  POLLEN_REQUIRE_STREAM(S);
  static_assert(detail::is_invocable<Fn&, item_t<S>&&>::value,
                "pollen: stream::map()'s function cannot be called with the stream's item");

 public:
  using Item = detail::remove_cvref_t<detail::invoke_result_t<Fn&, item_t<S>&&>>;
  enum class State { Streaming, Ended };

  Map(S s, Fn fn) : s_(std::move(s)), fn_(std::move(fn)) {}

  Poll<Option<Item>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Ended) return Option<Item>();
    Poll<Option<item_t<S>>> p = s_.poll_next(cx);
    if (p.is_pending()) return pending;
    Option<item_t<S>> v = std::move(p).value();
    if (!v.has_value()) {
      state_ = State::Ended;
      return Option<Item>();
    }
    return Option<Item>(detail::invoke(fn_, std::move(*v)));
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("stream::Map", state_ == State::Ended ? "state: Ended" : "state: Streaming");
    d.child(s_);
  }

 private:
  S s_;
  Fn fn_;
  State state_ = State::Streaming;
};

template <class S, class Fn>
POLLEN_NODISCARD Map<S, typename std::decay<Fn>::type> map(S s, Fn&& fn) {
  return Map<S, typename std::decay<Fn>::type>(std::move(s), std::forward<Fn>(fn));
}

}  // namespace stream
POLLEN_NAMESPACE_END
