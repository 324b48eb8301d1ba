// Must not compile: map_ok() on a future whose output is not a Result.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(1).map_ok([](int x) { return x + 1; });
  return pollen::block_on(std::move(f)) == 2 ? 0 : 1;
}
