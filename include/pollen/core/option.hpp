// pollen/core/option.hpp: Option<T>, a value or nothing (C++14 has no
// std::optional).
//
// Invariant: `engaged_` is 1 exactly when the storage holds a live T, else 0.
// A moved-from Option keeps its state (like std::optional): it holds a
// moved-from T. take() is the move that empties the source.
//
// Layout and cost: the T comes first, then one byte, `engaged_`. When T is
// trivially copyable, so is Option<T> (copies and moves are plain byte
// copies, the destructor does nothing, and an Option<uint64_t> returned from
// a function travels in registers); otherwise its special members copy,
// move and destroy the T when there is one. The engaged byte only ever holds
// 0 or 1 while the Option is alive: the other 254 values are a *niche* that a
// combinator holding an Option can use for its own state (pollen_niche below;
// future/machine.hpp).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/require.hpp>
#include <pollen/core/layout.hpp>

#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

// The empty Option, as in `return pollen::none;`.
struct None {
  constexpr explicit None(int) noexcept {}
};
constexpr None none{0};

// Construct the value in place: Option<T>(pollen::in_place, args...).
struct InPlace {
  constexpr explicit InPlace(int) noexcept {}
};
constexpr InPlace in_place{0};

// gcc 12 reports the union member of a disengaged Option, destroyed behind
// the engaged_ test, as "may be used uninitialized" once enough is inlined
// (a known false positive of -Wmaybe-uninitialized with unions).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace detail {

// The storage of an Option: the value (in a union, so that nothing is
// constructed until there is a value) and the engaged byte. Two versions, so
// that a trivially destructible T keeps the Option trivially destructible.
template <class T, bool = std::is_trivially_destructible<T>::value>
struct OptionStorage {
  OptionStorage() noexcept : engaged_(0) {}
  union {
    T value_;  // alive while engaged_ == 1
  };
  unsigned char engaged_;
};
template <class T>
struct OptionStorage<T, false> {
  OptionStorage() noexcept : engaged_(0) {}
  OptionStorage(const OptionStorage&) = delete;
  OptionStorage& operator=(const OptionStorage&) = delete;
  ~OptionStorage() {
    if (engaged_) value_.~T();
  }
  union {
    T value_;  // alive while engaged_ == 1
  };
  unsigned char engaged_;
};

// What every Option does, on either storage.
template <class T>
struct OptionOps : OptionStorage<T> {
  template <class... Args>
  void construct(Args&&... args) {
    ::new (static_cast<void*>(&this->value_)) T(std::forward<Args>(args)...);
    this->engaged_ = 1;  // only after the constructor returned
  }
  void reset() noexcept {
    if (this->engaged_) {
      this->engaged_ = 0;
      this->value_.~T();
    }
  }
  void copy_from(const OptionOps& o) {
    if (o.engaged_) construct(o.value_);
  }
  void move_from(OptionOps&& o) {
    if (o.engaged_) construct(std::move(o.value_));
  }
};

// The switch: a trivially copyable T gives defaulted (trivial) special
// members; any other T gives the ones that copy/move/destroy the value.
template <class T, bool = std::is_trivially_copyable<T>::value>
struct OptionBase : OptionOps<T> {};
template <class T>
struct OptionBase<T, false> : OptionOps<T> {
  OptionBase() noexcept = default;
  OptionBase(const OptionBase& o) noexcept(std::is_nothrow_copy_constructible<T>::value) {
    this->copy_from(o);
  }
  OptionBase(OptionBase&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    this->move_from(std::move(o));
  }
  OptionBase& operator=(const OptionBase& o) {
    if (this != &o) {
      this->reset();
      this->copy_from(o);
    }
    return *this;
  }
  OptionBase& operator=(OptionBase&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    if (this != &o) {
      this->reset();
      this->move_from(std::move(o));
    }
    return *this;
  }
  ~OptionBase() = default;
};

}  // namespace detail

template <class T>
class Option : private detail::OptionBase<T> {
  static_assert(!std::is_reference<T>::value, "pollen: Option<T&> is not supported; use Option<T*>");
  static_assert(!std::is_same<typename std::decay<T>::type, None>::value,
                "pollen: Option<None> makes no sense");
  using Base = detail::OptionBase<T>;

 public:
  using value_type = T;
  // The engaged byte sits right after the value and holds 0 or 1 (see the
  // top of this file).
  using pollen_niche = detail::Niche<sizeof(T), 2, 254>;

  Option() noexcept = default;
  Option(None) noexcept {}  // NOLINT: implicit on purpose, `return none;`

  // An Option holding a value, implicit on purpose: `Option<int> o = 3;`.
  template <class U = T,
            typename std::enable_if<std::is_constructible<T, U&&>::value &&
                                        !std::is_same<typename std::decay<U>::type, Option>::value &&
                                        !std::is_same<typename std::decay<U>::type, None>::value &&
                                        !std::is_same<typename std::decay<U>::type, InPlace>::value,
                                    int>::type = 0>
  Option(U&& v) noexcept(std::is_nothrow_constructible<T, U&&>::value) {  // NOLINT
    this->construct(std::forward<U>(v));
  }
  // An Option whose value is T(args...), made where it lives.
  template <class... Args>
  explicit Option(InPlace, Args&&... args) noexcept(
      std::is_nothrow_constructible<T, Args&&...>::value) {
    this->construct(std::forward<Args>(args)...);
  }

  Option(const Option&) = default;
  Option(Option&&) = default;
  Option& operator=(const Option&) = default;
  Option& operator=(Option&&) = default;
  Option& operator=(None) noexcept {
    reset();
    return *this;
  }
  ~Option() = default;

  bool has_value() const noexcept { return this->engaged_ != 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    check();
    return this->value_;
  }
  const T& value() const& {
    check();
    return this->value_;
  }
  T value() && {
    check();
    return std::move(this->value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? this->value_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  T value_or(U&& fallback) && {
    return has_value() ? std::move(this->value_) : static_cast<T>(std::forward<U>(fallback));
  }

  // Moves the value out and leaves this Option empty.
  Option take() noexcept(std::is_nothrow_move_constructible<T>::value) {
    Option out;
    if (has_value()) {
      out.construct(std::move(this->value_));
      reset();
    }
    return out;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    reset();
    this->construct(std::forward<Args>(args)...);
    return this->value_;
  }

  void reset() noexcept { Base::reset(); }

  friend bool operator==(const Option& a, const Option& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a.has_value() || a.value_ == b.value_;
  }
  friend bool operator!=(const Option& a, const Option& b) { return !(a == b); }
  friend bool operator==(const Option& a, None) noexcept { return !a.has_value(); }
  friend bool operator!=(const Option& a, None) noexcept { return a.has_value(); }

 private:
  void check() const {
    POLLEN_REQUIRE(has_value(),
                   "Option::value() called on an empty Option; check has_value() first, or use "
                   "value_or()");
  }
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class T>
Option<typename std::decay<T>::type> some(T&& v) {
  return Option<typename std::decay<T>::type>(std::forward<T>(v));
}

POLLEN_NAMESPACE_END
