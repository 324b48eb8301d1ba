// pollen/stream/then.hpp: stream::then(s, fn), the output of the future
// fn(item) for each item of s, one future at a time.
//
// States:
//
//     Streaming --item: fut = fn(item)--> Running --fut Ready: yield its output--> Streaming
//        |                                   |
//        +--s ended--> Ended                 +--fut Pending: Pending (fut kept)
//
//     any state --s, fn or fut threw--> Poisoned
//
//   State::Streaming  no future in flight; polls s
//   State::Running    holds fut, the future of the last item; polls it
//   State::Poisoned   holds nothing (a poll threw; polling again is an error)
//   State::Ended      s has ended; none forever (fused)
//
// Item: output_t of fn(item_t<S>), which must return a future.
// Size: s, fn (nothing for a lambda without captures), the largest future,
//   and a state byte (in the future's niche when it has one).
// Cancellation: a Pending poll_next keeps the future in flight in the
//   stream: dropping next() over it loses nothing (is_cancel_safe follows
//   s). Destroying the stream destroys s and the future in flight.
// Contract errors: polling it again after a poll threw. An exception from s,
//   fn or the future leaves it Poisoned with the future destroyed (a future
//   whose poll threw cannot be polled again); s stays alive until the
//   stream is destroyed.
// Polling order: the future in flight, else one poll_next of s and, on an
//   item, the new future at once. No budget of its own.
// Example: `auto replies = pollen::stream::then(std::move(requests), send_and_wait);`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class StreamThenState : unsigned char { Streaming, Running, Poisoned, Ended };
template <class S, class Fn>
using stream_then_future_t = remove_cvref_t<invoke_result_t<Fn&, item_t<S>&&>>;
}  // namespace detail

namespace stream {

template <class S, class Fn>
class Then : public detail::Machine<Then<S, Fn>, detail::StreamThenState, detail::NoPayload,
                                    detail::stream_then_future_t<S, Fn>, detail::NoPayload,
                                    detail::NoPayload>,
             private detail::FnSlot<Fn> {
  using Fut = detail::stream_then_future_t<S, Fn>;
  using Base = detail::Machine<Then<S, Fn>, detail::StreamThenState, detail::NoPayload, Fut,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = output_t<Fut>;
  using State = detail::StreamThenState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<S>::value;

  Then(S&& s, Fn fn) : Base(detail::initial), detail::FnSlot<Fn>(std::move(fn)), s_(std::move(s)) {}
  Then(Then&&) = default;  // the moved-from Then has Ended

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Streaming:
        d.node("stream::Then", "state: Streaming");
        break;
      case State::Running:
        d.node("stream::Then", "state: Running");
        d.child(this->template get<State::Running>());
        break;
      case State::Poisoned:
        d.node("stream::Then", "state: Poisoned");
        break;
      case State::Ended:
        d.node("stream::Then", "state: Ended");
        return;
    }
    d.child(s_);
  }

 private:
  static const char* name() noexcept { return "stream::Then"; }
  static constexpr State kInitial = State::Streaming;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = true;  // a future that threw cannot be polled again

  // Called in Streaming or Running: the future in flight, or the next item's.
  Poll<Option<Item>> resume_next(Context& cx) {
    if (this->state() == State::Streaming) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      if (!p.value().has_value()) return Option<Item>();  // s has ended: so has this
      this->template enter_result<State::Running>(this->fn(), std::move(*p.value()));
    }
    Poll<Item> out = this->template get<State::Running>().poll(cx);
    if (out.is_pending()) return pending;
    this->leave(State::Streaming);  // the future is destroyed; its output is in `out`
    return Option<Item>(std::move(out.value()));
  }

  S s_;
};

}  // namespace stream

namespace detail {
// The one check of stream::then(s, fn): s a stream, fn callable with its item
// and returning a future.
template <class S, class Fn>
struct stream_then_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool callable = is_invocable<Fn&, item_t<S>&&>::value;
  template <class T, bool = callable>
  struct returns_future : is_future<stream_then_future_t<T, Fn>> {};
  template <class T>
  struct returns_future<T, false> : std::false_type {};
  static constexpr bool future = returns_future<S>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || callable,
                  "pollen: stream::then()'s function cannot be called with the stream's item");
    static_assert(!a_stream || !callable || future,
                  "pollen: stream::then()'s function must return a future (use stream::map for a "
                  "plain value)");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && callable && future,
                             stream::Then<S, Fn>, errors, NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S, class Fn>
POLLEN_NODISCARD typename detail::stream_then_check<S, typename std::decay<Fn>::type>::type then(
    S s, Fn&& fn) {
  return detail::build<typename detail::stream_then_check<S, typename std::decay<Fn>::type>::type>(
      std::move(s), std::forward<Fn>(fn));
}
}  // namespace stream

POLLEN_NAMESPACE_END
