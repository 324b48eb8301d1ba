// pollen/core/layout.hpp: what a combinator may assume about the bytes of
// the futures it holds: niches, relocation and trivial destruction. These are
// what let a chain of combinators cost what one hand-written state machine
// costs (future/machine.hpp uses them; the traits are all opt-in).
//
// Niches: the spare values of a byte inside a type
// --------------------------------------------------
//
// A byte of a type is a niche when, while an object of the type is alive,
// that byte only ever holds values below `First`: the values First ..
// First + Count - 1 are never used. Option<T>'s engaged byte (0 or 1) is one;
// a combinator's state byte is another. A combinator that holds such a type
// as the payload of one of its states can keep its own state in those spare
// values instead of in a byte of its own (future/machine.hpp): while the
// payload is alive the byte is the payload's; once it is destroyed, the byte
// is the combinator's. This is how Rust lays out its enums, and why a chain
// of a hundred maps over ready(x) is as small as ready(x).
//
// A type announces its niche with a member alias
//   using pollen_niche = pollen::detail::Niche<offset, first, count>;
// where `offset` is the byte's offset from the start of the object. Types
// without one have no niche (Count == 0).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <type_traits>

POLLEN_NAMESPACE_BEGIN
namespace detail {

template <std::size_t Offset, unsigned First, unsigned Count>
struct Niche {
  static constexpr std::size_t offset = Offset;
  static constexpr unsigned first = First;  // the first spare value
  static constexpr unsigned count = Count;  // how many spare values
  static_assert(First + Count <= 256, "pollen: a niche lives in one byte");
};
using NoNiche = Niche<0, 0, 0>;

template <class T, class = void>
struct niche_of {
  using type = NoNiche;
};
template <class T>
struct niche_of<T, void_t<typename T::pollen_niche>> {
  using type = typename T::pollen_niche;
};
template <class T>
using niche_t = typename niche_of<T>::type;

// Relocation
// ----------
// A type is trivially relocatable when moving an object to a new address and
// destroying the source does nothing more than copying its bytes: true of
// every trivially copyable type, and of library types that say so with
//   using pollen_relocatable = std::true_type;   (or a computed bool_constant)
// (a handle that holds a pointer and nulls it in the source when moved is
// one). A machine whose payloads are all relocatable moves by copying its
// bytes and marking the source finished, in constant time however deeply its
// children nest.
template <class T, class = void>
struct is_relocatable : std::is_trivially_copyable<T> {};
template <class T>
struct is_relocatable<T, void_t<typename T::pollen_relocatable>> : T::pollen_relocatable {};

// Trivial destruction
// -------------------
// A type whose destructor has no effect once it is finished with (it only
// writes its own state byte, say) may say so with
//   using pollen_trivially_destroyed = std::true_type;
// and a machine holding it then skips its destructor, as it would for a
// trivially destructible type: ending an object's lifetime by reusing its
// storage is allowed when nothing depends on the destructor's effects.
template <class T, class = void>
struct is_trivially_destroyed : std::is_trivially_destructible<T> {};
template <class T>
struct is_trivially_destroyed<T, void_t<typename T::pollen_trivially_destroyed>>
    : T::pollen_trivially_destroyed {};

// The niche byte of the (possibly dead) object at `p`.
template <class N>
inline unsigned char* niche_byte(void* p) noexcept {
  return static_cast<unsigned char*>(p) + N::offset;
}
template <class N>
inline const unsigned char* niche_byte(const void* p) noexcept {
  return static_cast<const unsigned char*>(p) + N::offset;
}

}  // namespace detail
POLLEN_NAMESPACE_END
