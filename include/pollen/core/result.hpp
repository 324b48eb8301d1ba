// pollen/core/result.hpp: Result<T, E>, a value or an error (C++14 has no
// std::expected). Errors are values here, never exceptions: everything in
// this header works with -fno-exceptions.
//
// Example:
//
//   pollen::Result<int> parse(const std::string& s) {
//     if (s.empty()) return pollen::err(std::make_error_code(std::errc::invalid_argument));
//     return pollen::ok(std::stoi(s));
//   }
//
// Example:
//
//   pollen::Result<int> r = parse("41").map([](int x) { return x + 1; });
//   if (r.ok()) use(r.value()); else report(r.error());
//
// A future that can fail has Output Result<T> and so returns Poll<Result<T>>;
// the try-combinators (future/try_join.hpp, future/try_join_all.hpp,
// future/and_then.hpp) stop at the first error.
//
// Invariant: `is_ok_` is 1 while the storage holds a live T, 0 while it
// holds a live E; there is always exactly one of them.
// A moved-from Result keeps its state (like Option and std::expected): it
// holds a moved-from T or a moved-from E, and ok() still says which.
//
// There is no Result<T, void> or Result<void, E>: a Result that carries no
// value is Result<Unit, E> (core/unit.hpp), made with pollen::ok(), as a
// future that produces nothing has Output Unit.
//
// Layout and cost: a union of T and E, then one byte, `is_ok_`. When T and E
// are trivially copyable, so is Result<T, E> (Result<int, std::error_code>
// is: copies are byte copies, the destructor does nothing); otherwise its
// special members copy, move and destroy whichever is alive. The is_ok_ byte
// only ever holds 0 or 1: its other 254 values are a niche for a combinator
// that holds a Result (core/layout.hpp).
//
// Contract errors: value() on an error (the message names the error: for a
// std::error_code its category, value and message()); error() on a value.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/layout.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/unit.hpp>

#include <cstddef>
#include <new>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

// What pollen::ok(v) and pollen::err(e) return: a value or an error on its
// way into a Result of any matching type (`return pollen::err(ec);` in a
// function returning Result<std::string>).
template <class T>
struct Ok {
  T value;
};
template <class E>
struct Err {
  E error;
};

template <class T>
Ok<typename std::decay<T>::type> ok(T&& v) {
  return Ok<typename std::decay<T>::type>{std::forward<T>(v)};
}
// The value of a Result<Unit, E>: `return pollen::ok();`.
inline Ok<Unit> ok() noexcept { return Ok<Unit>{Unit{}}; }
template <class E>
Err<typename std::decay<E>::type> err(E&& e) {
  return Err<typename std::decay<E>::type>{std::forward<E>(e)};
}

template <class T, class E = std::error_code>
class Result;

namespace detail {

// Text that names an error, for the ContractError of value() on an error.
inline std::string error_text(const std::error_code& e) {
  return std::string(e.category().name()) + ":" + std::to_string(e.value()) + " \"" + e.message() +
         "\"";
}
inline std::string error_text(const std::string& e) { return "\"" + e + "\""; }
inline std::string error_text(const char* e) { return e ? error_text(std::string(e)) : "null"; }
template <class E, typename std::enable_if<std::is_arithmetic<E>::value, int>::type = 0>
std::string error_text(const E& e) {
  return std::to_string(e);
}
template <class E, typename std::enable_if<std::is_enum<E>::value, int>::type = 0>
std::string error_text(const E& e) {
  return "enumerator " +
         std::to_string(static_cast<long long>(static_cast<typename std::underlying_type<E>::type>(e)));
}
template <class E, typename std::enable_if<!std::is_arithmetic<E>::value && !std::is_enum<E>::value &&
                                               !std::is_convertible<const E&, std::string>::value,
                                           int>::type = 0>
std::string error_text(const E&) {
  return "an error of a type pollen cannot print";
}

[[noreturn]] inline void value_of_error(const std::string& text) {
  contract_violation("Result::value() called on a Result that holds an error (" + text +
                     "); check ok() first, or use value_or()");
}

template <class T>
struct is_result : std::false_type {};
template <class T, class E>
struct is_result<Result<T, E>> : std::true_type {};

// fn(args...), with a void result made into Unit.
template <class Fn, class... Args,
          typename std::enable_if<std::is_void<invoke_result_t<Fn, Args...>>::value, int>::type = 0>
Unit call_to_value(Fn&& fn, Args&&... args) {
  detail::invoke(std::forward<Fn>(fn), std::forward<Args>(args)...);
  return Unit{};
}
template <class Fn, class... Args,
          typename std::enable_if<!std::is_void<invoke_result_t<Fn, Args...>>::value, int>::type = 0>
invoke_result_t<Fn, Args...> call_to_value(Fn&& fn, Args&&... args) {
  return detail::invoke(std::forward<Fn>(fn), std::forward<Args>(args)...);
}
template <class Fn, class... Args>
using call_value_t = decltype(call_to_value(std::declval<Fn>(), std::declval<Args>()...));

// Where the is_ok_ byte sits: after the union, whose size is the larger of
// T and E rounded up to the stricter alignment.
constexpr std::size_t result_max(std::size_t a, std::size_t b) { return a > b ? a : b; }
template <class T, class E>
constexpr std::size_t result_flag_offset() {
  return (result_max(sizeof(T), sizeof(E)) + result_max(alignof(T), alignof(E)) - 1) /
         result_max(alignof(T), alignof(E)) * result_max(alignof(T), alignof(E));
}

// The storage: T or E in a union, and the is_ok_ byte. Two versions, so
// that a Result of trivially destructible types is trivially destructible.
template <class T, class E,
          bool = std::is_trivially_destructible<T>::value && std::is_trivially_destructible<E>::value>
struct ResultStorage {
  ResultStorage() noexcept {}
  union {
    T value_;  // alive while is_ok_ == 1
    E error_;  // alive while is_ok_ == 0
  };
  unsigned char is_ok_;
};
template <class T, class E>
struct ResultStorage<T, E, false> {
  ResultStorage() noexcept {}
  ResultStorage(const ResultStorage&) = delete;
  ResultStorage& operator=(const ResultStorage&) = delete;
  ~ResultStorage() {
    if (is_ok_) {
      value_.~T();
    } else {
      error_.~E();
    }
  }
  union {
    T value_;
    E error_;
  };
  unsigned char is_ok_;
};

template <class T, class E>
struct ResultOps : ResultStorage<T, E> {
  template <class... Args>
  void construct_value(Args&&... args) {
    ::new (static_cast<void*>(&this->value_)) T(std::forward<Args>(args)...);
    this->is_ok_ = 1;
  }
  template <class... Args>
  void construct_error(Args&&... args) {
    ::new (static_cast<void*>(&this->error_)) E(std::forward<Args>(args)...);
    this->is_ok_ = 0;
  }
  void destroy() noexcept {
    if (this->is_ok_) {
      this->value_.~T();
    } else {
      this->error_.~E();
    }
  }
  void copy_from(const ResultOps& o) {
    if (o.is_ok_) {
      construct_value(o.value_);
    } else {
      construct_error(o.error_);
    }
  }
  void move_from(ResultOps&& o) {
    if (o.is_ok_) {
      construct_value(std::move(o.value_));
    } else {
      construct_error(std::move(o.error_));
    }
  }
};

// The switch: trivially copyable T and E give defaulted (trivial) special
// members; otherwise they copy / move / destroy whichever is alive.
template <class T, class E,
          bool = std::is_trivially_copyable<T>::value && std::is_trivially_copyable<E>::value>
struct ResultBase : ResultOps<T, E> {};
#define POLLEN_RESULT_ASSIGN_MESSAGE                                                          \
  "pollen: assigning a Result needs value and error types whose move constructors are "   \
  "noexcept; build a new Result instead"
template <class T, class E>
struct ResultBase<T, E, false> : ResultOps<T, E> {
  static constexpr bool nothrow_moves = std::is_nothrow_move_constructible<T>::value &&
                                        std::is_nothrow_move_constructible<E>::value;
  ResultBase() noexcept = default;
  ResultBase(const ResultBase& o) noexcept(std::is_nothrow_copy_constructible<T>::value &&
                                           std::is_nothrow_copy_constructible<E>::value) {
    this->copy_from(o);
  }
  ResultBase(ResultBase&& o) noexcept(std::is_nothrow_move_constructible<T>::value &&
                                      std::is_nothrow_move_constructible<E>::value) {
    this->move_from(std::move(o));
  }
  // Assignment destroys what is here and moves in a copy of what is there.
  // That needs T and E whose moves cannot throw: a move that threw half way
  // would leave a Result holding neither (std::string, std::error_code and
  // the standard containers qualify). Build a new Result otherwise.
  ResultBase& operator=(const ResultBase& o) {
    static_assert(nothrow_moves, POLLEN_RESULT_ASSIGN_MESSAGE);
    if (this != &o) {
      ResultBase tmp(o);
      this->destroy();
      this->move_from(std::move(tmp));
    }
    return *this;
  }
  ResultBase& operator=(ResultBase&& o) noexcept {
    static_assert(nothrow_moves, POLLEN_RESULT_ASSIGN_MESSAGE);
    if (this != &o) {
      this->destroy();
      this->move_from(std::move(o));
    }
    return *this;
  }
  ~ResultBase() = default;
};
#undef POLLEN_RESULT_ASSIGN_MESSAGE

// An empty base that deletes the copies of a Result whose T or E cannot be
// copied (so that std::is_copy_constructible says so).
template <bool Copyable>
struct ResultCopies {};
template <>
struct ResultCopies<false> {
  ResultCopies() = default;
  ResultCopies(const ResultCopies&) = delete;
  ResultCopies(ResultCopies&&) = default;
  ResultCopies& operator=(const ResultCopies&) = delete;
  ResultCopies& operator=(ResultCopies&&) = default;
};

}  // namespace detail

template <class T, class E>
class Result : private detail::ResultBase<T, E>,
               private detail::ResultCopies<std::is_copy_constructible<T>::value &&
                                            std::is_copy_constructible<E>::value> {
  static_assert(!std::is_void<T>::value,
                "pollen: Result<void, E> is not supported; write Result<pollen::Unit, E> and "
                "return pollen::ok()");
  static_assert(!std::is_void<E>::value, "pollen: a Result needs an error type (the default is "
                                         "std::error_code)");
  static_assert(!std::is_reference<T>::value && !std::is_reference<E>::value,
                "pollen: Result does not hold references; use a pointer");
  using Base = detail::ResultBase<T, E>;
  template <class, class>
  friend class Result;

 public:
  using value_type = T;
  using error_type = E;
  // The is_ok_ byte, right after the union of T and E, holds 0 or 1.
  using pollen_niche = detail::Niche<detail::result_flag_offset<T, E>(), 2, 254>;
  using pollen_relocatable =
      detail::all_of<detail::is_relocatable<T>::value, detail::is_relocatable<E>::value>;

  // A Result is made from a value or an error: ok(v) or err(e) (or another
  // Ok / Err whose contents convert). Implicit on purpose: `return ok(v);`.
  template <class U, typename std::enable_if<std::is_constructible<T, U&&>::value, int>::type = 0>
  Result(Ok<U>&& v) noexcept(std::is_nothrow_constructible<T, U&&>::value) {  // NOLINT
    this->construct_value(std::move(v.value));
  }
  template <class U, typename std::enable_if<std::is_constructible<T, const U&>::value, int>::type = 0>
  Result(const Ok<U>& v) {  // NOLINT
    this->construct_value(v.value);
  }
  template <class G, typename std::enable_if<std::is_constructible<E, G&&>::value, int>::type = 0>
  Result(Err<G>&& e) noexcept(std::is_nothrow_constructible<E, G&&>::value) {  // NOLINT
    this->construct_error(std::move(e.error));
  }
  template <class G, typename std::enable_if<std::is_constructible<E, const G&>::value, int>::type = 0>
  Result(const Err<G>& e) {  // NOLINT
    this->construct_error(e.error);
  }

  Result(const Result&) = default;
  Result(Result&&) = default;
  Result& operator=(const Result&) = default;
  Result& operator=(Result&&) = default;
  ~Result() = default;

  bool ok() const noexcept { return this->is_ok_ != 0; }
  bool is_err() const noexcept { return this->is_ok_ == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // The value. ContractError, naming the error, when it holds an error.
  T& value() & {
    check_value();
    return this->value_;
  }
  const T& value() const& {
    check_value();
    return this->value_;
  }
  T value() && {
    check_value();
    return std::move(this->value_);
  }
  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? this->value_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  T value_or(U&& fallback) && {
    return ok() ? std::move(this->value_) : static_cast<T>(std::forward<U>(fallback));
  }

  // The error. ContractError when it holds a value.
  E& error() & {
    check_error();
    return this->error_;
  }
  const E& error() const& {
    check_error();
    return this->error_;
  }
  E error() && {
    check_error();
    return std::move(this->error_);
  }

  // map(fn): Result<fn(value), E>; an error passes through untouched and fn
  // is not called. fn returning void gives Result<Unit, E>.
  template <class Fn>
  Result<detail::call_value_t<Fn&&, T&&>, E> map(Fn&& fn) && {
    using R = Result<detail::call_value_t<Fn&&, T&&>, E>;
    if (!ok()) return R(Err<E&&>{std::move(this->error_)});
    return R(Ok<detail::call_value_t<Fn&&, T&&>>{
        detail::call_to_value(std::forward<Fn>(fn), std::move(this->value_))});
  }
  template <class Fn>
  Result<detail::call_value_t<Fn&&, const T&>, E> map(Fn&& fn) const& {
    using R = Result<detail::call_value_t<Fn&&, const T&>, E>;
    if (!ok()) return R(Err<const E&>{this->error_});
    return R(Ok<detail::call_value_t<Fn&&, const T&>>{
        detail::call_to_value(std::forward<Fn>(fn), this->value_)});
  }
  // map_err(fn): Result<T, fn(error)>; a value passes through untouched.
  template <class Fn>
  Result<T, detail::remove_cvref_t<detail::invoke_result_t<Fn&&, E&&>>> map_err(Fn&& fn) && {
    using R = Result<T, detail::remove_cvref_t<detail::invoke_result_t<Fn&&, E&&>>>;
    if (ok()) return R(Ok<T&&>{std::move(this->value_)});
    return R(Err<typename R::error_type>{
        detail::invoke(std::forward<Fn>(fn), std::move(this->error_))});
  }
  template <class Fn>
  Result<T, detail::remove_cvref_t<detail::invoke_result_t<Fn&&, const E&>>> map_err(Fn&& fn) const& {
    using R = Result<T, detail::remove_cvref_t<detail::invoke_result_t<Fn&&, const E&>>>;
    if (ok()) return R(Ok<const T&>{this->value_});
    return R(Err<typename R::error_type>{detail::invoke(std::forward<Fn>(fn), this->error_)});
  }
  // and_then(fn): fn(value), itself a Result<U, E> (the same E); an error
  // passes through and fn is not called.
  template <class Fn>
  detail::remove_cvref_t<detail::invoke_result_t<Fn&&, T&&>> and_then(Fn&& fn) && {
    using R = detail::remove_cvref_t<detail::invoke_result_t<Fn&&, T&&>>;
    static_assert(detail::is_result<R>::value,
                  "pollen: Result::and_then()'s function must return a Result (use map() for a "
                  "function that returns a plain value)");
    static_assert(std::is_same<typename R::error_type, E>::value,
                  "pollen: Result::and_then()'s function must return a Result with the same error "
                  "type (convert it with map_err())");
    if (!ok()) return R(Err<E&&>{std::move(this->error_)});
    return detail::invoke(std::forward<Fn>(fn), std::move(this->value_));
  }
  template <class Fn>
  detail::remove_cvref_t<detail::invoke_result_t<Fn&&, const T&>> and_then(Fn&& fn) const& {
    using R = detail::remove_cvref_t<detail::invoke_result_t<Fn&&, const T&>>;
    static_assert(detail::is_result<R>::value,
                  "pollen: Result::and_then()'s function must return a Result (use map() for a "
                  "function that returns a plain value)");
    static_assert(std::is_same<typename R::error_type, E>::value,
                  "pollen: Result::and_then()'s function must return a Result with the same error "
                  "type (convert it with map_err())");
    if (!ok()) return R(Err<const E&>{this->error_});
    return detail::invoke(std::forward<Fn>(fn), this->value_);
  }

  friend bool operator==(const Result& a, const Result& b) {
    if (a.ok() != b.ok()) return false;
    return a.ok() ? a.value_ == b.value_ : a.error_ == b.error_;
  }
  friend bool operator!=(const Result& a, const Result& b) { return !(a == b); }

 private:
  void check_value() const {
    if (POLLEN_UNLIKELY(!ok())) detail::value_of_error(detail::error_text(this->error_));
  }
  void check_error() const {
    POLLEN_REQUIRE(!ok(),
                   "Result::error() called on a Result that holds a value; check ok() first");
  }
};

POLLEN_NAMESPACE_END
