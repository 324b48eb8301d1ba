// pollen/core/unit.hpp: Unit, the value of a future that produces nothing.
#pragma once

#include <pollen/config.hpp>

POLLEN_NAMESPACE_BEGIN

// What a "void" future produces: a value with exactly one state, so that
// every future has an Output that can be stored, moved and compared.
struct Unit {
  constexpr bool operator==(Unit) const noexcept { return true; }
  constexpr bool operator!=(Unit) const noexcept { return false; }
};

POLLEN_NAMESPACE_END
