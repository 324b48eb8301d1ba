// The first example of README.md, quoted there verbatim (checked by
// check_quotes.py) and run as a test: a future written by hand, driven by
// block_on.
#include <pollen/pollen.hpp>

struct Countdown {                       // a future written by hand
  using Output = int;
  int left;
  pollen::Poll<int> poll(pollen::Context& cx) {
    if (left == 0) return 42;            // Ready(42)
    --left;
    cx.waker().wake();                   // ask to be polled again
    return pollen::pending;              // Pending
  }
};

int main() { return pollen::block_on(Countdown{3}) == 42 ? 0 : 1; }
