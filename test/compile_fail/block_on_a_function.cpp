// Must not compile: block_on() of a lambda, not of a future; the message
// says how to make one.
#include <pollen/pollen.hpp>

int main() {
  int v = pollen::block_on([] { return 1; });
  return v == 1 ? 0 : 1;
}
