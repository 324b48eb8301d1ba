// Must not compile (C++20): co_await of something that is not a pollen future
// inside a pollen::Coro.
#include <pollen/future/coro.hpp>

#include <coroutine>

pollen::Coro<int> body() {
  co_await std::suspend_always{};  // would suspend with no waker registered
  co_return 1;
}

int main() {
  pollen::Coro<int> c = body();
  return 0;
}
