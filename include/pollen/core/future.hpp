// pollen/core/future.hpp: what a future is, and the traits that detect one.
//
// A future is any movable type F with
//
//   using Output = T;
//   pollen::Poll<T> poll(pollen::Context& cx);
//   void describe(pollen::Describer& d) const;   // optional, see describe.hpp
//
// poll() returns Ready(value) once; before that it returns Pending and has
// arranged for cx.waker() to be woken when polling again can make progress.
// Polling again after Ready is a contract violation: library futures raise
// ContractError (wrap one in fuse() to poll it after Ready).
//
// is_future<F>::value tells whether F is one; output_t<F> is its Output.
// Functions that take a future check with POLLEN_REQUIRE_FUTURE(F), which
// fails with one readable static_assert line.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/type_traits.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F, class = void>
struct is_future : std::false_type {};

template <class F>
struct is_future<F, detail::void_t<typename F::Output,
                                   decltype(std::declval<F&>().poll(std::declval<Context&>()))>>
    : std::integral_constant<
          bool, std::is_same<decltype(std::declval<F&>().poll(std::declval<Context&>())),
                             Poll<typename F::Output>>::value &&
                    std::is_move_constructible<F>::value && !std::is_reference<F>::value> {};

namespace detail {
// What a factory (map, then, join, ...) returns when its arguments are wrong,
// and the stand-in Output of a type that is not a future. The factory's
// static_assert is the error the user reads; NotAFuture then keeps quiet: it
// passes for a future (its poll() is declared, never defined: it is only ever
// seen by a build that has already failed), every chaining method on it
// gives NotAFuture again, and it converts to whatever the code around it
// expects (`int v = pollen::block_on(bad);` adds no error of its own).
struct NotAFuture {
  using Output = NotAFuture;
  Poll<NotAFuture> poll(Context&);
  template <class... Args>
  NotAFuture map(Args&&...) const noexcept {
    return {};
  }
  template <class... Args>
  NotAFuture then(Args&&...) const noexcept {
    return {};
  }
  NotAFuture fuse() const noexcept { return {}; }
  NotAFuture boxed() const noexcept { return {}; }
  template <class T>
  operator T() const noexcept;  // NOLINT: declared only, as poll()
};

// The check of a factory or chaining method (map_check in map.hpp, ...) is a
// class with the conditions, a nested class `errors` whose static_asserts
// say what is wrong in pollen's words, and
//   using type = conditional<ok, TheCombinator, Rejected<errors>>;
// which the factory returns. Rejected<errors> is a NotAFuture that needs
// `errors` complete: a call's result type must be complete where the call
// is, so the compiler instantiates `errors` right there, at the user's line,
// and its static_assert is the first error printed; nothing else fails
// after it. (A static_assert instantiated while the factory's signature is
// worked out, as a plain check class would be, makes clang drop the
// candidate and add "no matching function"; a static_assert in the
// factory's body comes only at the end of the file, after the errors of the
// code that used the result. And Rejected does not derive from `errors`: a
// class whose base failed is broken for clang, which would then report every
// use of the result.)
template <class Errors, class As = NotAFuture>
struct Rejected : As {
  static_assert(sizeof(Errors) > 0, "pollen: the error above says what is wrong");
};

// build<R>(args...): R(args...), or the quiet stand-in when a check failed.
template <class R>
struct builder {
  template <class... Args>
  static R make(Args&&... args) {
    return R(std::forward<Args>(args)...);
  }
};
template <>
struct builder<NotAFuture> {
  template <class... Args>
  static NotAFuture make(Args&&...) noexcept {
    return {};
  }
};
template <class Errors, class As>
struct builder<Rejected<Errors, As>> {
  template <class... Args>
  static Rejected<Errors, As> make(Args&&...) noexcept {
    return {};
  }
};
template <class R, class... Args>
R build(Args&&... args) {
  return builder<R>::make(std::forward<Args>(args)...);
}
template <class F, bool = is_future<F>::value>
struct output_of {
  using type = NotAFuture;
};
template <class F>
struct output_of<F, true> {
  using type = typename F::Output;
};
}  // namespace detail

template <class F>
using output_t = typename detail::output_of<F>::type;

POLLEN_NAMESPACE_END

#define POLLEN_REQUIRE_FUTURE(F)                                                          \
  static_assert(::pollen::is_future<F>::value,                                            \
                "pollen: this type is not a future: a future is a movable type with "     \
                "`using Output = T;` and `pollen::Poll<T> poll(pollen::Context&)`")
