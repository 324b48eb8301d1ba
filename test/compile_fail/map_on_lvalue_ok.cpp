// The twin of map_on_lvalue.cpp: std::move(f).map(fn) compiles.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(1);
  auto g = std::move(f).map([](int x) { return x + 1; });
  return pollen::block_on(std::move(g)) == 2 ? 0 : 1;
}
