// pollen/future/result_traits.hpp: what the try-combinators (try_join,
// try_join_all, and_then, map_ok, map_err) ask of a future of Result<T, E>.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/type_traits.hpp>

#include <type_traits>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// Whether F is a future whose output is a Result.
template <class F, class = void>
struct outputs_result : std::false_type {};
template <class F>
struct outputs_result<F, typename std::enable_if<is_future<F>::value>::type>
    : is_result<output_t<F>> {};

// The value and error types of a future of Result.
template <class F>
using ok_t = typename output_t<F>::value_type;
template <class F>
using err_t = typename output_t<F>::error_type;

// Whether F is a future of a Result whose error type is E.
template <class F, class E, bool = outputs_result<F>::value>
struct outputs_same_error : std::false_type {};
template <class F, class E>
struct outputs_same_error<F, E, true> : std::is_same<err_t<F>, E> {};

// Whether F is a future of a Result and fn can be called with its value
// (ok_callable) or its error (err_callable), as an rvalue.
template <class F, class Fn, bool = outputs_result<F>::value>
struct ok_callable : std::false_type {};
template <class F, class Fn>
struct ok_callable<F, Fn, true> : is_invocable<Fn, ok_t<F>&&> {};
template <class F, class Fn, bool = outputs_result<F>::value>
struct err_callable : std::false_type {};
template <class F, class Fn>
struct err_callable<F, Fn, true> : is_invocable<Fn, err_t<F>&&> {};

}  // namespace detail
POLLEN_NAMESPACE_END
