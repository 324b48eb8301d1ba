// Must not compile: block_on() of a type that is not a future.
#include <pollen/pollen.hpp>

struct NotAFuture {
  int poll() { return 1; }  // no Output, wrong signature
};

int main() {
  int v = pollen::block_on(NotAFuture{});
  return v;
}
