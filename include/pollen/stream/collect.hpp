// pollen/stream/collect.hpp: stream::collect(s), a future of a std::vector
// of every item of s, in order.
//
// States:   Collecting --s ended--> Done (Ready(vector))
//              |  ^
//              +--+ item: push_back, poll s again (one unit of budget per
//                   item); s Pending or budget spent: Pending
//           Collecting --s.poll_next or a move threw--> Poisoned
//
//   State::Collecting  holds the items so far
//   State::Poisoned    holds nothing: the items so far are destroyed at once
//   State::Done        holds nothing: the vector was returned
//   s lives beside the states, as long as the Collect.
//
// Output: std::vector<item_t<S>>.
// Cancellation: not cancel safe (is_cancel_safe is false): destroying it
//   destroys s and the items collected so far.
// Contract errors: polling it after Ready, or again after its poll threw
//   (an item may have been lost with the exception).
// Polling order: polls s in a loop until s is Pending or ends, or the budget
//   is spent (then Pending with the task re-woken): at most the budget in
//   items per poll.
// Example: `std::vector<int> all = pollen::block_on(pollen::stream::collect(std::move(rx)));`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class CollectState : unsigned char { Collecting, Poisoned, Done };
}

namespace stream {

template <class S>
class POLLEN_NODISCARD_TYPE Collect
    : public detail::Machine<Collect<S>, detail::CollectState, std::vector<item_t<S>>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Collect<S>, detail::CollectState, std::vector<item_t<S>>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Output = std::vector<item_t<S>>;
  using State = detail::CollectState;
  // Moves by a copy of its bytes when s and the items' vector do (core/layout.hpp).
  using pollen_relocatable =
      detail::all_of<Base::payloads_relocatable::value, detail::is_relocatable<S>::value>;
  using pollen_trivially_destroyed = detail::all_of<Base::payloads_trivially_destroyed::value,
                                                    detail::is_trivially_destroyed<S>::value>;
  static constexpr bool is_cancel_safe = false;  // the items so far die with it

  explicit Collect(S&& s) : Base(detail::initial), s_(std::move(s)) {}
  Collect(Collect&&) = default;  // the moved-from Collect is Done

  void describe(Describer& d) const {
    const State st = this->state();
    d.node("stream::Collect", st == State::Done       ? std::string("state: Done")
                              : st == State::Poisoned ? std::string("state: Poisoned")
                                                      : "state: Collecting, " +
                                                            std::to_string(items().size()) + " so far");
    d.child(s_);
  }

 private:
  static const char* name() noexcept { return "stream::Collect"; }
  static constexpr State kInitial = State::Collecting;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Output& items() noexcept { return this->template get<State::Collecting>(); }
  const Output& items() const noexcept { return this->template get<State::Collecting>(); }

  // Called in Collecting: collects s's items until s is Pending or ends, or
  // the budget is spent. When s ends, the items move into the result here,
  // before the machine enters Done (future/state_helpers.hpp).
  Poll<Output> resume(Context& cx) {
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      Option<item_t<S>>& v = p.value();
      if (!v.has_value()) return Poll<Output>(in_place, std::move(items()));
      items().push_back(std::move(*v));
      if (!detail::spend_item_budget(cx)) return pending;
    }
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::collect(s): s must be a stream.
template <class S>
struct collect_check {
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
  };
  using type = stream_result<is_stand_in<S>::value, is_stream<S>::value, stream::Collect<S>, errors,
                             NotAFuture>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::collect_check<S>::type collect(S s) {
  return detail::build<typename detail::collect_check<S>::type>(std::move(s));
}
}  // namespace stream

POLLEN_NAMESPACE_END
