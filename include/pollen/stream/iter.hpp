// pollen/stream/iter.hpp: stream::iter(container), a stream of the
// container's elements, moved out one by one, in order.
//
// States:   Streaming --last element yielded--> Ended
//              |  ^
//              +--+ yield the next element (one unit of budget each)
//
//   State::Streaming  pos_ indexes the next element of c_
//   State::Ended      every element was yielded; none forever (fused)
//
// Item: the container's value_type. The stream owns the container.
// Cancellation: destroying it destroys the container with the elements not
//   yet yielded.
// Contract errors: none.
// Polling order: never Pending except when the cooperative budget is spent
//   (then the task is re-woken): an iter() stream cannot starve a loop.
// Example: `auto s = pollen::stream::iter(std::vector<int>{1, 2, 3});`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

template <class C>
class Iter {
 public:
  using Item = typename C::value_type;
  enum class State { Streaming, Ended };

  explicit Iter(C c) : c_(std::move(c)), it_(c_.begin()) {}
  // The iterator points into the container, so a move recomputes it.
  Iter(Iter&& o) noexcept(std::is_nothrow_move_constructible<C>::value)
      : c_(), it_(), pos_(o.pos_) {
    c_ = std::move(o.c_);
    it_ = std::next(c_.begin(), static_cast<std::ptrdiff_t>(pos_));
    o.c_ = C();
    o.it_ = o.c_.begin();
    o.pos_ = 0;
  }
  Iter& operator=(Iter&&) = delete;

  Poll<Option<Item>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    if (it_ == c_.end()) return Option<Item>();
    if (!cx.consume_budget()) return pending;
    Item v = std::move(*it_);
    ++it_;
    ++pos_;
    return Option<Item>(std::move(v));
  }

  State state() const noexcept { return it_ == c_.end() ? State::Ended : State::Streaming; }
  void describe(Describer& d) const {
    d.node("stream::Iter", state() == State::Ended
                               ? std::string("state: Ended")
                               : "state: Streaming, " +
                                     std::to_string(static_cast<std::size_t>(
                                         std::distance(typename C::const_iterator(it_), c_.end()))) +
                                     " left");
  }

 private:
  C c_;
  typename C::iterator it_;  // the next element of c_
  std::size_t pos_ = 0;      // how many elements were yielded: it_ == begin() + pos_
};

template <class C>
POLLEN_NODISCARD Iter<typename std::decay<C>::type> iter(C&& c) {
  return Iter<typename std::decay<C>::type>(std::forward<C>(c));
}

}  // namespace stream
POLLEN_NAMESPACE_END
