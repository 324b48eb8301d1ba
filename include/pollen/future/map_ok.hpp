// pollen/future/map_ok.hpp: f.map_ok(fn) and f.map_err(fn), for a future f of
// Result<T, E>.
//
//   f.map_ok(fn)   Result<fn(value), E>: an error passes through, fn not called
//   f.map_err(fn)  Result<T, fn(error)>: a value passes through, fn not called
//
// Each is a Map (map.hpp) whose function applies fn to one side of the
// Result (Result::map / Result::map_err, core/result.hpp): same states
// (Incomplete, Poisoned, Complete), same size (a map_ok with a lambda without
// captures is as big as f), same cancellation (destroying it destroys f and
// fn; fn never runs), same contract errors ("Map polled after it returned
// Ready"), and describe() shows a Map. They are futures-rs's
// TryFutureExt::map_ok / map_err. fn returning void gives Result<Unit, E>
// (map_ok).
//
// Example:
//   auto len = read_file(loop, path).map_ok([](std::string s) { return s.size(); });
//   auto msg = connect(loop, addr).map_err([](std::error_code e) { return e.message(); });
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/result.hpp>
#include <pollen/future/machine.hpp>  // is_stateless_fn
#include <pollen/future/map.hpp>
#include <pollen/future/result_traits.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// The function of a map_ok's Map: fn applied to the value of a Result. A
// stateless fn (is_stateless_fn, future/machine.hpp) keeps the adapter
// stateless too: it takes no bytes.
template <class Fn, bool = is_stateless_fn<Fn>::value>
struct OkFn {
  OkFn(Fn f) : fn(std::move(f)) {}  // NOLINT: implicit, from the user's fn
  template <class R>
  auto operator()(R&& r) -> decltype(std::declval<R&&>().map(std::declval<Fn&&>())) {
    return std::forward<R>(r).map(std::move(fn));
  }
  Fn fn;
};
template <class Fn>
struct OkFn<Fn, true> {
  OkFn(Fn) noexcept {}  // NOLINT
  template <class R>
  auto operator()(R&& r) -> decltype(std::declval<R&&>().map(std::declval<Fn&&>())) {
    return std::forward<R>(r).map(make_stateless<Fn>());
  }
};
// The function of a map_err's Map: fn applied to the error of a Result.
template <class Fn, bool = is_stateless_fn<Fn>::value>
struct ErrFn {
  ErrFn(Fn f) : fn(std::move(f)) {}  // NOLINT
  template <class R>
  auto operator()(R&& r) -> decltype(std::declval<R&&>().map_err(std::declval<Fn&&>())) {
    return std::forward<R>(r).map_err(std::move(fn));
  }
  Fn fn;
};
template <class Fn>
struct ErrFn<Fn, true> {
  ErrFn(Fn) noexcept {}  // NOLINT
  template <class R>
  auto operator()(R&& r) -> decltype(std::declval<R&&>().map_err(std::declval<Fn&&>())) {
    return std::forward<R>(r).map_err(make_stateless<Fn>());
  }
};

// The checks of f.map_ok(fn) and f.map_err(fn): f a future of a Result, fn
// callable with its value (its error). A failed check is the first error the
// compiler prints, at the call (Rejected, core/future.hpp).
template <class F, class Fn>
struct map_ok_check {
  static constexpr bool result = outputs_result<F>::value;
  static constexpr bool callable = ok_callable<F, Fn&&>::value;
  struct errors {
    static_assert(result,
                  "pollen: .map_ok() needs a future whose output is a pollen::Result (use .map() "
                  "on other futures)");
    static_assert(!result || callable,
                  "pollen: .map_ok()'s function cannot be called with the value of the future's "
                  "Result");
  };
  using type =
      typename std::conditional<result && callable, Map<F, OkFn<Fn>>, Rejected<errors>>::type;
};
template <class F, class Fn>
struct map_err_check {
  static constexpr bool result = outputs_result<F>::value;
  static constexpr bool callable = err_callable<F, Fn&&>::value;
  struct errors {
    static_assert(result,
                  "pollen: .map_err() needs a future whose output is a pollen::Result (use .map() "
                  "on other futures)");
    static_assert(!result || callable,
                  "pollen: .map_err()'s function cannot be called with the error of the future's "
                  "Result");
  };
  using type =
      typename std::conditional<result && callable, Map<F, ErrFn<Fn>>, Rejected<errors>>::type;
};

}  // namespace detail

// map_ok(f, fn), map_err(f, fn): see the top of this file; also f.map_ok(fn),
// f.map_err(fn).
template <class F, class Fn>
POLLEN_NODISCARD typename detail::map_ok_check<F, typename std::decay<Fn>::type>::type map_ok(
    F f, Fn&& fn) {
  return detail::build<typename detail::map_ok_check<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn));
}
template <class F, class Fn>
POLLEN_NODISCARD typename detail::map_err_check<F, typename std::decay<Fn>::type>::type map_err(
    F f, Fn&& fn) {
  return detail::build<typename detail::map_err_check<F, typename std::decay<Fn>::type>::type>(
      std::move(f), std::forward<Fn>(fn));
}

POLLEN_NAMESPACE_END
