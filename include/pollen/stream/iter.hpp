// pollen/stream/iter.hpp: stream::iter(container), a stream of the
// container's elements, moved out one by one, in order.
//
// States:   Streaming --last element yielded--> Ended
//              |  ^
//              +--+ yield the next element (one unit of budget each)
//
//   State::Streaming  holds the container and an iterator to its next
//                     element
//   State::Ended      holds nothing: every element was yielded (the
//                     container was destroyed with the last one); none
//                     forever (fused)
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
#include <pollen/future/machine.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class IterState : unsigned char { Streaming, Ended };

// Iter's Streaming payload: the container and its next element. The
// iterator points into the container, so a move recomputes it from its
// position.
template <class C>
struct IterCursor {
  using Diff = typename std::iterator_traits<typename C::iterator>::difference_type;
  explicit IterCursor(C&& c) : items(std::move(c)), next(items.begin()) {}
  IterCursor(IterCursor&& o) noexcept(std::is_nothrow_move_constructible<C>::value)
      : IterCursor(std::move(o.items), std::distance(o.items.begin(), o.next)) {}
  IterCursor(C&& c, Diff pos) : items(std::move(c)), next(std::next(items.begin(), pos)) {}
  bool ended() const { return typename C::const_iterator(next) == items.end(); }

  C items;
  typename C::iterator next;
};
}  // namespace detail

namespace stream {

template <class C>
class Iter : public detail::Machine<Iter<C>, detail::IterState, detail::IterCursor<C>,
                                    detail::NoPayload> {
  using Base =
      detail::Machine<Iter<C>, detail::IterState, detail::IterCursor<C>, detail::NoPayload>;
  friend Base;

 public:
  using Item = typename C::value_type;
  using State = detail::IterState;
  // Not relocatable: the iterator may point into the container's own bytes
  // (a std::array), so a move recomputes it.

  explicit Iter(C c) : Base(detail::initial, std::move(c)) {
    if (cursor().ended()) this->leave(State::Ended);
  }
  Iter(Iter&&) = default;  // the moved-from Iter has Ended
  Iter& operator=(Iter&&) = delete;

  void describe(Describer& d) const {
    if (this->state() == State::Ended) {
      d.node("stream::Iter", "state: Ended");
      return;
    }
    const detail::IterCursor<C>& c = cursor();
    const auto left = std::distance(typename C::const_iterator(c.next), c.items.end());
    d.node("stream::Iter", "state: Streaming, " + std::to_string(static_cast<std::size_t>(left)) + " left");
  }

 private:
  static constexpr State kInitial = State::Streaming;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = false;  // an element's move threw: it stays in place

  detail::IterCursor<C>& cursor() noexcept { return this->template get<State::Streaming>(); }
  const detail::IterCursor<C>& cursor() const noexcept {
    return this->template get<State::Streaming>();
  }

  // Called in Streaming: the next element, for one unit of budget; the last
  // one ends the stream.
  Poll<Option<Item>> resume_next(Context& cx) {
    if (!cx.consume_budget()) return pending;
    detail::IterCursor<C>& c = cursor();
    Poll<Option<Item>> p(in_place, in_place, std::move(*c.next));
    ++c.next;
    if (c.ended()) this->leave(State::Ended);
    return p;
  }
};

}  // namespace stream

namespace stream {
template <class C>
POLLEN_NODISCARD Iter<typename std::decay<C>::type> iter(C&& c) {
  return Iter<typename std::decay<C>::type>(std::forward<C>(c));
}
}  // namespace stream

POLLEN_NAMESPACE_END
