// The twin of map_wrong_fn.cpp: the function takes an int.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto f = pollen::map(pollen::ready(1), [](int x) { return std::to_string(x).size(); });
  std::size_t n = pollen::block_on(std::move(f));
  return n == 1 ? 0 : 1;
}
