// Must not compile: map()'s function takes a std::string, the future gives
// an int. One error, pollen's (it used to be 15).
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto f = pollen::map(pollen::ready(1), [](std::string s) { return s.size(); });
  std::size_t n = pollen::block_on(std::move(f));
  return n == 1 ? 0 : 1;
}
