// pollen/stream/next.hpp: stream::next(s), a future of the next item of s.
//
// States:   Waiting --s yielded an item or ended--> Done
//              |  ^
//              +--+ s is Pending: Pending
//           Waiting --s.poll_next or a move threw--> Poisoned
//
// Output: Option<item>: some(item), or none when s has ended.
// Cancellation: cancel safe (is_cancel_safe is true). It borrows s and an
//   item is taken from s only in the poll that returns it, so dropping a
//   pending next() leaves every item in s.
// Contract errors: polling it after Ready, or again after its poll threw (the
//   item in flight was lost; s is still usable through a new next(s)). A
//   moved-from Next is Done.
// Polling order: one poll_next of s per poll. s must outlive the future and
//   not move while it is alive.
// Example:
//   auto s = pollen::stream::iter(std::vector<int>{1, 2});
//   pollen::Option<int> a = pollen::block_on(pollen::stream::next(s));  // some(1)
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class NextState : unsigned char { Waiting, Poisoned, Done };
}

namespace stream {

template <class S>
class POLLEN_NODISCARD_TYPE Next
    : public detail::Machine<Next<S>, detail::NextState, detail::NoPayload, detail::NoPayload,
                             detail::NoPayload> {
  using Base = detail::Machine<Next<S>, detail::NextState, detail::NoPayload, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  using Output = Option<item_t<S>>;
  using State = detail::NextState;
  // A pointer and a state byte: a copy of the bytes moves it (core/layout.hpp).
  using pollen_relocatable = std::true_type;
  using pollen_trivially_destroyed = std::true_type;
  static constexpr bool is_cancel_safe = true;

  explicit Next(S& s) noexcept : Base(detail::initial), s_(&s) {}
  Next(Next&& o) noexcept : Base(std::move(o)), s_(o.s_) {}  // the moved-from Next is Done

  void describe(Describer& d) const {
    const State st = this->state();
    d.node("Next", st == State::Done       ? "state: Done"
                   : st == State::Poisoned ? "state: Poisoned"
                                           : "state: Waiting");
    d.child(*s_);
  }

 private:
  static const char* name() noexcept { return "stream::Next"; }
  static constexpr State kInitial = State::Waiting;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  // Called in Waiting: s's Poll is returned as it is, built in the caller's
  // slot (future/state_helpers.hpp).
  Poll<Output> resume(Context& cx) { return s_->poll_next(cx); }

  S* s_;  // borrowed
};

}  // namespace stream

namespace detail {
// The one check of stream::next(s): s must be a stream.
template <class S>
struct next_check {
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
  };
  using type = stream_result<is_stand_in<S>::value, is_stream<S>::value, stream::Next<S>, errors,
                             NotAFuture>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::next_check<S>::type next(S& s) noexcept {
  return detail::build<typename detail::next_check<S>::type>(s);
}
}  // namespace stream

POLLEN_NAMESPACE_END
