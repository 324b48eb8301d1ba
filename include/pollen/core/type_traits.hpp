// pollen/core/type_traits.hpp: the small C++17 library pieces that pollen's
// headers need, written for C++14 (void_t, invoke, invoke_result_t,
// remove_cvref_t), plus the future traits' building blocks.
#pragma once

#include <pollen/config.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

template <class...>
struct make_void {
  using type = void;
};
template <class... Ts>
using void_t = typename make_void<Ts...>::type;

template <class T>
using remove_cvref_t = typename std::remove_cv<typename std::remove_reference<T>::type>::type;

// invoke(): calls a callable, or a pointer to member on an object, a
// reference or a pointer (smart pointers too) to one, as std::invoke does
// (without <functional>, which would be most of a light header's cost).
template <class Fn, class... Args,
          typename std::enable_if<!std::is_member_pointer<typename std::decay<Fn>::type>::value,
                                  int>::type = 0>
constexpr auto invoke(Fn&& fn, Args&&... args) noexcept(
    noexcept(std::forward<Fn>(fn)(std::forward<Args>(args)...)))
    -> decltype(std::forward<Fn>(fn)(std::forward<Args>(args)...)) {
  return std::forward<Fn>(fn)(std::forward<Args>(args)...);
}

template <class T>
struct member_class;
template <class M, class C>
struct member_class<M C::*> {
  using type = C;
};

// The object a pointer to a member of C applies to: obj itself, or *obj.
template <class C, class Obj,
          typename std::enable_if<std::is_base_of<C, remove_cvref_t<Obj>>::value, int>::type = 0>
constexpr Obj&& member_target(Obj&& obj) noexcept {
  return std::forward<Obj>(obj);
}
template <class C, class Obj,
          typename std::enable_if<!std::is_base_of<C, remove_cvref_t<Obj>>::value, int>::type = 0>
constexpr auto member_target(Obj&& obj) -> decltype(*std::forward<Obj>(obj)) {
  return *std::forward<Obj>(obj);
}

template <class Fn, class Obj, class... Args,
          class C = typename member_class<typename std::decay<Fn>::type>::type,
          typename std::enable_if<
              std::is_member_function_pointer<typename std::decay<Fn>::type>::value, int>::type = 0>
constexpr auto invoke(Fn&& fn, Obj&& obj, Args&&... args)
    -> decltype((detail::member_target<C>(std::forward<Obj>(obj)).*fn)(std::forward<Args>(args)...)) {
  return (detail::member_target<C>(std::forward<Obj>(obj)).*fn)(std::forward<Args>(args)...);
}
template <class Fn, class Obj, class C = typename member_class<typename std::decay<Fn>::type>::type,
          typename std::enable_if<
              std::is_member_object_pointer<typename std::decay<Fn>::type>::value, int>::type = 0>
constexpr auto invoke(Fn&& fn, Obj&& obj) noexcept
    -> decltype(detail::member_target<C>(std::forward<Obj>(obj)).*fn) {
  return detail::member_target<C>(std::forward<Obj>(obj)).*fn;
}

template <class Fn, class... Args>
using invoke_result_t = decltype(detail::invoke(std::declval<Fn>(), std::declval<Args>()...));

template <class Fn, class Args, class = void>
struct is_invocable_impl : std::false_type {};
template <class Fn, class... Args>
struct is_invocable_impl<Fn, void(Args...),
                         void_t<decltype(detail::invoke(std::declval<Fn>(), std::declval<Args>()...))>>
    : std::true_type {};
template <class Fn, class... Args>
struct is_invocable : is_invocable_impl<Fn, void(Args...)> {};

// all_of<B...>: true when every B is (true for none). The one conjunction
// of pollen's headers (std::conjunction is C++17).
template <bool... Bs>
struct all_of : std::true_type {};
template <bool B, bool... Bs>
struct all_of<B, Bs...> : std::integral_constant<bool, B && all_of<Bs...>::value> {};

}  // namespace detail
POLLEN_NAMESPACE_END
