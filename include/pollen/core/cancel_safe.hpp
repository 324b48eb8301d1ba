// pollen/core/cancel_safe.hpp: is_cancel_safe<F>, whether dropping F while it
// is Pending can lose anything.
//
// A future is cancel safe when destroying it after it returned Pending loses
// nothing that was not already visible to the caller: dropping a pending
// channel receive loses no message (cancel safe); dropping a pending bounded
// send destroys the value it carried (not cancel safe: use reserve()).
//
// A future states it with a member constant:
//
//   static constexpr bool is_cancel_safe = false;
//
// Futures that say nothing are assumed cancel safe (pollen cannot know, and
// a warning for every user future would be noise). select() uses the trait:
// in builds without NDEBUG it prints a warning when it drops a started,
// non-cancel-safe arm; with POLLEN_STRICT_CANCEL_SAFETY defined, passing such
// a future to select() does not compile.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <type_traits>

POLLEN_NAMESPACE_BEGIN

template <class F, class = void>
struct is_cancel_safe : std::true_type {};

template <class F>
struct is_cancel_safe<F, detail::void_t<decltype(F::is_cancel_safe)>>
    : std::integral_constant<bool, F::is_cancel_safe> {};

namespace detail {
// Prints to stderr that `combinator` dropped its
// started arm `arm` whose type `future_name` is not cancel safe.
void warn_cancel_unsafe_drop(const char* combinator, std::size_t arm,
                             const char* future_name) noexcept;
}  // namespace detail

POLLEN_NAMESPACE_END
