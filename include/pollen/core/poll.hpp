// pollen/core/poll.hpp: Poll<T>, what poll() returns: Ready(value) or Pending.
//
//   return 42;               // Ready(42): Poll<T> converts from a T
//   return pollen::pending;  // Pending
//
// Reading the value of a Pending Poll is a ContractError. A Poll<T> is
// trivially copyable when T is (it is an Option<T>), so a Poll<uint64_t>
// comes back from poll() in registers.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/require.hpp>
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
                                        !std::is_same<typename std::decay<U>::type, PendingTag>::value &&
                                        !std::is_same<typename std::decay<U>::type, InPlace>::value,
                                    int>::type = 0>
  Poll(U&& v) noexcept(std::is_nothrow_constructible<T, U&&>::value)  // NOLINT: implicit
      : value_(in_place, std::forward<U>(v)) {}
  // Ready(T(args...)), the value made where it lives.
  template <class... Args>
  explicit Poll(InPlace, Args&&... args) noexcept(
      std::is_nothrow_constructible<T, Args&&...>::value)
      : value_(in_place, std::forward<Args>(args)...) {}

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
