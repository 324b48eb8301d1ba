// Must not compile: join() of something that is not a future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto j = pollen::join(pollen::ready(1), 42);
  return std::get<1>(pollen::block_on(std::move(j))) == 42 ? 0 : 1;
}
