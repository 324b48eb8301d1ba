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
// The stand-in Output of a type that is not a future, so that a failed
// POLLEN_REQUIRE_FUTURE stays the only error the user reads.
struct NotAFuture {};
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
