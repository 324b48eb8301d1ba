// The twin of coro_await_not_a_future.cpp that awaits a pollen future, so it
// compiles.
#include <pollen/core/ready.hpp>
#include <pollen/future/coro.hpp>

pollen::Coro<int> body() {
  int v = co_await pollen::ready(1);
  co_return v;
}

int main() {
  pollen::Coro<int> c = body();
  return 0;
}
