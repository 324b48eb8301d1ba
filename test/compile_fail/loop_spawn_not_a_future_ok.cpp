// The twin of loop_spawn_not_a_future.cpp: lazy() makes the function a future.
#include <pollen/pollen.hpp>

int main() {
  pollen::EventLoop loop;
  pollen::JoinHandle<int> h = loop.spawn(pollen::lazy([] { return 1; }));
  pollen::JoinResult<int> r = loop.block_on(std::move(h));
  return r.has_value() && r.value() == 1 ? 0 : 1;
}
