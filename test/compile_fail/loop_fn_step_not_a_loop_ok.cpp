// The twin of loop_fn_step_not_a_loop.cpp: the step's future gives a Loop.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  using L = pollen::Loop<int, int>;
  auto f = pollen::loop_fn(0, [](int i) {
    return pollen::ready(i == 10 ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1)));
  });
  int v = pollen::block_on(std::move(f));
  return v == 10 ? 0 : 1;
}
