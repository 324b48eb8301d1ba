// Combinators: map, then, join, select, fuse and loop_fn, each printed with
// describe() before it runs, so the state machines can be seen.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <cstdio>
#include <string>
#include <tuple>

int main() {
  // map and then, chained.
  auto chain = pollen::ready(20)
                   .map([](int x) { return x + 1; })
                   .then([](int x) { return pollen::ready(x * 2); });
  std::printf("%s", pollen::describe(chain).c_str());
  int v = pollen::block_on(std::move(chain));
  std::printf("chain -> %d\n\n", v);

  // join: every output, as a tuple.
  auto both = pollen::join(pollen::ready(1), pollen::lazy([] { return std::string("two"); }));
  std::printf("%s", pollen::describe(both).c_str());
  auto t = pollen::block_on(std::move(both));
  std::printf("join -> (%d, %s)\n\n", std::get<0>(t), std::get<1>(t).c_str());

  // select: the first ready child; the other is destroyed.
  auto first = pollen::select(pollen::never<int>(), pollen::ready(7));
  std::printf("%s", pollen::describe(first).c_str());
  auto o = pollen::block_on(std::move(first));
  std::printf("select -> child %zu with %d\n\n", o.index(), pollen::get<1>(o));

  // loop_fn: a million iterations, constant stack.
  using L = pollen::Loop<long, long>;
  long n = pollen::block_on(pollen::loop_fn(0L, [](long i) {
    return pollen::ready(i == 1000000 ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1)));
  }));
  std::printf("loop_fn -> %ld\n", n);
  return (v == 42 && std::get<0>(t) == 1 && o.index() == 1 && n == 1000000) ? 0 : 1;
}
