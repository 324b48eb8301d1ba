// Must not compile: select() of something that is not a future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto s = pollen::select(pollen::ready(1), 42);
  return static_cast<int>(pollen::block_on(std::move(s)).index());
}
