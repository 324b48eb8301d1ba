// The twin of boxed_on_lvalue.cpp: std::move(f).boxed() compiles.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(1);
  auto b = std::move(f).boxed();
  int v = pollen::block_on(std::move(b));
  return v == 1 ? 0 : 1;
}
