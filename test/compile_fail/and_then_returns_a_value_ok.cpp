// The twin of and_then_returns_a_value.cpp: the function returns a future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(pollen::Result<int>(pollen::ok(1))).and_then([](int x) {
    return pollen::ready(pollen::Result<int>(pollen::ok(x + 1)));
  });
  return pollen::block_on(std::move(f)).value() == 2 ? 0 : 1;
}
