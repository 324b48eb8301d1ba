// The twin of not_a_future.cpp that follows the protocol, so it compiles.
#include <pollen/pollen.hpp>

struct AFuture {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return 1; }
};

int main() {
  int v = pollen::block_on(AFuture{});
  return v == 1 ? 0 : 1;
}
