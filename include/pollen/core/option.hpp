// pollen/core/option.hpp: Option<T>, a value or nothing (C++14 has no
// std::optional).
//
// Invariant: `engaged_` is true exactly when `storage_` holds a live T.
// A moved-from Option keeps its state (like std::optional): it holds a
// moved-from T. take() is the move that empties the source.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>

#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

// The empty Option, as in `return pollen::none;`.
struct None {
  constexpr explicit None(int) noexcept {}
};
constexpr None none{0};

namespace detail {
// Option<T>(InPlaceTag{}, args...) builds its T from args where the Option
// keeps it: no temporary T and no move (Poll builds its value this way).
struct InPlaceTag {};
}  // namespace detail

// gcc 12 reports the union member of a disengaged Option, destroyed behind
// the engaged_ test, as "may be used uninitialized" once enough is inlined
// (a known false positive of -Wmaybe-uninitialized with unions).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <class T>
class Option {
  static_assert(!std::is_reference<T>::value, "pollen: Option<T&> is not supported; use Option<T*>");
  static_assert(!std::is_same<typename std::decay<T>::type, None>::value,
                "pollen: Option<None> makes no sense");

 public:
  using value_type = T;

  Option() noexcept {}
  Option(None) noexcept {}  // NOLINT: implicit on purpose, `return none;`

  // An Option holding a value, implicit on purpose: `Option<int> o = 3;`.
  template <class U = T,
            typename std::enable_if<std::is_constructible<T, U&&>::value &&
                                        !std::is_same<typename std::decay<U>::type, Option>::value &&
                                        !std::is_same<typename std::decay<U>::type, None>::value,
                                    int>::type = 0>
  Option(U&& v) noexcept(std::is_nothrow_constructible<T, U&&>::value) {  // NOLINT
    construct(std::forward<U>(v));
  }

  // An Option holding T(args...), built in place.
  template <class... Args>
  explicit Option(detail::InPlaceTag, Args&&... args) noexcept(
      std::is_nothrow_constructible<T, Args&&...>::value) {
    construct(std::forward<Args>(args)...);
  }

  Option(const Option& o) noexcept(std::is_nothrow_copy_constructible<T>::value) {
    if (o.engaged_) construct(*o.ptr());
  }
  Option(Option&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    if (o.engaged_) construct(std::move(*o.ptr()));
  }
  Option& operator=(const Option& o) {
    if (this != &o) {
      if (o.engaged_) {
        emplace(*o.ptr());
      } else {
        reset();
      }
    }
    return *this;
  }
  Option& operator=(Option&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    if (this != &o) {
      if (o.engaged_) {
        emplace(std::move(*o.ptr()));
      } else {
        reset();
      }
    }
    return *this;
  }
  Option& operator=(None) noexcept {
    reset();
    return *this;
  }
  ~Option() { reset(); }

  bool has_value() const noexcept { return engaged_; }
  explicit operator bool() const noexcept { return engaged_; }

  T& value() & {
    check();
    return *ptr();
  }
  const T& value() const& {
    check();
    return *ptr();
  }
  T value() && {
    check();
    return std::move(*ptr());
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return engaged_ ? *ptr() : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  T value_or(U&& fallback) && {
    return engaged_ ? std::move(*ptr()) : static_cast<T>(std::forward<U>(fallback));
  }

  // Moves the value out and leaves this Option empty.
  Option take() noexcept(std::is_nothrow_move_constructible<T>::value) {
    Option out;
    if (engaged_) {
      out.construct(std::move(*ptr()));
      reset();
    }
    return out;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    reset();
    construct(std::forward<Args>(args)...);
    return *ptr();
  }

  void reset() noexcept {
    if (engaged_) {
      engaged_ = false;
      ptr()->~T();
    }
  }

  friend bool operator==(const Option& a, const Option& b) {
    if (a.engaged_ != b.engaged_) return false;
    return !a.engaged_ || *a.ptr() == *b.ptr();
  }
  friend bool operator!=(const Option& a, const Option& b) { return !(a == b); }
  friend bool operator==(const Option& a, None) noexcept { return !a.engaged_; }
  friend bool operator!=(const Option& a, None) noexcept { return a.engaged_; }

 private:
  template <class... Args>
  void construct(Args&&... args) {
    ::new (static_cast<void*>(&storage_.value)) T(std::forward<Args>(args)...);
    engaged_ = true;  // only after the constructor returned
  }
  void check() const {
    POLLEN_REQUIRE(engaged_,
                   "Option::value() called on an empty Option; check has_value() first, or use "
                   "value_or()");
  }
  T* ptr() noexcept { return &storage_.value; }
  const T* ptr() const noexcept { return &storage_.value; }

  // A union rather than raw bytes: the compiler then knows which member is
  // alive (no false "may be used uninitialized" warnings).
  union Storage {
    char none;  // alive while !engaged_
    T value;    // alive while engaged_
    Storage() noexcept : none() {}
    ~Storage() {}
  } storage_;
  bool engaged_ = false;
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class T>
Option<typename std::decay<T>::type> some(T&& v) {
  return Option<typename std::decay<T>::type>(std::forward<T>(v));
}

POLLEN_NAMESPACE_END
