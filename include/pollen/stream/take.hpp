// pollen/stream/take.hpp: stream::take(s, n), the first n items of s.
//
// States:   Streaming --n items yielded, or s ended--> Ended
//              |  ^
//              +--+ item: yield it, one fewer left; s Pending: Pending
//
//   State::Streaming  left_ > 0 items still to yield; polls s
//   State::Ended      s is not polled again (fused); take(s, 0) starts here
//
// Item: item_t<S>.
// Cancellation: destroying it destroys s; s is never polled for an item
//   beyond the n-th, so nothing past it is taken out of s.
// Contract errors: none.
// Polling order: one poll_next of s per poll_next while Streaming; no budget
//   of its own.
// Example: `auto first3 = pollen::stream::take(std::move(rx), 3);`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class S>
class Take {
  POLLEN_REQUIRE_STREAM(S);

 public:
  using Item = item_t<S>;
  enum class State { Streaming, Ended };

  Take(S s, std::size_t n) : s_(std::move(s)), left_(n), state_(n == 0 ? State::Ended : State::Streaming) {}

  Poll<Option<Item>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Ended) return Option<Item>();
    Poll<Option<Item>> p = s_.poll_next(cx);
    if (p.is_pending()) return pending;
    Option<Item> v = std::move(p).value();
    if (!v.has_value() || --left_ == 0) state_ = State::Ended;
    return v;
  }

  State state() const noexcept { return state_; }
  std::size_t remaining() const noexcept { return left_; }
  void describe(Describer& d) const {
    d.node("stream::Take", state_ == State::Ended ? "state: Ended"
                                                 : "state: Streaming, " + std::to_string(left_) + " left");
    d.child(s_);
  }

 private:
  S s_;
  std::size_t left_;  // valid in State::Streaming: items still to yield (> 0)
  State state_;
};

template <class S>
POLLEN_NODISCARD Take<S> take(S s, std::size_t n) {
  return Take<S>(std::move(s), n);
}

}  // namespace stream
POLLEN_NAMESPACE_END
