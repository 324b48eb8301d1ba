// The twin of fuse_not_a_future.cpp: fuse() of a future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto f = pollen::fuse(pollen::ready(42));
  int v = pollen::block_on(std::move(f));
  return v == 42 ? 0 : 1;
}
