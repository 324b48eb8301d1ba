// pollen/future/one_of.hpp: OneOf<T0, ..., Tn>, one value out of several
// possible types, and which one it is: what select() returns. Either<A, B>
// is its two-case name. (C++14 has no std::variant; this is the small part
// of it that select needs.)
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
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>

#include <cstddef>
#include <cstring>
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
template <class... Ts>
struct all_nothrow_move : std::true_type {};
template <class T, class... Ts>
struct all_nothrow_move<T, Ts...>
    : std::integral_constant<bool, std::is_nothrow_move_constructible<T>::value &&
                                       all_nothrow_move<Ts...>::value> {};

template <class... Ts>
struct all_trivially_copyable : std::true_type {};
template <class T, class... Ts>
struct all_trivially_copyable<T, Ts...>
    : std::integral_constant<bool, std::is_trivially_copyable<T>::value &&
                                       all_trivially_copyable<Ts...>::value> {};

[[noreturn]] inline void one_of_wrong_index() {
  contract_violation(
      "get<I>() on a OneOf that holds another alternative; check index() or holds<I>() first");
}
}  // namespace detail

// gcc 12 warns that index_ "may be used uninitialized" when a OneOf inside
// an Option is moved on a path it cannot prove engaged; every constructor
// sets index_, so the warning is silenced for this class only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

template <class... Ts>
class OneOf {
  static_assert(sizeof...(Ts) >= 1, "pollen: OneOf needs at least one alternative");
  static_assert(sizeof...(Ts) <= 255, "pollen: OneOf holds at most 255 alternatives");

 public:
  template <std::size_t I>
  using alternative = typename std::tuple_element<I, std::tuple<Ts...>>::type;

  template <std::size_t I, class... Args>
  explicit OneOf(InPlaceIndex<I>, Args&&... args) : index_(static_cast<unsigned char>(I)) {
    ::new (static_cast<void*>(&storage_)) alternative<I>(std::forward<Args>(args)...);
  }
  OneOf(OneOf&& o) noexcept(detail::all_nothrow_move<Ts...>::value) : index_(o.index_) {
    move_from(o, Trivial());
  }
  OneOf(const OneOf& o) : index_(o.index_) { copy_from(o, Trivial()); }
  OneOf& operator=(OneOf o) noexcept(detail::all_nothrow_move<Ts...>::value) {
    destroy(Trivial());
    index_ = o.index_;
    move_from(o, Trivial());
    return *this;
  }
  ~OneOf() { destroy(Trivial()); }

  std::size_t index() const noexcept { return index_; }
  template <std::size_t I>
  bool holds() const noexcept {
    return index_ == I;
  }

  template <std::size_t I>
  alternative<I>& get() & {
    check(I);
    return *reinterpret_cast<alternative<I>*>(&storage_);
  }
  template <std::size_t I>
  const alternative<I>& get() const& {
    check(I);
    return *reinterpret_cast<const alternative<I>*>(&storage_);
  }
  template <std::size_t I>
  alternative<I> get() && {
    check(I);
    return std::move(*reinterpret_cast<alternative<I>*>(&storage_));
  }

  friend bool operator==(const OneOf& a, const OneOf& b) {
    return a.index_ == b.index_ && a.equal_at(b, Index<0>());
  }
  friend bool operator!=(const OneOf& a, const OneOf& b) { return !(a == b); }

 private:
  // Alternatives that are all trivially copyable move as bytes: the common
  // case of select over plain values costs a memcpy, not a call per move.
  using Trivial = std::integral_constant<bool, detail::all_trivially_copyable<Ts...>::value>;

  void move_from(OneOf& o, std::true_type) noexcept {
    std::memcpy(&storage_, &o.storage_, sizeof storage_);
  }
  void copy_from(const OneOf& o, std::true_type) noexcept {
    std::memcpy(&storage_, &o.storage_, sizeof storage_);
  }
  void destroy(std::true_type) noexcept {}

  // Otherwise the alternative at index_ is found by a chain of compares the
  // compiler turns into a jump table: no indirect call through a table.
  void move_from(OneOf& o, std::false_type) { move_at(o, Index<0>()); }
  void copy_from(const OneOf& o, std::false_type) { copy_at(o, Index<0>()); }
  void destroy(std::false_type) noexcept { destroy_at(Index<0>()); }

  template <std::size_t I>
  using Index = std::integral_constant<std::size_t, I>;
  using End = Index<sizeof...(Ts)>;

  template <std::size_t I>
  void move_at(OneOf& o, Index<I>) {
    if (index_ != I) return move_at(o, Index<I + 1>());
    ::new (static_cast<void*>(&storage_)) alternative<I>(std::move(o.template raw<I>()));
  }
  void move_at(OneOf&, End) noexcept {}
  template <std::size_t I>
  void copy_at(const OneOf& o, Index<I>) {
    if (index_ != I) return copy_at(o, Index<I + 1>());
    ::new (static_cast<void*>(&storage_)) alternative<I>(o.template raw<I>());
  }
  void copy_at(const OneOf&, End) noexcept {}
  template <std::size_t I>
  void destroy_at(Index<I>) noexcept {
    if (index_ != I) return destroy_at(Index<I + 1>());
    using T = alternative<I>;
    raw<I>().~T();
  }
  void destroy_at(End) noexcept {}
  template <std::size_t I>
  bool equal_at(const OneOf& o, Index<I>) const {
    if (index_ != I) return equal_at(o, Index<I + 1>());
    return raw<I>() == o.template raw<I>();
  }
  bool equal_at(const OneOf&, End) const noexcept { return false; }

  template <std::size_t I>
  alternative<I>& raw() noexcept {
    return *reinterpret_cast<alternative<I>*>(&storage_);
  }
  template <std::size_t I>
  const alternative<I>& raw() const noexcept {
    return *reinterpret_cast<const alternative<I>*>(&storage_);
  }

  void check(std::size_t want) const {
    if (POLLEN_UNLIKELY(want != index_)) detail::one_of_wrong_index();
  }

  typename std::aligned_storage<detail::max_of(sizeof(Ts)...), detail::max_of(alignof(Ts)...)>::type
      storage_;      // holds the alternative at index_
  unsigned char index_;  // which alternative is alive; changes only by assignment
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
