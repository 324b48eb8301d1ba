// The twin of loop_block_on_not_a_future.cpp: lazy() makes the function a future.
#include <pollen/pollen.hpp>

int main() {
  pollen::EventLoop loop;
  int v = loop.block_on(pollen::lazy([] { return 1; }));
  return v == 1 ? 0 : 1;
}
