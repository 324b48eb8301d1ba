// pollen/future/one_of.hpp: OneOf<T0, ..., Tn>, one value out of several
// possible types, and which one it is: what select() returns. Either<A, B>
// is its two-case name. (C++14 has no std::variant; this is the small part
// of it that select needs.)
//
// Example:
//
//   pollen::OneOf<int, std::string> o(pollen::in_place_index<1>, "hi");
//   o.index();                 // 1
//   pollen::get<1>(o);         // "hi"
//   o.holds<0>();              // false
//   pollen::get<0>(o);         // ContractError: it holds alternative 1
//
// Invariant: exactly one alternative is alive, the one at index(). A OneOf
// always holds a value (it has no empty state); a moved-from OneOf holds a
// moved-from value.
//
// Layout and cost: the alternatives share one buffer, followed by the index
// byte. When every alternative is trivially copyable, so is the OneOf (moves
// are byte copies, nothing to destroy); otherwise its special members find
// the alternative at index() by a chain of compares, with no indirect call.
// The index byte's spare values are a niche (core/layout.hpp).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/layout.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <std::size_t I>
struct InPlaceIndex {
  constexpr InPlaceIndex() noexcept {}
};
#if __cplusplus >= 201703L
template <std::size_t I>
inline constexpr InPlaceIndex<I> in_place_index{};
#else
template <std::size_t I>
constexpr InPlaceIndex<I> in_place_index{};
#endif

namespace detail {
constexpr std::size_t max_of() { return 1; }
template <class... Rest>
constexpr std::size_t max_of(std::size_t a, Rest... rest) {
  return a > max_of(rest...) ? a : max_of(rest...);
}

[[noreturn]] inline void one_of_wrong_index() {
  contract_violation(
      "get<I>() on a OneOf that holds another alternative; check index() or holds<I>() first");
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// The bytes of a OneOf and what every OneOf does with them.
template <class... Ts>
struct OneOfStorage {
  template <std::size_t I>
  using alternative = typename std::tuple_element<I, std::tuple<Ts...>>::type;
  template <std::size_t I>
  using Index = std::integral_constant<std::size_t, I>;
  using End = Index<sizeof...(Ts)>;

  OneOfStorage() noexcept {}  // no member written: the copy/move sets index_
  // Makes alternative I from args. A constructor that throws leaves no
  // OneOf behind (nothing to destroy).
  template <std::size_t I, class... Args>
  explicit OneOfStorage(std::integral_constant<std::size_t, I>, Args&&... args) {
    ::new (static_cast<void*>(storage_)) alternative<I>(std::forward<Args>(args)...);
    index_ = static_cast<unsigned char>(I);
  }

  template <std::size_t I>
  alternative<I>& raw() noexcept {
    return *reinterpret_cast<alternative<I>*>(static_cast<void*>(storage_));
  }
  template <std::size_t I>
  const alternative<I>& raw() const noexcept {
    return *reinterpret_cast<const alternative<I>*>(static_cast<const void*>(storage_));
  }

  template <std::size_t I>
  void move_at(OneOfStorage& o, Index<I>) {
    if (index_ != I) return move_at(o, Index<I + 1>());
    ::new (static_cast<void*>(storage_)) alternative<I>(std::move(o.template raw<I>()));
  }
  void move_at(OneOfStorage&, End) noexcept {}
  template <std::size_t I>
  void copy_at(const OneOfStorage& o, Index<I>) {
    if (index_ != I) return copy_at(o, Index<I + 1>());
    ::new (static_cast<void*>(storage_)) alternative<I>(o.template raw<I>());
  }
  void copy_at(const OneOfStorage&, End) noexcept {}
  template <std::size_t I>
  void destroy_at(Index<I>) noexcept {
    if (index_ != I) return destroy_at(Index<I + 1>());
    using T = alternative<I>;
    raw<I>().~T();
  }
  void destroy_at(End) noexcept {}

  alignas(max_of(alignof(Ts)...)) unsigned char storage_[max_of(sizeof(Ts)...)];
  unsigned char index_;  // which alternative is alive; changes only by assignment
};

// The switch: trivially copyable alternatives give a trivially copyable
// OneOf; others give the members that move, copy and destroy the live one.
template <bool Trivial, class... Ts>
struct OneOfBase : OneOfStorage<Ts...> {
  using OneOfStorage<Ts...>::OneOfStorage;
};
template <class... Ts>
struct OneOfBase<false, Ts...> : OneOfStorage<Ts...> {
  using OneOfStorage<Ts...>::OneOfStorage;
  OneOfBase(OneOfBase&& o) noexcept(
      all_of<std::is_nothrow_move_constructible<Ts>::value...>::value)
      : OneOfStorage<Ts...>() {
    this->index_ = o.index_;
    this->move_at(o, Index0());
  }
  OneOfBase(const OneOfBase& o) : OneOfStorage<Ts...>() {
    this->index_ = o.index_;
    this->copy_at(o, Index0());
  }
  OneOfBase& operator=(OneOfBase&& o) noexcept(
      all_of<std::is_nothrow_move_constructible<Ts>::value...>::value) {
    if (this != &o) {
      this->destroy_at(Index0());
      this->index_ = o.index_;
      this->move_at(o, Index0());
    }
    return *this;
  }
  OneOfBase& operator=(const OneOfBase& o) {
    if (this != &o) {
      this->destroy_at(Index0());
      this->index_ = o.index_;
      this->copy_at(o, Index0());
    }
    return *this;
  }
  ~OneOfBase() { this->destroy_at(Index0()); }

 private:
  using Index0 = std::integral_constant<std::size_t, 0>;
};
}  // namespace detail

template <class... Ts>
class OneOf : private detail::OneOfBase<
                  detail::all_of<std::is_trivially_copyable<Ts>::value...>::value, Ts...> {
  static_assert(sizeof...(Ts) >= 1, "pollen: OneOf needs at least one alternative");
  static_assert(sizeof...(Ts) <= 255, "pollen: OneOf holds at most 255 alternatives");
  using Base =
      detail::OneOfBase<detail::all_of<std::is_trivially_copyable<Ts>::value...>::value, Ts...>;

 public:
  template <std::size_t I>
  using alternative = typename std::tuple_element<I, std::tuple<Ts...>>::type;
  // The index byte holds 0 .. n-1 (core/layout.hpp).
  using pollen_niche =
      detail::Niche<detail::max_of(sizeof(Ts)...), sizeof...(Ts), 256 - sizeof...(Ts)>;

  template <std::size_t I, class... Args>
  explicit OneOf(InPlaceIndex<I>, Args&&... args)
      : Base(std::integral_constant<std::size_t, I>(), std::forward<Args>(args)...) {}
  OneOf(OneOf&&) = default;
  OneOf(const OneOf&) = default;
  OneOf& operator=(OneOf&&) = default;
  OneOf& operator=(const OneOf&) = default;
  ~OneOf() = default;

  std::size_t index() const noexcept { return this->index_; }
  template <std::size_t I>
  bool holds() const noexcept {
    return this->index_ == I;
  }

  template <std::size_t I>
  alternative<I>& get() & {
    check(I);
    return this->template raw<I>();
  }
  template <std::size_t I>
  const alternative<I>& get() const& {
    check(I);
    return this->template raw<I>();
  }
  template <std::size_t I>
  alternative<I> get() && {
    check(I);
    return std::move(this->template raw<I>());
  }

  friend bool operator==(const OneOf& a, const OneOf& b) {
    return a.index_ == b.index_ && a.equal_at(b, Index<0>());
  }
  friend bool operator!=(const OneOf& a, const OneOf& b) { return !(a == b); }

 private:
  template <std::size_t I>
  using Index = std::integral_constant<std::size_t, I>;
  using End = Index<sizeof...(Ts)>;

  template <std::size_t I>
  bool equal_at(const OneOf& o, Index<I>) const {
    if (this->index_ != I) return equal_at(o, Index<I + 1>());
    return this->template raw<I>() == o.template raw<I>();
  }
  bool equal_at(const OneOf&, End) const noexcept { return false; }

  void check(std::size_t want) const {
    if (POLLEN_UNLIKELY(want != this->index_)) detail::one_of_wrong_index();
  }
};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class A, class B>
using Either = OneOf<A, B>;

template <std::size_t I, class... Ts>
typename OneOf<Ts...>::template alternative<I>& get(OneOf<Ts...>& o) {
  return o.template get<I>();
}
template <std::size_t I, class... Ts>
const typename OneOf<Ts...>::template alternative<I>& get(const OneOf<Ts...>& o) {
  return o.template get<I>();
}
template <std::size_t I, class... Ts>
typename OneOf<Ts...>::template alternative<I> get(OneOf<Ts...>&& o) {
  return std::move(o).template get<I>();
}

POLLEN_NAMESPACE_END
