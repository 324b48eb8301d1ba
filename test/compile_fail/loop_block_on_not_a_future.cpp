// Must not compile: EventLoop::block_on() of a lambda, not of a future, with
// the result used; pollen's message comes first.
#include <pollen/pollen.hpp>

int main() {
  pollen::EventLoop loop;
  int v = loop.block_on([] { return 1; });
  return v == 1 ? 0 : 1;
}
