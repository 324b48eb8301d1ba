// Must not compile: EventLoop::spawn() of a lambda, not of a future, with
// the handle used; pollen's message comes first.
#include <pollen/pollen.hpp>

int main() {
  pollen::EventLoop loop;
  pollen::JoinHandle<int> h = loop.spawn([] { return 1; });
  pollen::JoinResult<int> r = loop.block_on(std::move(h));
  return r.has_value() && r.value() == 1 ? 0 : 1;
}
