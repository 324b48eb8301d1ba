// The program of the binary-size figure (scripts/dev size,
// docs/performance.md "Binary size"): one task spawned on an EventLoop and
// awaited with block_on, linked against the static libpollen.a.
#include <pollen/pollen.hpp>

#include <utility>

int main() {
  pollen::EventLoop loop;
  auto answer = loop.spawn("answer", pollen::lazy([] { return 41; }));
  const int v = loop.block_on(std::move(answer)).value() + 1;
  return v == 42 ? 0 : 1;
}
