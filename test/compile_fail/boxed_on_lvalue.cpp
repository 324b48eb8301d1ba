// Must not compile: boxed() consumes the future, so it needs an rvalue.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(1);
  auto b = f.boxed();
  int v = pollen::block_on(std::move(b));
  return v == 1 ? 0 : 1;
}
