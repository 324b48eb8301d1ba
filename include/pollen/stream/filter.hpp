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
// Example: `auto even = pollen::stream::filter(std::move(s), [](const int& x) { return x % 2 == 0; });`
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
enum class FilterState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class S, class Pred>
class Filter : public detail::Machine<Filter<S, Pred>, detail::FilterState, detail::NoPayload,
                                      detail::NoPayload>,
               private detail::FnSlot<Pred> {
  using Base =
      detail::Machine<Filter<S, Pred>, detail::FilterState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<S>;
  using State = detail::FilterState;
  // Moves by a copy of its bytes when s and pred do (core/layout.hpp).
  using pollen_relocatable = detail::all_of<Base::payloads_relocatable::value,
                                            detail::is_relocatable<S>::value,
                                            detail::is_relocatable<Pred>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value,
                                                    detail::is_trivially_destroyed<Pred>::value>;

  Filter(S&& s, Pred pred)
      : Base(detail::initial), detail::FnSlot<Pred>(std::move(pred)), s_(std::move(s)) {}
  Filter(Filter&&) = default;  // the moved-from Filter has Ended

  void describe(Describer& d) const {
    d.node("stream::Filter", this->state() == State::Ended ? "state: Ended" : "state: Streaming");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;  // pred threw: that item is lost, s goes on

  // Called in Streaming: polls s until an item passes, s is Pending or ends,
  // or the budget is spent.
  Poll<Option<Item>> resume_next(Context& cx) {
    for (;;) {
      Poll<Option<Item>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      const Option<Item>& v = p.value();
      if (!v.has_value() || static_cast<bool>(detail::invoke(this->fn(), *v))) return p;
      if (!detail::spend_item_budget(cx)) return pending;
    }
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::filter(s, pred): s must be a stream and pred
// callable with `const item&`. A failed check is the first error the
// compiler prints.
template <class S, class Pred>
struct filter_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool callable = is_invocable<Pred&, const item_t<S>&>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || callable,
                  "pollen: stream::filter()'s predicate cannot be called with `const item&`");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && callable, stream::Filter<S, Pred>,
                             errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S, class Pred>
POLLEN_NODISCARD typename detail::filter_check<S, typename std::decay<Pred>::type>::type filter(
    S s, Pred&& pred) {
  return detail::build<typename detail::filter_check<S, typename std::decay<Pred>::type>::type>(
      std::move(s), std::forward<Pred>(pred));
}
}  // namespace stream

POLLEN_NAMESPACE_END
