// Must not compile: then()'s function cannot take the future's output.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto f = pollen::then(pollen::ready(1), [](std::string s) { return pollen::ready(s); });
  std::string s = pollen::block_on(std::move(f));
  return s == "1" ? 0 : 1;
}
