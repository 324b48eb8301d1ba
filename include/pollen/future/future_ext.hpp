// pollen/future/future_ext.hpp: FutureExt<D>, the CRTP mixin that gives a
// future the chaining methods.
//
//   struct MyFuture : pollen::FutureExt<MyFuture> { ... };
//   auto f = MyFuture{}.map(fn).then(fn2).fuse();
//
// Every library future derives from it; a user future that derives from it
// chains the same way. The free functions (pollen::map(f, fn), ...) work on
// any future, mixin or not.
//
// The methods consume the future: they exist only on rvalues. On an lvalue
// write `std::move(f).map(fn)`; `f.map(fn)` stops with one static_assert that
// says so.
//
// This header only declares the combinator types; include
// <pollen/future.hpp> (or the header of the combinator) to use a method.
// The mixin is an empty base: it adds no bytes to the future.
#pragma once

#include <pollen/config.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F, class Fn>
class Map;
template <class F, class Fn>
class Then;
template <class F>
class Fuse;
template <class T>
class BoxFuture;

namespace detail {
template <class F, class Fn, class = void>
struct then_type;  // Then<F, Fn>, or Map<F, Fn> when fn returns a value (then.hpp)
template <class D>
struct dependent_false : std::false_type {};
}  // namespace detail

template <class D>
class FutureExt {
 public:
  // map(fn): see map.hpp.
  template <class Fn>
  POLLEN_NODISCARD Map<D, typename std::decay<Fn>::type> map(Fn&& fn) && {
    return Map<D, typename std::decay<Fn>::type>(std::move(self()), std::forward<Fn>(fn));
  }
  // then(fn): see then.hpp.
  template <class Fn>
  POLLEN_NODISCARD typename detail::then_type<D, typename std::decay<Fn>::type>::type then(
      Fn&& fn) && {
    return typename detail::then_type<D, typename std::decay<Fn>::type>::type(
        std::move(self()), std::forward<Fn>(fn));
  }
  // fuse(): see fuse.hpp.
  template <class E = D>
  POLLEN_NODISCARD Fuse<E> fuse() && {
    return Fuse<E>(std::move(self()));
  }
  // boxed(): see core/box_future.hpp. One allocation.
  template <class E = D>
  POLLEN_NODISCARD BoxFuture<typename E::Output> boxed() &&;

  // The lvalue forms exist only to say what to write instead.
  template <class Fn>
  void map(Fn&&) & {
    static_assert(detail::dependent_false<Fn>::value,
                  "pollen: .map() consumes the future: write std::move(f).map(fn)");
  }
  template <class Fn>
  void then(Fn&&) & {
    static_assert(detail::dependent_false<Fn>::value,
                  "pollen: .then() consumes the future: write std::move(f).then(fn)");
  }
  template <class E = D>
  void fuse() & {
    static_assert(detail::dependent_false<E>::value,
                  "pollen: .fuse() consumes the future: write std::move(f).fuse()");
  }

 private:
  D& self() noexcept { return static_cast<D&>(*this); }
};

POLLEN_NAMESPACE_END

// FutureExt::boxed() is defined next to BoxFuture.
#include <pollen/core/box_future.hpp>
