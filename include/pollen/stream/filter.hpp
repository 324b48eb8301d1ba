// pollen/stream/filter.hpp: stream::filter(s, pred), the items of s for
// which pred(item) is true.
//
// States:   Streaming --s ended--> Ended
//              |  ^
//              +--+ item kept: yield it; item dropped: poll s again
//                   (one unit of budget per dropped item, at most the budget
//                   per poll_next); s Pending: Pending
//
//   State::Streaming  polls s
//   State::Ended      s has ended; s is not polled again (fused)
//
// Item: item_t<S>. pred is called as pred(const item&) and returns bool.
// Cancellation: destroying it destroys s and pred. Dropped items are
//   destroyed in the poll that rejects them.
// Contract errors: none of its own; an exception from pred propagates (the
//   item is destroyed), the stream stays usable.
// Polling order: polls s until an item passes, s is Pending, s ends, or the
//   budget is spent (then Pending, task re-woken): a predicate that rejects
//   every item of an always-ready stream cannot starve the loop.
// Example: `auto even = pollen::stream::filter(s, [](const int& x) { return x % 2 == 0; });`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S, class Pred>
class Filter {
  POLLEN_REQUIRE_STREAM(S);
  static_assert(detail::is_invocable<Pred&, const item_t<S>&>::value,
                "pollen: stream::filter()'s predicate cannot be called with `const item&`");

 public:
  using Item = item_t<S>;
  enum class State { Streaming, Ended };

  Filter(S s, Pred pred) : s_(std::move(s)), pred_(std::move(pred)) {}

  Poll<Option<Item>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    while (state_ == State::Streaming) {
      Poll<Option<Item>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      Option<Item> v = std::move(p).value();
      if (!v.has_value()) break;
      if (static_cast<bool>(detail::invoke(pred_, static_cast<const Item&>(*v)))) return v;
      if (!detail::spend_item_budget(cx)) return pending;
    }
    state_ = State::Ended;
    return Option<Item>();
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("stream::Filter", state_ == State::Ended ? "state: Ended" : "state: Streaming");
    d.child(s_);
  }

 private:
  S s_;
  Pred pred_;
  State state_ = State::Streaming;
};

template <class S, class Pred>
POLLEN_NODISCARD Filter<S, typename std::decay<Pred>::type> filter(S s, Pred&& pred) {
  return Filter<S, typename std::decay<Pred>::type>(std::move(s), std::forward<Pred>(pred));
}

}  // namespace stream
POLLEN_NAMESPACE_END
