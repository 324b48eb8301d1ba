// The twin of block_on_a_function.cpp: lazy() makes the function a future.
#include <pollen/pollen.hpp>

int main() {
  int v = pollen::block_on(pollen::lazy([] { return 1; }));
  return v == 1 ? 0 : 1;
}
