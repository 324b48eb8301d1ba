// The twin of then_wrong_fn.cpp: the function takes an int.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto f = pollen::then(pollen::ready(1), [](int x) { return pollen::ready(std::to_string(x)); });
  return pollen::block_on(std::move(f)) == "1" ? 0 : 1;
}
