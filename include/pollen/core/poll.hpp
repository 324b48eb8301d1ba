// pollen/core/poll.hpp: Poll<T>, what poll() returns: Ready(value) or Pending.
//
//   return 42;               // Ready(42): Poll<T> converts from a T
//
// A Poll made from a value builds its T in place (no temporary T, no move
// of it): Poll<Option<T>> made from a T&& moves the T once.
//   return pollen::pending;  // Pending
//
// Reading the value of a Pending Poll is a ContractError.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/option.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

struct PendingTag {
  constexpr explicit PendingTag(int) noexcept {}
};
// `return pollen::pending;` from a poll() that cannot finish yet.
constexpr PendingTag pending{0};

template <class T>
class POLLEN_NODISCARD_TYPE Poll {
 public:
  using value_type = T;

  Poll(PendingTag) noexcept {}  // NOLINT: implicit on purpose

  template <class U = T,
            typename std::enable_if<std::is_constructible<T, U&&>::value &&
                                        !std::is_same<typename std::decay<U>::type, Poll>::value &&
                                        !std::is_same<typename std::decay<U>::type, PendingTag>::value,
                                    int>::type = 0>
  Poll(U&& v) noexcept(std::is_nothrow_constructible<T, U&&>::value)  // NOLINT: implicit
      : value_(detail::InPlaceTag{}, std::forward<U>(v)) {}  // T built in place: no move of it

  bool is_ready() const noexcept { return value_.has_value(); }
  bool is_pending() const noexcept { return !value_.has_value(); }

  T& value() & {
    check();
    return *value_;
  }
  const T& value() const& {
    check();
    return *value_;
  }
  T value() && {
    check();
    return std::move(value_).value();
  }

  friend bool operator==(const Poll& a, const Poll& b) { return a.value_ == b.value_; }
  friend bool operator!=(const Poll& a, const Poll& b) { return !(a == b); }

 private:
  void check() const {
    POLLEN_REQUIRE(value_.has_value(),
                   "Poll::value() called on a Pending Poll; check is_ready() first (a Pending "
                   "poll has no value yet: return Pending to your own caller and wait to be woken)");
  }

  Option<T> value_;  // empty: Pending
};

template <class T>
Poll<typename std::decay<T>::type> ready_poll(T&& v) {
  return Poll<typename std::decay<T>::type>(std::forward<T>(v));
}

POLLEN_NAMESPACE_END
