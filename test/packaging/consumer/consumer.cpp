// Uses pollen and <pollen/fmt.hpp> from outside: through a meson subproject
// ('pollen-fmt') or pkg-config (pollen-fmt).
#include <pollen/fmt.hpp>
#include <pollen/pollen.hpp>

#include <fmt/core.h>

int main() {
  auto f = pollen::lazy([] { return 41; });
  fmt::print("consumer: {:s}\n", f);  // a future: its state tree
  int v = pollen::block_on(std::move(f)) + 1;
  fmt::print("consumer: {}\n", pollen::Poll<int>(v));
  return v == 42 ? 0 : 1;
}
