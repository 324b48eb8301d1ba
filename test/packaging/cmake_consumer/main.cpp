// Uses pollen and <pollen/fmt.hpp> from a CMake project (CMakeLists.txt
// next to this file, pollen::fmt): a task on the event loop waits for a
// timer, the timer future and another task's result are formatted with fmt.
#include <pollen/fmt.hpp>
#include <pollen/pollen.hpp>

#include <fmt/core.h>

#include <chrono>
#include <utility>

int main() {
  pollen::EventLoop loop;
  auto answer = loop.spawn("answer", pollen::lazy([] { return 41; }));
  auto later = pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1))
                   .map([](pollen::Unit) { return 1; });
  fmt::print("cmake consumer: {:s}\n", later);  // a future: its state tree
  int v = loop.block_on(std::move(later)) + loop.block_on(std::move(answer)).value();
  fmt::print("cmake consumer: {} (pollen {})\n", pollen::Poll<int>(v), POLLEN_VERSION_STRING);
  return v == 42 ? 0 : 1;
}
