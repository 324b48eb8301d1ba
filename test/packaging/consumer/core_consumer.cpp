// Uses pollen's core without fmt: run.sh puts a directory whose fmt headers
// are #errors first on its include path, and it is linked without fmt.
// Tasks on the event loop, a timer and describe() text.
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

int main() {
  pollen::EventLoop loop;
  auto answer = loop.spawn("answer", pollen::lazy([] { return 41; }));
  auto later = pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1))
                   .map([](pollen::Unit) { return 1; });
  std::string tree = pollen::describe(later);
  int v = loop.block_on(std::move(later)) + loop.block_on(std::move(answer)).value();
  std::printf("core consumer: %d, %s", v, tree.c_str());
  return v == 42 && !tree.empty() ? 0 : 1;
}
