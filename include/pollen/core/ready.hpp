// pollen/core/ready.hpp: ready(v), a future that is Ready with v on its first
// poll.
//
// States:   Waiting --poll--> Taken
//
// Output: T, moved out on the first poll.
// Cancellation: destroying it destroys the value if it was not taken.
// Contract errors: polling it again after Ready (or after it was moved
// from) raises ContractError.
// Polling order: no children.
// Example: `int v = pollen::block_on(pollen::ready(7));  // 7`
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/require.hpp>
#include <pollen/core/describer.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/unit.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class POLLEN_NODISCARD_TYPE Ready : public FutureExt<Ready<T>> {
 public:
  using Output = T;
  enum class State { Waiting, Taken };
  // The Option's engaged byte: a combinator holding a Ready keeps its own
  // state in its spare values (core/layout.hpp).
  using pollen_niche = detail::niche_t<Option<T>>;
  // Moving copies the value and empties the source: relocatable when T is.
  using pollen_relocatable = detail::is_relocatable<T>;

  explicit Ready(T v) : value_(std::move(v)) {}
  // Moving takes the value: the moved-from Ready is Taken.
  Ready(Ready&& o) noexcept(std::is_nothrow_move_constructible<T>::value)
      : value_(o.value_.take()) {}
  Ready& operator=(Ready&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    value_ = o.value_.take();
    return *this;
  }

  Poll<T> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (!value_.has_value()) detail::polled_after_ready("Ready");
    T v = std::move(*value_);
    value_.reset();
    return Poll<T>(std::move(v));
  }

  State state() const noexcept { return value_.has_value() ? State::Waiting : State::Taken; }

  void describe(Describer& d) const {
    d.node("Ready", state() == State::Waiting ? "value waiting" : "taken");
  }

 private:
  Option<T> value_;  // engaged exactly in State::Waiting
};

template <class T>
POLLEN_NODISCARD Ready<typename std::decay<T>::type> ready(T&& v) {
  return Ready<typename std::decay<T>::type>(std::forward<T>(v));
}
// ready() with no value: a future of Unit.
POLLEN_NODISCARD inline Ready<Unit> ready() { return Ready<Unit>(Unit{}); }

POLLEN_NAMESPACE_END
