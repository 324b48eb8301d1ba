// Must not compile: a chained .then() whose function cannot take the output
// of the chain so far. The chain goes on after it and is run: pollen's line
// is the only error (no error about the rest of the chain).
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto f = pollen::ready(1)
               .map([](int x) { return x + 1; })
               .then([](std::string s) { return pollen::ready(s); })
               .map([](std::string s) { return s.size(); });
  std::size_t n = pollen::block_on(std::move(f));
  return n == 1 ? 0 : 1;
}
