// pollen/stream/chunks.hpp: stream::chunks(s, n), the items of s in
// std::vectors of n (the last one shorter when s ends mid-chunk).
//
// States:   Streaming --s ended, chunk empty--> Ended
//              |  |
//              |  +--s ended, chunk not empty: yield it--> Ended
//              +--+ n items gathered: yield the chunk; s Pending: Pending
//                   (the items so far kept)
//
//   State::Streaming  gathers items into chunk_ (fewer than n)
//   State::Ended      s has ended and the last chunk was yielded; s is not
//                     polled again (fused)
//
// Item: std::vector<item_t<S>>, of n items except for the last.
// Cost: each chunk's vector is allocated once, with room for n, when the
//   previous chunk is yielded (and when the stream is built).
// Cancellation: a Pending poll_next keeps the items gathered so far in the
//   stream: dropping next() over it loses nothing (is_cancel_safe follows
//   s). Destroying the stream destroys s and those items.
// Contract errors: n == 0 (a chunk would never fill). An exception from s
//   propagates; the items gathered so far stay, the stream stays usable.
// Polling order: polls s until the chunk is full, s is Pending, s ends, or
//   the budget is spent (one unit per item gathered without yielding; then
//   Pending, task re-woken).
// Example: `auto batches = pollen::stream::chunks(std::move(rx), 64);`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class ChunksState : unsigned char { Streaming, Ended };
}

namespace stream {

template <class S>
class Chunks
    : public detail::Machine<Chunks<S>, detail::ChunksState, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Chunks<S>, detail::ChunksState, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Item = std::vector<item_t<S>>;
  using State = detail::ChunksState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<S>::value;

  Chunks(S&& s, std::size_t n) : Base(detail::initial), s_(std::move(s)), n_(n) {
    POLLEN_REQUIRE(n != 0, "stream::chunks(s, n) with n == 0: a chunk would never fill; pass n >= 1");
    chunk_.reserve(n);
  }
  Chunks(Chunks&&) = default;  // the moved-from Chunks has Ended

  // Items gathered for the next chunk.
  std::size_t gathered() const noexcept { return chunk_.size(); }
  void describe(Describer& d) const {
    d.node("stream::Chunks", this->state() == State::Ended
                                 ? "state: Ended"
                                 : "state: Streaming, " + std::to_string(chunk_.size()) + " of " +
                                       std::to_string(n_) + " gathered");
    d.child(s_);
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;  // s threw: the items so far stay

  // Called in Streaming: gathers items until the chunk is full or s ends.
  Poll<Option<Item>> resume_next(Context& cx) {
    for (;;) {
      Poll<Option<item_t<S>>> p = s_.poll_next(cx);
      if (p.is_pending()) return pending;
      if (!p.value().has_value()) {
        if (chunk_.empty()) return Option<Item>();
        this->leave(State::Ended);  // the last chunk: s is not polled again
        return Option<Item>(std::move(chunk_));
      }
      chunk_.push_back(std::move(*p.value()));
      if (chunk_.size() == n_) return take();
      if (!detail::spend_item_budget(cx)) return pending;
    }
  }
  Poll<Option<Item>> take() {
    Item out;
    out.reserve(n_);
    out.swap(chunk_);  // chunk_ is empty, with room for n
    return Option<Item>(std::move(out));
  }

  S s_;
  std::size_t n_;
  Item chunk_;  // fewer than n_ items while Streaming
};

}  // namespace stream

namespace detail {
// The one check of stream::chunks(s, n): s must be a stream.
template <class S>
struct chunks_check {
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
  };
  using type = stream_result<is_stand_in<S>::value, is_stream<S>::value, stream::Chunks<S>, errors,
                             NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::chunks_check<S>::type chunks(S s, std::size_t n) {
  return detail::build<typename detail::chunks_check<S>::type>(std::move(s), n);
}
}  // namespace stream

POLLEN_NAMESPACE_END
