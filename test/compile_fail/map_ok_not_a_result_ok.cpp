// The twin of map_ok_not_a_result.cpp: map() on a plain future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(1).map([](int x) { return x + 1; });
  return pollen::block_on(std::move(f)) == 2 ? 0 : 1;
}
