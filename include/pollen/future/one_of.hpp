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
    move_table()[index_](&storage_, &o.storage_);
  }
  OneOf(const OneOf& o) : index_(o.index_) { copy_table()[index_](&storage_, &o.storage_); }
  OneOf& operator=(OneOf o) noexcept(detail::all_nothrow_move<Ts...>::value) {
    destroy_table()[index_](&storage_);
    index_ = o.index_;
    move_table()[index_](&storage_, &o.storage_);
    return *this;
  }
  ~OneOf() { destroy_table()[index_](&storage_); }

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
    return a.index_ == b.index_ && equal_table()[a.index_](&a.storage_, &b.storage_);
  }
  friend bool operator!=(const OneOf& a, const OneOf& b) { return !(a == b); }

 private:
  using Move = void (*)(void*, void*);
  using Copy = void (*)(void*, const void*);
  using Destroy = void (*)(void*);
  using Equal = bool (*)(const void*, const void*);

  template <class T>
  static void move_one(void* to, void* from) {
    ::new (to) T(std::move(*static_cast<T*>(from)));
  }
  template <class T>
  static void copy_one(void* to, const void* from) {
    ::new (to) T(*static_cast<const T*>(from));
  }
  template <class T>
  static void destroy_one(void* p) {
    static_cast<T*>(p)->~T();
  }
  template <class T>
  static bool equal_one(const void* a, const void* b) {
    return *static_cast<const T*>(a) == *static_cast<const T*>(b);
  }
  static const Move* move_table() noexcept {
    static constexpr Move t[] = {&move_one<Ts>...};
    return t;
  }
  static const Copy* copy_table() noexcept {
    static constexpr Copy t[] = {&copy_one<Ts>...};
    return t;
  }
  static const Destroy* destroy_table() noexcept {
    static constexpr Destroy t[] = {&destroy_one<Ts>...};
    return t;
  }
  static const Equal* equal_table() noexcept {
    static constexpr Equal t[] = {&equal_one<Ts>...};
    return t;
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
