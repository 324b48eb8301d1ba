// Uses pollen from outside: through a meson subproject or pkg-config.
#include <pollen/fmt.hpp>
#include <pollen/pollen.hpp>

#include <fmt/core.h>

int main() {
  int v = pollen::block_on(pollen::lazy([] { return 41; })) + 1;
  fmt::print("consumer: {}\n", pollen::Poll<int>(v));
  return v == 42 ? 0 : 1;
}
