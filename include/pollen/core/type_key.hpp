// pollen/core/type_key.hpp: detail::type_key<T>(), an identity for a type
// without RTTI (how a PollObserver tells apart a future and its first member,
// which share an address).
#pragma once

#include <pollen/config.hpp>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// One static per type: its address identifies the type. Not const, so that
// no linker folds two of them into one.
template <class T>
struct TypeKey {
  static char key;
};
template <class T>
char TypeKey<T>::key = 0;

template <class T>
inline const void* type_key() noexcept {
  return &TypeKey<T>::key;
}

}  // namespace detail
POLLEN_NAMESPACE_END
