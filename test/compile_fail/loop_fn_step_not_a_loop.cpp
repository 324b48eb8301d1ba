// Must not compile: loop_fn()'s step returns a future of int, not of a
// pollen::Loop<S, V> (Continue or Break).
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::loop_fn(0, [](int i) { return pollen::ready(i + 1); });
  int v = pollen::block_on(std::move(f));
  return v == 10 ? 0 : 1;
}
