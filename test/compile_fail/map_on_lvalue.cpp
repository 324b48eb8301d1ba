// Must not compile: the chaining methods consume the future, so they need an
// rvalue; the static_assert says what to write instead.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::ready(1);
  auto g = f.map([](int x) { return x + 1; });
  int v = pollen::block_on(std::move(g));
  return v == 2 ? 0 : 1;
}
