// pollen/stream/flatten.hpp: stream::flatten(s), the items of each stream
// that s yields, one inner stream after the other.
//
// States:
//
//     Outer --inner stream--> Inner --inner ended (one unit of budget)--> Outer
//       |                      |  ^
//       +--s ended--> Ended    +--+ inner's item: yield it
//
//   State::Outer  no inner stream; polls s
//   State::Inner  holds the current inner stream; polls it
//   State::Ended  s has ended; none forever (fused)
//
// Item: item_t<item_t<S>> (s is a stream of streams).
// Size: s, the inner stream, and a state byte (in the inner stream's niche
//   when it has one).
// Cancellation: destroying it destroys s and the inner stream; an item is
//   taken out of the inner stream only in the poll that returns it
//   (is_cancel_safe follows s and the inner streams).
// Contract errors: none. An exception from s or the inner stream propagates;
//   the Flatten stays in its state (the inner stream it was polling is kept),
//   usable.
// Polling order: the inner stream; when it ends, s for the next one, in the
//   same poll. Each inner stream that ends spends one unit of the budget: a
//   run of empty inner streams cannot starve the loop.
// Example: `auto all_lines = pollen::stream::flatten(pollen::stream::map(std::move(files), read_lines));`
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
enum class FlattenState : unsigned char { Outer, Inner, Ended };
}

namespace stream {

template <class S>
class Flatten : public detail::Machine<Flatten<S>, detail::FlattenState, detail::NoPayload,
                                       item_t<S>, detail::NoPayload> {
  using In = item_t<S>;
  using Base =
      detail::Machine<Flatten<S>, detail::FlattenState, detail::NoPayload, In, detail::NoPayload>;
  friend Base;

 public:
  using Item = item_t<In>;
  using State = detail::FlattenState;
  static constexpr bool is_cancel_safe =
      ::pollen::is_cancel_safe<S>::value && ::pollen::is_cancel_safe<In>::value;

  explicit Flatten(S&& s) : Base(detail::initial), s_(std::move(s)) {}
  Flatten(Flatten&&) = default;  // the moved-from Flatten has Ended

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Outer:
        d.node("stream::Flatten", "state: Outer");
        break;
      case State::Inner:
        d.node("stream::Flatten", "state: Inner");
        d.child(this->template get<State::Inner>());
        break;
      case State::Ended:
        d.node("stream::Flatten", "state: Ended");
        break;
    }
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Outer;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;

  // Called in Outer or Inner: the inner stream's next item, or the next
  // inner stream's.
  Poll<Option<Item>> resume_next(Context& cx) {
    for (;;) {
      if (this->state() == State::Inner) {
        Poll<Option<Item>> p = this->template get<State::Inner>().poll_next(cx);
        if (p.is_pending() || p.value().has_value()) return p;
        this->leave(State::Outer);
        if (!detail::spend_item_budget(cx)) return pending;
      }
      Poll<Option<In>> next = s_.poll_next(cx);
      if (next.is_pending()) return pending;
      if (!next.value().has_value()) return Option<Item>();  // s has ended: so has this
      this->template enter<State::Inner>(std::move(*next.value()));
    }
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::flatten(s): s must be a stream of streams.
template <class S>
struct flatten_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool of_streams = is_stream<item_t<S>>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || of_streams,
                  "pollen: stream::flatten() needs a stream of streams (for a stream of futures, "
                  "use stream::then or buffered)");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && of_streams, stream::Flatten<S>,
                             errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::flatten_check<S>::type flatten(S s) {
  return detail::build<typename detail::flatten_check<S>::type>(std::move(s));
}
}  // namespace stream

POLLEN_NAMESPACE_END
