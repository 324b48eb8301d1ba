// pollen/core/future_ext.hpp: FutureExt<D>, the CRTP mixin that gives a
// future the chaining methods.
//
//   struct MyFuture : pollen::FutureExt<MyFuture> { ... };
//   auto f = MyFuture{}.map(fn).then(fn2).fuse();
//   auto g = read_config().and_then(fetch).map_ok(parse).map_err(explain);  // on Result outputs
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
// <pollen/future.hpp> (or the header of the combinator) to use a method:
// boxed() is defined next to BoxFuture, in <pollen/core/box_future.hpp>.
// The mixin is an empty base: it adds no bytes to the future.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/future.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F>
class Fuse;
template <class T>
class BoxFuture;

namespace detail {
// The checks of the chaining methods, defined next to each combinator: each
// names the result, and when a check fails that is a Rejected<errors> whose
// static_assert says what is wrong (the first error the compiler prints;
// core/future.hpp).
template <class F, class Fn>
struct map_check;   // map.hpp
template <class F, class Fn>
struct then_check;  // then.hpp: Then<F, Fn>, or Map<F, Fn> when fn returns a value
template <class F>
struct fuse_check;  // fuse.hpp
// On futures of Result<T, E> only (core/result.hpp):
template <class F, class Fn>
struct and_then_check;  // and_then.hpp: AndThen<F, Fn>
template <class F, class Fn>
struct map_ok_check;    // map_ok.hpp: a Map applying fn to the value
template <class F, class Fn>
struct map_err_check;   // map_ok.hpp: a Map applying fn to the error

// The lvalue forms of the chaining methods: the error says what to write
// (Rejected: see core/future.hpp).
template <class Method, class Dependent>
struct consumes;
struct MapMethod;
struct ThenMethod;
struct FuseMethod;
struct BoxedMethod;
struct AndThenMethod;
struct MapOkMethod;
struct MapErrMethod;
template <class Dependent>
struct always_false : std::false_type {};
template <class D>
struct consumes<MapMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .map() consumes the future: write std::move(f).map(fn)");
  };
  using type = Rejected<errors>;
};
template <class D>
struct consumes<ThenMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .then() consumes the future: write std::move(f).then(fn)");
  };
  using type = Rejected<errors>;
};
template <class D>
struct consumes<FuseMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .fuse() consumes the future: write std::move(f).fuse()");
  };
  using type = Rejected<errors>;
};
template <class D>
struct consumes<BoxedMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .boxed() consumes the future: write std::move(f).boxed()");
  };
  using type = Rejected<errors>;
};
template <class D>
struct consumes<AndThenMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .and_then() consumes the future: write std::move(f).and_then(fn)");
  };
  using type = Rejected<errors>;
};
template <class D>
struct consumes<MapOkMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .map_ok() consumes the future: write std::move(f).map_ok(fn)");
  };
  using type = Rejected<errors>;
};
template <class D>
struct consumes<MapErrMethod, D> {
  struct errors {
    static_assert(always_false<D>::value,
                  "pollen: .map_err() consumes the future: write std::move(f).map_err(fn)");
  };
  using type = Rejected<errors>;
};
}  // namespace detail

template <class D>
class FutureExt {
 public:
  // map(fn): see map.hpp.
  template <class Fn>
  POLLEN_NODISCARD typename detail::map_check<D, typename std::decay<Fn>::type>::type map(
      Fn&& fn) && {
    return detail::build<typename detail::map_check<D, typename std::decay<Fn>::type>::type>(
        std::move(self()), std::forward<Fn>(fn));
  }
  // then(fn): see then.hpp.
  template <class Fn>
  POLLEN_NODISCARD typename detail::then_check<D, typename std::decay<Fn>::type>::type then(
      Fn&& fn) && {
    return detail::build<typename detail::then_check<D, typename std::decay<Fn>::type>::type>(
        std::move(self()), std::forward<Fn>(fn));
  }
  // fuse(): see fuse.hpp.
  template <class E = D>
  POLLEN_NODISCARD typename detail::fuse_check<E>::type fuse() && {
    return detail::build<typename detail::fuse_check<E>::type>(std::move(self()));
  }
  // On a future of Result<T, E>: and_then(fn) continues with the future
  // fn(value) returns, map_ok(fn) maps the value, map_err(fn) the error; an
  // error (a value, for map_err) passes through. See and_then.hpp, map_ok.hpp.
  template <class Fn>
  POLLEN_NODISCARD typename detail::and_then_check<D, typename std::decay<Fn>::type>::type and_then(
      Fn&& fn) && {
    return detail::build<typename detail::and_then_check<D, typename std::decay<Fn>::type>::type>(
        std::move(self()), std::forward<Fn>(fn));
  }
  template <class Fn>
  POLLEN_NODISCARD typename detail::map_ok_check<D, typename std::decay<Fn>::type>::type map_ok(
      Fn&& fn) && {
    return detail::build<typename detail::map_ok_check<D, typename std::decay<Fn>::type>::type>(
        std::move(self()), std::forward<Fn>(fn));
  }
  template <class Fn>
  POLLEN_NODISCARD typename detail::map_err_check<D, typename std::decay<Fn>::type>::type map_err(
      Fn&& fn) && {
    return detail::build<typename detail::map_err_check<D, typename std::decay<Fn>::type>::type>(
        std::move(self()), std::forward<Fn>(fn));
  }
  // boxed(): see core/box_future.hpp. One allocation.
  template <class E = D>
  POLLEN_NODISCARD BoxFuture<typename E::Output> boxed() &&;

  // The lvalue forms exist only to say what to write instead.
  template <class Fn>
  typename detail::consumes<detail::MapMethod, Fn>::type map(Fn&&) & {
    return {};
  }
  template <class Fn>
  typename detail::consumes<detail::ThenMethod, Fn>::type then(Fn&&) & {
    return {};
  }
  template <class E = D>
  typename detail::consumes<detail::FuseMethod, E>::type fuse() & {
    return {};
  }
  template <class E = D>
  typename detail::consumes<detail::BoxedMethod, E>::type boxed() & {
    return {};
  }
  template <class Fn>
  typename detail::consumes<detail::AndThenMethod, Fn>::type and_then(Fn&&) & {
    return {};
  }
  template <class Fn>
  typename detail::consumes<detail::MapOkMethod, Fn>::type map_ok(Fn&&) & {
    return {};
  }
  template <class Fn>
  typename detail::consumes<detail::MapErrMethod, Fn>::type map_err(Fn&&) & {
    return {};
  }

 private:
  D& self() noexcept { return static_cast<D&>(*this); }
};

POLLEN_NAMESPACE_END

