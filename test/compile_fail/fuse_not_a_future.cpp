// Must not compile: fuse() of a value, not of a future. One error, under
// clang too (which used to add "no matching function for call to 'fuse'").
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::fuse(42);
  int v = pollen::block_on(std::move(f));
  return v == 42 ? 0 : 1;
}
